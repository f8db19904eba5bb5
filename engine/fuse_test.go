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
