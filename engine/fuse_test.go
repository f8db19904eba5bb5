package engine

import (
	"fmt"
	"math"
	"testing"
)

// TestFusedPoolBits checks the fused convolution + maxpool step (fuse.go)
// against the two layers run one after the other: the pooled output and
// the network's output have the same bits, at 1 to 3 threads, for the
// direct 3×3 path (4 to 32 filters, a last block of 4, more channels than
// one channel block, activations inside and after the kernel, even and odd
// sizes: partial windows at the right and bottom edges, a single row) and
// the 1×1 GEMM path (large outputs only), on inputs with NaN and signed
// zeros. fastVsRef then compares every layer with the reference forward
// (the pool bit for bit). Pools that cannot be fused stay separate.
func TestFusedPoolBits(t *testing.T) {
	conv3 := func(filters, pad int, act string) string {
		return fmt.Sprintf("[convolutional]\nfilters=%d\nsize=3\nstride=1\npadding=%d\nactivation=%s\n", filters, pad, act)
	}
	conv1 := func(filters int, act string) string {
		return fmt.Sprintf("[convolutional]\nbatch_normalize=1\nfilters=%d\nsize=1\nstride=1\npad=0\nactivation=%s\n", filters, act)
	}
	pool := "[maxpool]\nsize=2\nstride=2\n"
	tail := "[convolutional]\nfilters=4\nsize=1\nstride=1\nactivation=linear\n"
	direct := haveConvDirect()
	for _, tc := range []struct {
		name, text string
		fused      bool // layer at is fused with layer at+1
		at         int
	}{
		{"direct-16-even", netText(3, 20, 26) + conv3(16, 0, "leaky") + pool + tail, direct, 0},
		{"direct-8-odd", netText(3, 21, 19) + conv3(8, 1, "leaky") + pool + tail, direct, 0},
		{"direct-12-pad2", netText(2, 9, 31) + conv3(12, 2, "linear") + pool + tail, direct, 0},
		{"direct-4-mish", netText(1, 13, 14) + conv3(4, 1, "mish") + pool + tail, direct, 0},
		{"direct-32-relu", netText(3, 11, 60) + conv3(32, 1, "relu") + pool + tail, direct, 0},
		{"direct-130ch", netText(130, 7, 9) + conv3(8, 1, "logistic") + pool + tail, direct, 0},
		// Many channels: bands of one pooled row on one thread too.
		{"direct-300ch-bands", netText(300, 20, 30) + conv3(8, 1, "leaky") + pool + tail, direct, 0},
		{"direct-one-row", netText(3, 1, 27) + conv3(8, 1, "leaky") + pool + tail, direct, 0},
		{"direct-pool-padding0", netText(3, 15, 17) + conv3(16, 1, "leaky") + "[maxpool]\nsize=2\nstride=2\npadding=0\n" + tail, direct, 0},
		{"gemm-16-odd", netText(5, 259, 255) + conv1(16, "leaky") + pool + tail, true, 0},
		{"gemm-20-even", netText(3, 230, 230) + conv1(20, "linear") + pool + tail, true, 0},
		// The pool's output may reuse the storage of the convolution's
		// input (a layer whose last reader is the convolution) unless the
		// plan keeps that alive through the fused pair.
		{"gemm-after-layer", netText(3, 259, 255) + conv1(16, "leaky") + conv1(16, "leaky") + pool + tail, true, 1},
		{"direct-after-layer", netText(3, 30, 34) + conv1(16, "leaky") + conv3(16, 1, "leaky") + pool + tail, direct, 1},
		{"gemm-small", netText(5, 52, 52) + conv1(16, "leaky") + pool + tail, false, 0},
		{"pool-padding2", netText(3, 12, 14) + conv3(8, 1, "leaky") + "[maxpool]\nsize=2\nstride=2\npadding=2\n" + tail, false, 0},
		{"pool-stride1", netText(3, 12, 14) + conv3(8, 1, "leaky") + "[maxpool]\nsize=2\nstride=1\n" + tail, false, 0},
		{"conv-read-twice", netText(3, 12, 14) + conv3(8, 1, "leaky") + pool + "[route]\nlayers=-2\n" + tail, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := mustBuild(t, tc.text)
			if err := n.SyntheticWeights(7); err != nil {
				t.Fatal(err)
			}
			in := specialRamp(n.Input.Size())
			last := len(n.Layers) - 1
			for _, threads := range []int{1, 2, 3} {
				run := func(fusion bool) (pooled, out []float32) {
					s := poisonedSession(t, n, threads)
					s.SetFusion(fusion)
					poison(s)
					if s.Fused(tc.at) != (fusion && tc.fused) {
						t.Fatalf("%d threads, fusion %v: Fused(%d) = %v (algorithm %q)", threads, fusion, tc.at, s.Fused(tc.at), n.Layers[tc.at].Algorithm())
					}
					copy(s.Input(), in)
					if err := s.ForwardUpTo(len(n.Layers), nil); err != nil {
						t.Fatal(err)
					}
					return append([]float32(nil), s.Output(tc.at+1)...), append([]float32(nil), s.Output(last)...)
				}
				fp, fo := run(true)
				up, uo := run(false)
				for _, c := range []struct {
					what      string
					got, want []float32
				}{{"pooled", fp, up}, {"output", fo, uo}} {
					for j := range c.want {
						if math.Float32bits(c.got[j]) != math.Float32bits(c.want[j]) {
							t.Fatalf("%d threads: %s value %d: fused %v, unfused %v", threads, c.what, j, c.got[j], c.want[j])
						}
					}
				}
			}
			if tc.fused && n.Input.Size() < 1<<16 {
				fastVsRef(t, tc.text, true)
			}
		})
	}
}

