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
		{"cfg/tiny-face.cfg", 416}, // depthwise layers: their row buffers live in the session's workspaces
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

// TestMemoryPlan checks the load-time memory plan against the issue's
// target for CSPPeleeNet-EFM (activation memory at most 30% of Darknet's
// one buffer per layer) and logs planned vs. naive memory and CIO (the
// CSPNet paper's memory-traffic measure: Σ input+output sizes of the
// convolutional layers) for the benchmark models.
func TestMemoryPlan(t *testing.T) {
	for _, m := range benchModels {
		n, err := BuildFile(filepath.Join(repoRoot(t), m.cfg), &Options{Width: m.size, Height: m.size})
		if err != nil {
			t.Fatal(err)
		}
		if err := n.SyntheticWeights(1); err != nil {
			t.Fatal(err)
		}
		planned, naive := n.Memory()
		cio := 0
		for _, l := range n.Layers {
			if l.Type == "convolutional" {
				cio += l.In.Size() + l.Out.Size()
			}
		}
		ratio := float64(planned) / float64(naive)
		t.Logf("%s %d: planned %.2f MB, one buffer per layer %.2f MB (%.1f%%), CIO %.2f MB",
			m.name, m.size, float64(planned)/1e6, float64(naive)/1e6, 100*ratio, float64(cio)*4/1e6)
		if m.name == "csppeleenet-efm" && ratio > 0.30 {
			t.Errorf("%s: planned activation memory is %.1f%% of one buffer per layer, want at most 30%%", m.name, 100*ratio)
		}
	}
}
