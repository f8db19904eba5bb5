package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestRanges checks that GemmRange and ConvRange over a grid of rectangles
// (rows split at multiples of MR, columns anywhere) give GemmPacked's and
// Conv's output bit for bit, and allocate nothing once the workspace grew.
func TestRanges(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for _, info := range Implementations() {
		im := implMust(t, info.Name)
		for it := 0; it < 60; it++ {
			g := ConvGeom{
				Channels: 1 + r.IntN(6), Height: 1 + r.IntN(12), Width: 1 + r.IntN(30),
				KernelH: 1 + r.IntN(3), PadH: r.IntN(2), StrideH: 1 + r.IntN(2), DilationH: 1,
			}
			g.KernelW, g.PadW, g.StrideW, g.DilationW = g.KernelH, g.PadH, g.StrideH, g.DilationH
			m, k, n := 1+r.IntN(3*info.MR+2), g.K(), g.N()
			img := newBuffer(r, g.Channels*g.Height*g.Width, 0, true).data()
			w := newBuffer(r, m*k, 0, true).data()
			pa := packAWith(im, false, m, k, 1, w, k)
			ep := Epilogue{Act: Activation(r.IntN(int(numActivations))), Bias: newBuffer(r, m, 0, true).data()}
			col := make([]float32, k*n)
			Im2col(img, g.Channels, g.Height, g.Width, g.KernelH, g.KernelW, g.PadH, g.PadW,
				g.StrideH, g.StrideW, g.DilationH, g.DilationW, col)
			want := make([]float32, m*n)
			Conv(pa, img, g, want, max(n, 1), ep, 1)
			rowCut := min(m, info.MR*(1+r.IntN(2)))
			colCut := r.IntN(n + 1)
			var ws Workspace
			for _, conv := range []bool{true, false} {
				got := newBuffer(r, m*n, 0, true).data()
				run := func() {
					for _, rr := range [][2]int{{0, rowCut}, {rowCut, m}} {
						for _, cc := range [][2]int{{0, colCut}, {colCut, n}} {
							if conv {
								ConvRange(&ws, pa, img, &g, got, max(n, 1), &ep, rr[0], rr[1], cc[0], cc[1])
							} else {
								GemmRange(&ws, pa, n, col, max(n, 1), got, max(n, 1), &ep, rr[0], rr[1], cc[0], cc[1])
							}
						}
					}
				}
				run()
				what := fmt.Sprintf("%s conv=%v %+v m=%d cut %d,%d", info.Name, conv, g, m, rowCut, colCut)
				for i := range want {
					if !sameBits(got[i], want[i]) {
						t.Fatalf("%s: out[%d] = %v, Conv gives %v", what, i, got[i], want[i])
					}
				}
				if a := testing.AllocsPerRun(3, run); a != 0 {
					t.Fatalf("%s: %v allocations per run", what, a)
				}
			}
		}
	}
}
