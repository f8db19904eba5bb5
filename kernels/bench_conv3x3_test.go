package kernels

import (
	"fmt"
	"testing"
	"time"

	"github.com/darkgo/darkgo/internal/cputime"
)

// BenchmarkConv3x3Tile times Conv3x3 alone per level on an L1-resident unit
// (16 or 64 channels of an 80- or 20-wide layout, 96 positions, leaky
// epilogue): the tile's own speed, without the engine's layout copy and
// copy-out. GFLOP/s by the process's CPU time.
func BenchmarkConv3x3Tile(b *testing.B) {
	for _, l := range opLevels(opConv3x3) {
		for _, s := range [][2]int{{16, 80}, {64, 20}} {
			nch, w := s[0], s[1]
			b.Run(fmt.Sprintf("%s/c%d-w%d", l, nch, w), func(b *testing.B) {
				wp := w + 2
				var taps [9]int
				for i := range taps {
					taps[i] = i/3*wp + i%3
				}
				const n = 96
				chs := taps[8] + n
				in := randSlice(nch*chs+Conv3x3Block, 1)
				wt := randSlice(nch*36, 2)
				bias := randSlice(4, 3)
				out := make([]float32, 4*n)
				b.ResetTimer()
				c0 := cputime.Process()
				for i := 0; i < b.N; i++ {
					conv3x3At(l, out, n, in, chs, &taps, wt, nch, n, bias, Conv3x3Leaky)
				}
				cpu := cputime.Process() - c0
				if cpu <= 0 {
					cpu = time.Duration(b.Elapsed())
				}
				b.ReportMetric(float64(b.N)*2*4*n*9*float64(nch)/cpu.Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
