package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestConv checks Conv is bit-for-bit Im2col + GemmPacked for every
// implementation, over random geometries (padding wider than the kernel,
// strides, dilation, 1×1, empty outputs), thread counts and epilogues.
func TestConv(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	for _, info := range Implementations() {
		im := implMust(t, info.Name)
		for it := 0; it < 150; it++ {
			g := ConvGeom{
				Channels: 1 + r.IntN(5), Height: 1 + r.IntN(14), Width: 1 + r.IntN(40),
				KernelH: 1 + r.IntN(3), KernelW: 1 + r.IntN(3),
				PadH: r.IntN(3), PadW: r.IntN(3), StrideH: 1 + r.IntN(2), StrideW: 1 + r.IntN(3),
				DilationH: 1 + r.IntN(2), DilationW: 1 + r.IntN(2),
			}
			if it%4 == 0 {
				g.KernelW, g.PadW, g.StrideW, g.DilationW = g.KernelH, g.PadH, g.StrideH, g.DilationH
			}
			if it%3 == 0 {
				// K ≥ 64: long enough K blocks for the direct-kernel path.
				g.Channels, g.KernelH, g.KernelW = 8+r.IntN(9), 3, 3
			}
			m, k, n := 1+r.IntN(2*info.MR+3), g.K(), g.N()
			img := newBuffer(r, g.Channels*g.Height*g.Width, r.IntN(4), true)
			w := newBuffer(r, m*k, 0, true).data()
			pa := packAWith(im, false, m, k, 1, w, k)
			ldc := n + r.IntN(3)
			got := newBuffer(r, stridedLen(m, n, ldc), r.IntN(4), true)
			want := append([]float32(nil), got.data()...)
			ep := Epilogue{Act: Activation(r.IntN(int(numActivations))), Accumulate: r.IntN(2) == 1}
			if r.IntN(2) == 1 {
				ep.Bias = newBuffer(r, m, 0, true).data()
			}
			col := make([]float32, k*n)
			Im2col(img.data(), g.Channels, g.Height, g.Width, g.KernelH, g.KernelW, g.PadH, g.PadW,
				g.StrideH, g.StrideW, g.DilationH, g.DilationW, col)
			threads := 1 + r.IntN(3)
			GemmPacked(pa, n, col, max(n, 1), want, ldc, ep, threads)
			img.snapshot()
			Conv(pa, img.data(), g, got.data(), ldc, ep, threads)
			what := fmt.Sprintf("%s %+v m=%d act=%v", info.Name, g, m, ep.Act)
			got.checkGuards(t, what)
			img.checkUntouched(t, what)
			for i := range want {
				if !sameBits(got.data()[i], want[i]) {
					t.Fatalf("%s: out[%d] = %v, Im2col+GemmPacked gives %v", what, i, got.data()[i], want[i])
				}
			}
		}
	}
}
