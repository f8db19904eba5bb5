package video

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// mjpegServer is an ffmpeg serving a synthetic MJPEG stream
// (multipart/x-mixed-replace, as IP cameras do) to one client on a
// loopback port, at fps frames per second in real time.
type mjpegServer struct {
	cmd *exec.Cmd
	url string
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func startMJPEGServer(t *testing.T, port, fps int) *mjpegServer {
	t.Helper()
	ffmpeg := testFFmpeg(t)
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	cmd := exec.Command(ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-re",
		"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=s=320x240:r=%d", fps),
		"-c:v", "mjpeg", "-q:v", "5", "-f", "mpjpeg", "-listen", "1", url)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &mjpegServer{cmd: cmd, url: url}
	t.Cleanup(s.kill)
	waitListening(t, port)
	return s
}

// waitListening polls (bounded) until something accepts on port, without
// connecting: a connect would use up a -listen 1 server. It looks in
// /proc/net/tcp for the listening socket.
func waitListening(t *testing.T, port int) {
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

func (s *mjpegServer) kill() {
	if s.cmd.ProcessState == nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
	}
}

func (s *mjpegServer) pid() int { return s.cmd.Process.Pid }

// TestLiveDropsAndFreshness reads a 50 fps stream with a consumer that
// takes 40 ms a frame: frames are dropped and counted, every frame Next
// returns is at least as new as the newest received before the call, and
// the buffers stay few.
func TestLiveDropsAndFreshness(t *testing.T) {
	port := freePort(t)
	srv := startMJPEGServer(t, port, 50)
	src, err := Open(context.Background(), srv.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	info := src.Info()
	if !info.Live || info.Kind != KindStream || info.Width != 320 || info.Height != 240 {
		t.Errorf("Info %+v", info)
	}
	for i := 0; i < 25; i++ {
		before := src.Stats().Received
		f, err := src.Next()
		if err != nil {
			t.Fatal(err)
		}
		if f.Index < before-1 {
			t.Errorf("Next returned frame %d although frame %d had been received", f.Index, before-1)
		}
		time.Sleep(40 * time.Millisecond) // a slow network
		f.Release()
	}
	st := src.Stats()
	if st.Dropped == 0 {
		t.Errorf("no frame dropped: %+v", st)
	}
	if d := st.Received - st.Delivered - st.Dropped; d < 0 || d > 1 {
		t.Errorf("received %d != delivered %d + dropped %d (+1 waiting)", st.Received, st.Delivered, st.Dropped)
	}
	if st.Buffers > 4 {
		t.Errorf("%d frame buffers for a consumer holding one frame at a time", st.Buffers)
	}
	src.Close()
	noChildren(t, srv.pid())
}

// TestLiveRunBounded runs the face detector on a 50 fps stream: the
// network takes the newest frame each time, so the number of frames in
// flight (buffers) stays fixed however long it runs.
func TestLiveRunBounded(t *testing.T) {
	netw := loadFaceNet(t)
	port := freePort(t)
	srv := startMJPEGServer(t, port, 50)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src, err := Open(ctx, srv.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	n := 0
	last := int64(-1)
	for r := range Run(ctx, netw, src, &RunOptions{Threads: 1}) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		if r.Frame.Index <= last {
			t.Errorf("frame %d after frame %d", r.Frame.Index, last)
		}
		last = r.Frame.Index
		time.Sleep(20 * time.Millisecond) // drawing and encoding
		r.Release()
		if n++; n == 30 {
			cancel()
		}
	}
	st := src.Stats()
	if st.Dropped == 0 {
		t.Errorf("no frame dropped: %+v", st)
	}
	if st.Buffers > 8 {
		t.Errorf("%d frame buffers allocated: frames pile up", st.Buffers)
	}
	src.Close()
	noChildren(t, srv.pid())
}

// TestLiveReconnect kills the stream's server: the source reconnects to
// the next server on the same port, then gives up after Retries attempts
// once no server comes back.
func TestLiveReconnect(t *testing.T) {
	port := freePort(t)
	srv := startMJPEGServer(t, port, 25)
	src, err := Open(context.Background(), srv.url, &Options{Retries: 2, RetryDelay: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	next := func() (*Frame, error) {
		f, err := src.Next()
		if err == nil {
			f.Release()
		}
		return f, err
	}
	for i := 0; i < 5; i++ {
		if _, err := next(); err != nil {
			t.Fatal(err)
		}
	}
	srv.kill()
	srv2 := startMJPEGServer(t, port, 25)
	// Frames come again once the source has reconnected.
	for src.Stats().Reconnects == 0 {
		if _, err := next(); err != nil {
			t.Fatalf("no reconnection: %v", err)
		}
	}
	for i := 0; i < 5; i++ {
		if _, err := next(); err != nil {
			t.Fatalf("after reconnecting: %v", err)
		}
	}
	srv2.kill()
	start := time.Now()
	var end error
	for end == nil {
		_, end = next()
	}
	if !strings.Contains(end.Error(), srv.url) || !strings.Contains(end.Error(), "gave up after 2 retries") {
		t.Errorf("error %q does not name the stream and the retries", end)
	}
	if errors.Is(end, context.Canceled) {
		t.Errorf("ended by cancellation: %v", end)
	}
	t.Logf("gave up after %v: %v", time.Since(start), end)
	src.Close()
	noChildren(t, srv.pid(), srv2.pid())
}
