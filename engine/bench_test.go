package engine

import (
	"fmt"
	"github.com/darkgo/darkgo/internal/cputime"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// benchModels are the networks BenchmarkForward and BenchmarkLayers time.
var benchModels = []struct {
	name, cfg string
	size      int
}{
	{"yolov4-tiny", "testdata/darknetcfg/yolov4-tiny.cfg", 416},
	{"yolov3-tiny", "testdata/darknetcfg/yolov3-tiny.cfg", 416},
	{"csppeleenet-efm", "cfg/csppeleenet-efm.cfg", 320},
}

// benchNet builds a benchmark model with synthetic weights and a session.
func benchNet(b *testing.B, cfg string, size, threads int) (*Net, *Session, []float32) {
	b.Helper()
	return benchNetOpts(b, cfg, &Options{Width: size, Height: size, Threads: threads})
}

func benchNetOpts(b *testing.B, cfg string, opts *Options) (*Net, *Session, []float32) {
	b.Helper()
	n, err := BuildFile(filepath.Join(repoRoot(b), cfg), opts)
	if err != nil {
		b.Fatal(err)
	}
	if err := n.SyntheticWeights(1); err != nil {
		b.Fatal(err)
	}
	s, err := n.NewSession()
	if err != nil {
		b.Fatal(err)
	}
	in := make([]float32, n.Input.Size())
	for i := range in {
		in[i] = float32(i%251) / 251
	}
	return n, s, in
}

// BenchmarkForward times a whole forward pass (fast path, synthetic
// weights) of real Darknet cfgs, reporting GFLOP/s by Darknet's count. The
// machine is shared, so besides the mean (ns/op) it reports the median
// frame time, which one slow frame does not move.
func BenchmarkForward(b *testing.B) {
	for _, m := range benchModels {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s-%d/t%d", m.name, m.size, threads), func(b *testing.B) {
				n, s, in := benchNet(b, m.cfg, m.size, threads)
				if err := s.Forward(in); err != nil { // warm-up: pool workers, caches
					b.Fatal(err)
				}
				times := make([]time.Duration, 0, b.N)
				cpu0 := cputime.Process()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					t0 := time.Now()
					if err := s.Forward(in); err != nil {
						b.Fatal(err)
					}
					times = append(times, time.Since(t0))
				}
				b.StopTimer()
				cpu := (cputime.Process() - cpu0).Seconds() / float64(b.N)
				slices.Sort(times)
				med := times[len(times)/2].Seconds()
				b.ReportMetric(n.BFLOPs()/med, "GFLOP/s")
				b.ReportMetric(med*1e3, "ms/frame")
				b.ReportMetric(1/med, "fps")
				// CPU time per frame: the work done, whatever else runs on
				// the machine (it includes the pool's hand-off costs).
				b.ReportMetric(cpu*1e3, "cpu-ms/frame")
			})
		}
	}
}

// BenchmarkLayers prints a per-layer profile (median time of each layer
// over b.N frames, sorted by time) for each benchmark model; with
// DARKGO_PROFILE_ALL=1 it lists every layer, else the top 25. With one
// thread every layer runs on the calling goroutine, so it is timed by the
// thread's CPU clock, which other jobs on the machine do not disturb; with
// more, by the wall clock.
func BenchmarkLayers(b *testing.B) {
	for _, m := range benchModels {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s-%d/t%d", m.name, m.size, threads), func(b *testing.B) {
				n, s, in := benchNet(b, m.cfg, m.size, threads)
				L := len(n.Layers)
				per := make([][]time.Duration, L)
				clock := func() time.Duration { return time.Duration(time.Now().UnixNano()) }
				if threads == 1 && cputime.Thread() != 0 {
					runtime.LockOSThread()
					defer runtime.UnlockOSThread()
					clock = cputime.Thread
				}
				b.ResetTimer()
				for it := 0; it < b.N; it++ {
					copy(s.Input(), in)
					t := clock()
					if err := s.ForwardUpTo(L, func(i int) {
						now := clock()
						per[i] = append(per[i], now-t)
						t = now
					}); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				type row struct {
					i   int
					med time.Duration
				}
				rows := make([]row, L)
				var total time.Duration
				byType := map[string]time.Duration{}
				for i := range per {
					slices.Sort(per[i])
					rows[i] = row{i, per[i][len(per[i])/2]}
					total += rows[i].med
					byType[n.Layers[i].Type] += rows[i].med
				}
				sort.Slice(rows, func(a, c int) bool { return rows[a].med > rows[c].med })
				var sb strings.Builder
				fmt.Fprintf(&sb, "%s %d threads: Σ layer medians %.2f ms\n", m.name, threads, total.Seconds()*1e3)
				types := make([]string, 0, len(byType))
				for t := range byType {
					types = append(types, t)
				}
				sort.Slice(types, func(a, c int) bool { return byType[types[a]] > byType[types[c]] })
				for _, t := range types {
					fmt.Fprintf(&sb, "  %-14s %7.2f ms %5.1f%%\n", t, byType[t].Seconds()*1e3, 100*byType[t].Seconds()/total.Seconds())
				}
				limit := 25
				if os.Getenv("DARKGO_PROFILE_ALL") != "" {
					limit = L
				}
				for _, r := range rows[:min(limit, L)] {
					l := n.Layers[r.i]
					ms := r.med.Seconds() * 1e3
					gf := 0.0
					if ms > 0 {
						gf = l.BFLOPs / r.med.Seconds()
					}
					fmt.Fprintf(&sb, "  %3d %-22s %4dx%4dx%4d -> %4dx%4dx%4d %7.3f BF %7.3f ms %6.1f GF/s %5.1f%%\n",
						r.i, l.Name, l.In.C, l.In.H, l.In.W, l.Out.C, l.Out.H, l.Out.W, l.BFLOPs, ms, gf, 100*r.med.Seconds()/total.Seconds())
				}
				if b.N > 1 { // the harness first runs b.N = 1 (cold)
					fmt.Print(sb.String()) // b.Log truncates long output
				}
			})
		}
	}
}

