package video

import (
	"context"
	"errors"
	"github.com/darkgo/darkgo/internal/testvideo"
	"strings"
	"testing"
	"time"
)

// TestLiveDropsAndFreshness reads a 50 fps stream with a consumer that
// takes 40 ms a frame: frames are dropped and counted, every frame Next
// returns is at least as new as the newest received before the call, and
// the buffers stay few.
func TestLiveDropsAndFreshness(t *testing.T) {
	port := testvideo.FreePort(t)
	srv := testvideo.StartMJPEGServer(t, port, 50)
	src, err := Open(context.Background(), srv.URL, nil)
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
	testvideo.NoChildren(t, srv.Pid())
}

// TestLiveRunBounded runs the face detector on a 50 fps stream: the
// network takes the newest frame each time, so the number of frames in
// flight (buffers) stays fixed however long it runs.
func TestLiveRunBounded(t *testing.T) {
	netw := loadFaceNet(t)
	port := testvideo.FreePort(t)
	srv := testvideo.StartMJPEGServer(t, port, 50)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src, err := Open(ctx, srv.URL, nil)
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
		// Drawing and encoding: two frame intervals, so that frames
		// arrive faster than results are taken even when a loaded
		// machine slows the server (20 ms, one interval, once let a
		// busy CI run receive no more frames than it consumed).
		time.Sleep(40 * time.Millisecond)
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
	testvideo.NoChildren(t, srv.Pid())
}

// TestLiveReconnect kills the stream's server: the source reconnects to
// the next server on the same port, then gives up after Retries attempts
// once no server comes back.
func TestLiveReconnect(t *testing.T) {
	port := testvideo.FreePort(t)
	srv := testvideo.StartMJPEGServer(t, port, 25)
	src, err := Open(context.Background(), srv.URL, &Options{Retries: 2, RetryDelay: 100 * time.Millisecond})
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
	srv.Kill()
	srv2 := testvideo.StartMJPEGServer(t, port, 25)
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
	srv2.Kill()
	start := time.Now()
	var end error
	for end == nil {
		_, end = next()
	}
	if !strings.Contains(end.Error(), srv.URL) || !strings.Contains(end.Error(), "gave up after 2 retries") {
		t.Errorf("error %q does not name the stream and the retries", end)
	}
	if errors.Is(end, context.Canceled) {
		t.Errorf("ended by cancellation: %v", end)
	}
	t.Logf("gave up after %v: %v", time.Since(start), end)
	src.Close()
	testvideo.NoChildren(t, srv.Pid(), srv2.Pid())
}
