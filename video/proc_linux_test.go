package video

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/darkgo/darkgo/internal/testvideo"
)

// TestDecoderNice: every thread of the decoding ffmpeg, the decoder's
// frame threads started after probing included, runs DecoderNice steps
// nicer than the test (up to 19); 0 leaves it at ours.
func TestDecoderNice(t *testing.T) {
	path := testvideo.MakeFaceVideo(t, t.TempDir(), "face.mp4", "libx264")
	p, err := syscall.Getpriority(syscall.PRIO_PROCESS, 0)
	if err != nil {
		t.Fatal(err)
	}
	own := 20 - p
	for _, by := range []int{0, 7, 39} {
		src, err := Open(context.Background(), path, &Options{DecoderThreads: 2, DecoderNice: by})
		if err != nil {
			t.Fatal(err)
		}
		f, err := src.Next() // the decoder is open: its threads exist
		if err != nil {
			t.Fatal(err)
		}
		f.Release()
		kids := testvideo.Children(t)
		if len(kids) != 1 {
			t.Fatalf("ffmpeg children %v, want one", kids)
		}
		nices := taskNices(t, kids[0])
		if len(nices) < 2 {
			t.Errorf("ffmpeg -threads 2 runs %d thread(s); the test wants the decoder's own", len(nices))
		}
		want := min(own+by, 19)
		for tid, n := range nices {
			if n != want {
				t.Errorf("DecoderNice %d: ffmpeg thread %d at nice %d, want %d (ours %d)", by, tid, n, want, own)
			}
		}
		src.Close()
	}
	testvideo.NoChildren(t)
}

// taskNices maps each thread of process pid to its nice value (field 19
// of /proc/pid/task/tid/stat).
func taskNices(t *testing.T, pid int) map[int]int {
	t.Helper()
	dir := filepath.Join("/proc", strconv.Itoa(pid), "task")
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]int{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name(), "stat"))
		if err != nil {
			continue // the thread ended
		}
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]) // f[0] is field 3, state
		if len(f) < 17 {
			t.Fatalf("%s/stat: %q", e.Name(), s)
		}
		tid, _ := strconv.Atoi(e.Name())
		n, err := strconv.Atoi(f[16])
		if err != nil {
			t.Fatalf("%s/stat nice %q: %v", e.Name(), f[16], err)
		}
		out[tid] = n
	}
	return out
}
