package engine

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/darkgo/darkgo/internal/cputime"
	"github.com/darkgo/darkgo/kernels"
)

// BenchmarkKernelsAB compares two kernels implementations (DARKGO_AB,
// default "avx2,avx512") on the benchmark models, one thread, frames
// interleaved (A, B, A, B, ...), each on a network built (weights packed)
// under its implementation, with kernels.Select switched between frames,
// so the shared machine's load hits both alike; times are the thread's
// CPU time. It reports each side's median frame and
// the ratio A/B, and logs (b.N > 1) the median per layer kind (type and
// algorithm) both ways.
func BenchmarkKernelsAB(b *testing.B) {
	pair := strings.Split(os.Getenv("DARKGO_AB"), ",")
	if len(pair) != 2 {
		pair = []string{"avx2", "avx512"}
	}
	for _, name := range pair {
		if err := kernels.Select(name); err != nil {
			b.Skip(err)
		}
	}
	defer func() { _ = kernels.Select("") }()
	if cputime.Thread() == 0 {
		b.Skip("no thread CPU clock here")
	}
	for _, m := range benchModels {
		b.Run(fmt.Sprintf("%s-%d", m.name, m.size), func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var nets [2]*Net
			var sess [2]*Session
			var in []float32
			for i, name := range pair {
				if err := kernels.Select(name); err != nil {
					b.Fatal(err)
				}
				nets[i], sess[i], in = benchNetOpts(b, m.cfg, &Options{Width: m.size, Height: m.size, Threads: 1})
			}
			n := nets[0]
			L := len(n.Layers)
			var total [2][]time.Duration
			per := [2][][]time.Duration{make([][]time.Duration, L), make([][]time.Duration, L)}
			b.ResetTimer()
			for it := 0; it < b.N; it++ {
				for i, name := range pair {
					if err := kernels.Select(name); err != nil {
						b.Fatal(err)
					}
					total[i] = append(total[i], timedFrame(b, sess[i], in, per[i]))
				}
			}
			b.StopTimer()
			med := medianMs
			ta, tb := med(total[0]), med(total[1])
			b.ReportMetric(ta, pair[0]+"-ms")
			b.ReportMetric(tb, pair[1]+"-ms")
			b.ReportMetric(ta/tb, "ratio")
			if b.N == 1 {
				return
			}
			kind := map[string][2]float64{}
			for l, layer := range n.Layers {
				k := layer.Type
				if a := layer.Algorithm(); a != "" {
					k += "/" + a
				}
				v := kind[k]
				v[0] += med(per[0][l])
				v[1] += med(per[1][l])
				kind[k] = v
			}
			keys := make([]string, 0, len(kind))
			for k := range kind {
				keys = append(keys, k)
			}
			sort.Slice(keys, func(i, j int) bool { return kind[keys[i]][1] > kind[keys[j]][1] })
			for _, k := range keys {
				v := kind[k]
				b.Logf("%-28s %s %7.3f ms  %s %7.3f ms  %.2fx", k, pair[0], v[0], pair[1], v[1], v[0]/v[1])
			}
		})
	}
}