// specialRamp is ramp(n) with NaN, infinities and signed zeros sprinkled
// in pairs, so pooling windows see ties of ±0 and NaN next to numbers.
func specialRamp(n int) []float32 {
	sp := ramp(n)
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}
	for i := 3; i < n; i += 13 {
		sp[i] = special[(i/13)%len(special)]
		if i+1 < n {
			sp[i+1] = special[(i/13+1)%len(special)]
		}
	}
	for i := 7; i+1 < n; i += 29 {
		sp[i], sp[i+1] = float32(math.Copysign(0, -1)), 0
	}
	return sp
}

// TestLeanPlan: a fused convolution's output gets no arena space (its
// session is smaller by that much, Net.Memory says so, its Output is
// empty), and a session moves to the full plan when a fused layer must
// run alone: SetFusion(false), or a pass that ends between the pair,
// whose last Output then has the unfused values; a full session with
// fusion back on gives the same bits.
func TestLeanPlan(t *testing.T) {
	conv1 := "[convolutional]\nbatch_normalize=1\nfilters=16\nsize=1\nstride=1\npad=0\nactivation=leaky\n"
	text := netText(3, 259, 255) + conv1 + conv1 + "[maxpool]\nsize=2\nstride=2\n" +
		"[convolutional]\nfilters=4\nsize=1\nstride=1\nactivation=linear\n"
	const at = 1 // layer 1 is fused with the pool (layer 2)
	n := mustBuild(t, text)
	if err := n.SyntheticWeights(3); err != nil {
		t.Fatal(err)
	}
	if !n.plan.fuse[at] || n.plan == n.fullPlan {
		t.Fatalf("layer %d is not fused", at)
	}
	saved := n.fullPlan.arena - n.plan.arena
	if saved < n.Layers[at].Outputs/2 {
		t.Fatalf("lean arena %d floats, full %d: the fused output (%d) is still stored", n.plan.arena, n.fullPlan.arena, n.Layers[at].Outputs)
	}
	if planned, _ := n.Memory(); planned != int64(n.plan.arena)*4 {
		t.Fatalf("Memory() = %d bytes, lean arena %d floats", planned, n.plan.arena)
	}
	in := specialRamp(n.Input.Size())
	pass := func(s *Session, end int) []float32 {
		copy(s.Input(), in)
		if err := s.ForwardUpTo(end, nil); err != nil {
			t.Fatal(err)
		}
		return append([]float32(nil), s.Output(end-1)...)
	}
	same := func(what string, got, want []float32) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
		}
		for j := range want {
			if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
				t.Fatalf("%s: value %d = %v, want %v", what, j, got[j], want[j])
			}
		}
	}
	for _, threads := range []int{1, 2} {
		ref := poisonedSession(t, n, threads)
		ref.SetFusion(false)
		poison(ref)
		if len(ref.arena) != n.fullPlan.arena {
			t.Fatalf("SetFusion(false): arena %d floats, want the full plan's %d", len(ref.arena), n.fullPlan.arena)
		}
		wantConv := pass(ref, at+1)
		wantOut := pass(ref, len(n.Layers))

		s := poisonedSession(t, n, threads)
		if len(s.arena) != n.plan.arena || len(s.Output(at)) != 0 {
			t.Fatalf("new session: arena %d floats (lean plan %d), Output(%d) has %d values", len(s.arena), n.plan.arena, at, len(s.Output(at)))
		}
		same("lean fused pass", pass(s, len(n.Layers)), wantOut)
		// A pass ending between the pair runs the convolution alone.
		got := pass(s, at+1)
		if len(s.arena) != n.fullPlan.arena {
			t.Fatalf("pass ending at the fused layer: arena %d floats, want %d", len(s.arena), n.fullPlan.arena)
		}
		same("convolution run alone", got, wantConv)
		if !s.Fused(at) {
			t.Fatal("the full session stopped fusing")
		}
		poison(s)
		same("full fused pass", pass(s, len(n.Layers)), wantOut)
	}
}
