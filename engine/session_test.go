package engine

import (
	"math"
	"testing"
)

// checkSession runs the fast path on input with the given thread count and
// compares every layer, right after it ran, with the reference outputs. The
// arena is poisoned with NaN first, so a layer that reads stale memory or
// leaves part of its output unwritten is caught.
func checkSession(t *testing.T, n *Net, input []float32, ref [][]float32, threads int, tol float64) {
	t.Helper()
	s, err := n.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	s.SetThreads(threads)
	for i := range s.arena {
		s.arena[i] = float32(math.NaN())
	}
	copy(s.Input(), input)
	bad := 0
	if err := s.ForwardUpTo(len(n.Layers), func(i int) {
		got := s.Output(i)
		if e := relL2Err(got, ref[i]); !(e <= tol) && bad < 5 {
			bad++
			t.Errorf("session (%d threads): layer %d %s: relative L2 error %.3g vs reference (limit %g)", threads, i, n.Layers[i].Name, e, tol)
		}
	}); err != nil {
		t.Fatal(err)
	}
	// Output layers must still hold their values after the whole pass.
	for _, i := range n.OutputLayers() {
		if e := relL2Err(s.Output(i), ref[i]); !(e <= tol) {
			t.Errorf("session (%d threads): output layer %d %s overwritten after the pass: error %.3g", threads, i, n.Layers[i].Name, e)
		}
	}
}
