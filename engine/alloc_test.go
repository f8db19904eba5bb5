package engine

import (
	"path/filepath"
	"testing"
)

// TestForwardAllocs checks that a steady-state Session.Forward allocates
// nothing: the arena, workspace and every layer's work closure are made
// when the session is, and the worker hand-off reuses the session's
// WaitGroup.
func TestForwardAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("runs full networks")
	}
	for _, m := range []struct {
		cfg  string
		size int
	}{
		{"testdata/darknetcfg/yolov4-tiny.cfg", 416},
		{"cfg/csppeleenet-efm.cfg", 320},
	} {
		for _, threads := range []int{1, 2, 3} {
			n, err := BuildFile(filepath.Join(repoRoot(t), m.cfg), &Options{Width: m.size, Height: m.size})
			if err != nil {
				t.Fatal(err)
			}
			if err := n.SyntheticWeights(1); err != nil {
				t.Fatal(err)
			}
			s, err := n.NewSession()
			if err != nil {
				t.Fatal(err)
			}
			s.SetThreads(threads)
			in := make([]float32, n.Input.Size())
			// Warm up: the first passes may start pool workers.
			for i := 0; i < 3; i++ {
				if err := s.Forward(in); err != nil {
					t.Fatal(err)
				}
			}
			if a := testing.AllocsPerRun(5, func() {
				if err := s.Forward(in); err != nil {
					t.Fatal(err)
				}
			}); a != 0 {
				t.Errorf("%s, %d threads: %v allocations per Forward, want 0", m.cfg, threads, a)
			}
		}
	}
}
