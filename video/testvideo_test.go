package video

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// The test videos are made at test time by ffmpeg from the bundled photos,
// so the repository holds no video files.

// testFFmpeg returns ffmpeg's path, or skips the test when it is missing
// (CI installs it: see .ci/run).
func testFFmpeg(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("ffmpeg is not installed (CI installs it)")
	}
	return p
}

// repoFile is a path relative to the repository root.
func repoFile(rel string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", rel)
}

// The face video: 10 frames of sample1.jpg (scaled to 640×427) seen
// through a 480×320 window that pans right by panStep pixels a frame, then
// 5 plain grey frames (no face), then 10 frames of sample5.jpg, still; 10
// frames per second.
const (
	faceW, faceH   = 480, 320
	panFrames      = 10
	panStep        = 10
	greyFrames     = 5
	stillFrames    = 10
	faceVideoFPS   = 10
	faceVideoTotal = panFrames + greyFrames + stillFrames
)

// makeFaceVideo writes the face video into dir with the codec
// ("libx264" or "mjpeg") in the container of name's extension.
func makeFaceVideo(t testing.TB, dir, name, codec string) string {
	t.Helper()
	ffmpeg := testFFmpeg(t)
	out := filepath.Join(dir, name)
	graph := "[0]scale=640:427,crop=480:320:'n*10':40,setsar=1,fps=10[a];" +
		"[1]setsar=1[b];" +
		"[2]scale=480:350,crop=480:320:0:15,setsar=1,fps=10[c];" +
		"[a][b][c]concat=n=3:v=1,format=yuv420p[v]"
	args := []string{"-hide_banner", "-loglevel", "error", "-nostdin",
		"-loop", "1", "-framerate", "10", "-t", "1", "-i", repoFile("testdata/faceapi/sample1.jpg"),
		"-f", "lavfi", "-i", "color=c=gray:s=480x320:r=10:d=0.5",
		"-loop", "1", "-framerate", "10", "-t", "1", "-i", repoFile("testdata/faceapi/sample5.jpg"),
		"-filter_complex", graph, "-map", "[v]", "-c:v", codec}
	if codec == "mjpeg" {
		args = append(args, "-q:v", "3", "-pix_fmt", "yuvj420p")
	}
	args = append(args, "-y", out)
	if b, err := exec.Command(ffmpeg, args...).CombinedOutput(); err != nil {
		t.Fatalf("making %s: %v\n%s", name, err, b)
	}
	return out
}

// children lists the pids of this process's child processes named ffmpeg
// (from /proc), except those in skip: the decoders a test must not leave
// behind.
func children(t testing.TB, skip ...int) []int {
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

// noChildren fails the test if a decoder or encoder is still running
// (or not reaped: a zombie is listed too). Reaping is synchronous in
// Close, so there is nothing to wait for.
func noChildren(t testing.TB, skip ...int) {
	t.Helper()
	if c := children(t, skip...); len(c) > 0 {
		t.Errorf("ffmpeg processes left running: %v", c)
	}
}