// BenchmarkWinograd times each benchmark model with and without the
// Winograd convolutions (Options.Exact), one thread, the two sessions
// alternating frame by frame and timed by the thread's CPU clock, so that
// the machine's load hits both alike. It reports the median frame of each
// and their ratio, and logs (-v, b.N > 1) each Winograd layer's median
// both ways.
// With DARKGO_WINO_ALL=1 every 3×3 stride-1 layer is eligible (the
// thresholds of useWinograd off), to see where the path loses.
func BenchmarkWinograd(b *testing.B) {
	if os.Getenv("DARKGO_WINO_ALL") == "1" {
		defer func(c, f, t int, u float64) {
			winoMinChannels, winoMinFilters, winoMinTiles, winoMinUse = c, f, t, u
		}(winoMinChannels, winoMinFilters, winoMinTiles, winoMinUse)
		winoMinChannels, winoMinFilters, winoMinTiles, winoMinUse = 1, 1, 1, 0
	}
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
			for i, exact := range []bool{true, false} {
				nets[i], sess[i], in = benchNetOpts(b, m.cfg, &Options{Width: m.size, Height: m.size, Threads: 1, Exact: exact})
			}
			L := len(nets[0].Layers)
			var total [2][]time.Duration
			per := [2][][]time.Duration{make([][]time.Duration, L), make([][]time.Duration, L)}
			b.ResetTimer()
			for it := 0; it < b.N; it++ {
				for i, s := range sess {
					total[i] = append(total[i], timedFrame(b, s, in, per[i]))
				}
			}
			b.StopTimer()
			med := medianMs
			exact, wino := med(total[0]), med(total[1])
			b.ReportMetric(exact, "exact-ms")
			b.ReportMetric(wino, "winograd-ms")
			b.ReportMetric(exact/wino, "speedup")
			for l, layer := range nets[1].Layers {
				if b.N == 1 || layer.Algorithm() != "winograd" { // not for the N=1 probe
					continue
				}
				c := layer.op.(*convolutional)
				e, w := med(per[0][l]), med(per[1][l])
				b.Logf("layer %3d %4d -> %4d filters at %3dx%-3d: %s %.3f ms, winograd %.3f ms: %.2fx",
					l, c.in.C, c.filters, c.out.W, c.out.H, nets[0].Layers[l].Algorithm(), e, w, e/w)
			}
		})
	}
}

// timedFrame runs one forward pass of s on in, timed by the thread's CPU
// clock (the caller locks its OS thread), appending each layer's time to
// per[l] (one entry per layer); it returns the whole frame's.
func timedFrame(b *testing.B, s *Session, in []float32, per [][]time.Duration) time.Duration {
	copy(s.Input(), in)
	start := cputime.Thread()
	t := start
	if err := s.ForwardUpTo(len(per), func(l int) {
		now := cputime.Thread()
		per[l] = append(per[l], now-t)
		t = now
	}); err != nil {
		b.Fatal(err)
	}
	return t - start
}

// medianMs is the median of d in milliseconds (d is sorted in place).
func medianMs(d []time.Duration) float64 {
	slices.Sort(d)
	return d[len(d)/2].Seconds() * 1e3
}
