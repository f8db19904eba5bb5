package kernels

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/darkgo/darkgo/internal/cputime"
)

// BenchmarkNarrowEdge measures the narrow edge kernels (registerNarrow):
// GemmPacked on shapes whose N leaves a partial last panel, with and
// without them, alternating call by call on one locked thread (thread CPU
// time), so the machine's load hits both alike; medians in GFLOP/s.
func BenchmarkNarrowEdge(b *testing.B) {
	im, err := implByName("avx512")
	if err != nil || len(im.narrow) == 0 {
		b.Skip("no narrow kernels here")
	}
	saved := im.narrow
	defer func() { im.narrow = saved }()
	// N = 16: the Winograd GEMMs of a 13×13 map (16 tiles), where the
	// narrow kernel writes C in place (edgeTile).
	for _, s := range [][3]int{{512, 169, 2304}, {255, 169, 512}, {512, 100, 4608}, {64, 100, 256}, {64, 400, 128}, {512, 16, 512}, {1024, 16, 512}} {
		m, n, k := s[0], s[1], s[2]
		b.Run(fmt.Sprintf("%dx%dx%d", m, n, k), func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			pa := packAWith(im, false, m, k, 1, randSlice(m*k, 1), k)
			bb, c := randSlice(k*n, 2), make([]float32, m*n)
			var t [2][]time.Duration
			for i := 0; i < b.N; i++ {
				for v := 0; v < 2; v++ {
					im.narrow = nil
					if v == 1 {
						im.narrow = saved
					}
					t0 := cputime.Thread()
					GemmPacked(pa, n, bb, n, c, n, Epilogue{}, 1)
					t[v] = append(t[v], cputime.Thread()-t0)
				}
			}
			med := func(d []time.Duration) float64 { slices.Sort(d); return d[len(d)/2].Seconds() }
			f := 2 * float64(m*n*k) / 1e9
			b.ReportMetric(f/med(t[0]), "full-GF/s")
			b.ReportMetric(f/med(t[1]), "narrow-GF/s")
		})
	}
}
