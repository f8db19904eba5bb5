package video

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/darkgo/darkgo/cfg"
	"github.com/darkgo/darkgo/engine"
	"github.com/darkgo/darkgo/internal/testvideo"
)

func TestParallelSplit(t *testing.T) {
	net := loadFaceNet(t)
	for _, c := range []struct {
		threads, parallel int
		live              bool
		want              []int
	}{
		{1, 0, false, []int{1}},
		{2, 0, false, []int{1, 1}},
		{2, 1, false, []int{2}},
		{2, 0, true, []int{2}},
		{3, 2, false, []int{2, 1}},
		{8, 0, false, []int{2, 2, 2, 2}},
		{6, 0, false, []int{2, 2, 1, 1}},
		{2, 5, false, []int{1, 1}},
	} {
		o := RunOptions{Threads: c.threads, Parallel: c.parallel}
		n, th := o.parallel(net, c.live)
		if n != len(c.want) || !reflect.DeepEqual(th, c.want) {
			t.Errorf("Threads %d Parallel %d live %v: %d frames on %v threads, want %v", c.threads, c.parallel, c.live, n, th, c.want)
		}
	}
}

// TestRunParallelSameResults: one, two and three frames at once give the
// same results, in frame order, for every frame of the file.
func TestRunParallelSameResults(t *testing.T) {
	net := loadFaceNet(t)
	path := testvideo.MakeFaceVideo(t, t.TempDir(), "face.mp4", "libx264")
	ctx := context.Background()
	opts := cfg.DefaultDetectOptions()
	skip := 1
	if testing.Short() {
		skip = 3 // -race in CI
	}
	var first [][]any
	for _, p := range []int{1, 2, 3} {
		src, err := Open(ctx, path, &Options{Skip: skip})
		if err != nil {
			t.Fatal(err)
		}
		var got [][]any
		k := int64(0)
		for r := range Run(ctx, net, src, &RunOptions{Detect: *opts, Threads: 3, Parallel: p}) {
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			if r.Frame.Index != k*int64(skip) {
				t.Fatalf("Parallel %d: result %d is frame %d", p, k, r.Frame.Index)
			}
			got = append(got, []any{r.Frame.Index, r.Frame.PTS, r.Boxes.Detections})
			r.Release()
			k++
		}
		src.Close()
		if len(got) != (testvideo.Frames+skip-1)/skip {
			t.Fatalf("Parallel %d: %d results, want %d", p, len(got), testvideo.Frames)
		}
		if first == nil {
			first = got
		} else if !reflect.DeepEqual(got, first) {
			t.Errorf("Parallel %d gives other results than Parallel 1", p)
		}
	}
	testvideo.NoChildren(t)
}

// TestRunParallelCancel: cancelling a run (one frame at a time, or two at
// once) mid-file closes the
// results, stops every goroutine and leaves no ffmpeg behind.
func TestRunParallelCancel(t *testing.T) {
	net := loadFaceNet(t)
	path := testvideo.MakeFaceVideo(t, t.TempDir(), "face.mp4", "libx264")
	for _, p := range []int{1, 2} {
		t.Run(fmt.Sprint("parallel", p), func(t *testing.T) { testRunCancel(t, net, path, p) })
	}
}

func testRunCancel(t *testing.T, net *engine.Net, path string, parallel int) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r := range Run(ctx, net, src, &RunOptions{Threads: 2, Parallel: parallel}) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		if r.Frame.Index != int64(n) {
			t.Fatalf("result %d is frame %d", n, r.Frame.Index)
		}
		r.Release()
		n++
		if n == 3 {
			cancel()
		}
	}
	src.Close()
	if n < 3 || n >= testvideo.Frames {
		t.Errorf("%d results after cancelling at the third", n)
	}
	// Goroutines wind down after the channel closes (the session crews
	// with their finalizers may take a GC).
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > before+2 {
		t.Errorf("%d goroutines after the run, %d before", g, before)
	}
	testvideo.NoChildren(t)
}
