// Package testvideo makes the videos and streams of the video tests at
// test time with ffmpeg, from the bundled photos (the repository holds no
// video files), and checks that no ffmpeg is left running.
package testvideo

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// FFmpeg returns ffmpeg's path, or skips the test when it is missing
// (CI installs it: see .ci/run).
func FFmpeg(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("ffmpeg is not installed (CI installs it)")
	}
	return p
}

// RepoFile is a path relative to the repository root.
func RepoFile(rel string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", rel)
}

// The face video: 10 frames of sample1.jpg (scaled to 640×427) seen
// through a 480×320 window that pans right by panStep pixels a frame, then
// 5 plain grey frames (no face), then 10 frames of sample5.jpg, still; 10
// frames per second.
const (
	FaceW, FaceH = 480, 320
	PanFrames    = 10
	PanStep      = 10
	GreyFrames   = 5
	StillFrames  = 10
	FPS          = 10
	Frames       = PanFrames + GreyFrames + StillFrames
)

// MakeFaceVideo writes the face video into dir with the codec
// ("libx264" or "mjpeg") in the container of name's extension. Each video
// is encoded once per test binary (see Main) and copied afterwards.
func MakeFaceVideo(t testing.TB, dir, name, codec string) string {
	t.Helper()
	ffmpeg := FFmpeg(t)
	cache.Lock()
	defer cache.Unlock()
	key := name + "|" + codec
	src, ok := cache.made[key]
	if !ok {
		if cache.dir == "" {
			d, err := os.MkdirTemp("", "darkgo-testvideo-")
			if err != nil {
				t.Fatal(err)
			}
			cache.dir = d
			cache.made = map[string]string{}
		}
		src = filepath.Join(cache.dir, strconv.Itoa(len(cache.made))+"-"+name)
		encodeFaceVideo(t, ffmpeg, src, codec)
		cache.made[key] = src
	}
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, name)
	if err := os.WriteFile(out, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// cache holds the videos made so far by this test binary.
var cache struct {
	sync.Mutex
	dir  string
	made map[string]string // name|codec -> file
}

// Main runs a package's tests (from its TestMain) and then removes the
// cached videos.
func Main(m *testing.M) {
	code := m.Run()
	cache.Lock()
	if cache.dir != "" {
		os.RemoveAll(cache.dir)
	}
	cache.Unlock()
	os.Exit(code)
}

func encodeFaceVideo(t testing.TB, ffmpeg, out, codec string) {
	t.Helper()
	graph := "[0]scale=640:427,crop=480:320:'n*10':40,setsar=1,fps=10[a];" +
		"[1]setsar=1[b];" +
		"[2]scale=480:350,crop=480:320:0:15,setsar=1,fps=10[c];" +
		"[a][b][c]concat=n=3:v=1,format=yuv420p[v]"
	args := []string{"-hide_banner", "-loglevel", "error", "-nostdin",
		"-loop", "1", "-framerate", "10", "-t", "1", "-i", RepoFile("testdata/faceapi/sample1.jpg"),
		"-f", "lavfi", "-i", "color=c=gray:s=480x320:r=10:d=0.5",
		"-loop", "1", "-framerate", "10", "-t", "1", "-i", RepoFile("testdata/faceapi/sample5.jpg"),
		"-filter_complex", graph, "-map", "[v]", "-c:v", codec}
	if codec == "mjpeg" {
		args = append(args, "-q:v", "3", "-pix_fmt", "yuvj420p")
	}
	args = append(args, "-y", out)
	if b, err := exec.Command(ffmpeg, args...).CombinedOutput(); err != nil {
		t.Fatalf("making %s: %v\n%s", filepath.Base(out), err, b)
	}
}

// Children lists the pids of this process's child processes named ffmpeg
// (from /proc), except those in skip: the decoders a test must not leave
// behind.
func Children(t testing.TB, skip ...int) []int {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc: cannot list child processes")
	}
	self := os.Getpid()
	var out []int
next:
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		j := strings.IndexByte(s, '(')
		if i < 0 || j < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 2 || s[j+1:i] != "ffmpeg" {
			continue
		}
		if ppid, _ := strconv.Atoi(f[1]); ppid != self {
			continue
		}
		for _, k := range skip {
			if k == pid {
				continue next
			}
		}
		out = append(out, pid)
	}
	return out
}

// NoChildren fails the test if a decoder or encoder is still running
// (or not reaped: a zombie is listed too). Reaping is synchronous in
// Close, so there is nothing to wait for.
func NoChildren(t testing.TB, skip ...int) {
	t.Helper()
	if c := Children(t, skip...); len(c) > 0 {
		t.Errorf("ffmpeg processes left running: %v", c)
	}
}

// MJPEGServer is an ffmpeg serving an MJPEG stream (multipart/x-mixed-
// replace, as IP cameras do) to one client on a loopback port, in real
// time.
type MJPEGServer struct {
	cmd *exec.Cmd
	URL string
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// StartMJPEGServer serves ffmpeg's synthetic testsrc2 pattern, 320×240 at
// fps frames per second.
func StartMJPEGServer(t testing.TB, port, fps int) *MJPEGServer {
	t.Helper()
	return startServer(t, port, "-f", "lavfi", "-i", fmt.Sprintf("testsrc2=s=320x240:r=%d", fps))
}

// StartPhotoServer serves sample5.jpg as in the still part of the face
// video (480×320, the same faces), 10 frames per second.
func StartPhotoServer(t testing.TB, port int) *MJPEGServer {
	t.Helper()
	return startServer(t, port, "-loop", "1", "-framerate", "10", "-i", RepoFile("testdata/faceapi/sample5.jpg"),
		"-vf", "scale=480:350,crop=480:320:0:15")
}

func startServer(t testing.TB, port int, input ...string) *MJPEGServer {
	t.Helper()
	ffmpeg := FFmpeg(t)
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	args := append([]string{"-hide_banner", "-loglevel", "error", "-nostdin", "-re"}, input...)
	args = append(args, "-c:v", "mjpeg", "-q:v", "5", "-f", "mpjpeg", "-listen", "1", url)
	cmd := exec.Command(ffmpeg, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &MJPEGServer{cmd: cmd, URL: url}
	t.Cleanup(s.Kill)
	WaitListening(t, port)
	return s
}

// WaitListening polls (bounded) until something accepts on port, without
// connecting: a connect would use up a -listen 1 server. It looks in
// /proc/net/tcp for the listening socket.
func WaitListening(t testing.TB, port int) {
	t.Helper()
	want := fmt.Sprintf(":%04X 00000000:0000 0A", port)
	for i := 0; i < 200; i++ {
		b, _ := os.ReadFile("/proc/net/tcp")
		if strings.Contains(string(b), want) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("nothing listens on port %d", port)
}

func (s *MJPEGServer) Kill() {
	if s.cmd.ProcessState == nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
	}
}

func (s *MJPEGServer) Pid() int { return s.cmd.Process.Pid }
