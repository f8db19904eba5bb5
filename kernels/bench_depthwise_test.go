package kernels

import (
	"fmt"
	"testing"

	"github.com/darkgo/darkgo/internal/cputime"
)

// BenchmarkDepthwise measures Depthwise per level on the bundled face
// model's depthwise layers (3×3/1, pad 1), a stride-2 and a 5×5 layer, one
// thread. GFLOP/s counts 2·k·k per output; GB/s the input and output
// planes read and written once (the least any implementation moves).
func BenchmarkDepthwise(b *testing.B) {
	shapes := []struct{ c, h, w, k, s int }{
		{16, 207, 207, 3, 1}, {32, 104, 104, 3, 1}, {64, 52, 52, 3, 1}, {128, 26, 26, 3, 1}, {256, 13, 13, 3, 1},
		{64, 104, 104, 3, 2}, {96, 52, 52, 5, 1},
	}
	for _, l := range opLevels(opDepthwise) {
		for _, sh := range shapes {
			g := ConvGeom{Channels: sh.c, Height: sh.h, Width: sh.w, KernelH: sh.k, KernelW: sh.k,
				PadH: sh.k / 2, PadW: sh.k / 2, StrideH: sh.s, StrideW: sh.s, DilationH: 1, DilationW: 1}
			name := fmt.Sprintf("%s/%dx%dx%d_k%d_s%d", l, sh.h, sh.w, sh.c, sh.k, sh.s)
			b.Run(name, func(b *testing.B) {
				in := randSlice(sh.c*sh.h*sh.w, 1)
				out := make([]float32, sh.c*g.OutH()*g.OutW())
				wt, bias := randSlice(sh.c*sh.k*sh.k, 2), randSlice(sh.c, 3)
				ws := new(Workspace)
				b.ResetTimer()
				c0 := cputime.Process()
				for i := 0; i < b.N; i++ {
					depthwiseAt(l, ws, out, in, &g, wt, bias, Linear, 0, sh.c)
				}
				cpu := cputime.Process() - c0
				outs := float64(len(out)) * float64(b.N)
				bytes := 4 * float64(len(in)+len(out)) * float64(b.N)
				if sec := b.Elapsed().Seconds(); sec > 0 {
					b.ReportMetric(2*float64(sh.k*sh.k)*outs/sec/1e9, "GFLOP/s")
					b.ReportMetric(bytes/sec/1e9, "GB/s")
				}
				if cpu > 0 {
					b.ReportMetric(2*float64(sh.k*sh.k)*outs/cpu.Seconds()/1e9, "GFLOP/cpu-s")
				}
			})
		}
	}
}
