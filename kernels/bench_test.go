package kernels

import (
	"fmt"
	"github.com/darkgo/darkgo/internal/cputime"
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"
)

// Conv-shaped products (M = filters, N = out_h·out_w, K = c·k·k) from
// YOLO-style networks, plus squares.
var benchShapes = [][3]int{
	{64, 10816, 288}, {128, 2704, 576}, {256, 676, 1152}, {512, 169, 2304},
	{255, 169, 512}, {32, 40000, 27},
	{256, 256, 256}, {512, 512, 512}, {1024, 1024, 1024},
}

func randSlice(n int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 7))
	s := make([]float32, n)
	for i := range s {
		s[i] = r.Float32()*2 - 1
	}
	return s
}

// BenchmarkSgemm measures Sgemm (A packed on every call, like a BLAS
// sgemm) per implementation, shape and thread count. Names are
// BenchmarkSgemm/<impl>/<M>x<N>x<K>/t<threads>; the GFLOP/s metric
// counts 2·M·N·K per call.
func BenchmarkSgemm(b *testing.B) {
	for _, info := range Implementations() {
		im := implMust(b, info.Name)
		for _, s := range benchShapes {
			m, n, k := s[0], s[1], s[2]
			for _, threads := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/%dx%dx%d/t%d", info.Name, m, n, k, threads), func(b *testing.B) {
					a, bb, c := randSlice(m*k, 1), randSlice(k*n, 2), make([]float32, m*n)
					b.ResetTimer()
					c0 := cputime.Process()
					for i := 0; i < b.N; i++ {
						sgemmWith(im, threads, false, false, m, n, k, 1, a, k, bb, n, 0, c, n)
					}
					reportGFLOPS(b, info.Name, m, n, k, cputime.Process()-c0)
				})
			}
		}
	}
}

// BenchmarkGemmPacked is the engine's path: weights packed once, leaky
// epilogue fused.
func BenchmarkGemmPacked(b *testing.B) {
	for _, info := range Implementations() {
		im := implMust(b, info.Name)
		for _, s := range benchShapes[:6] {
			m, n, k := s[0], s[1], s[2]
			for _, threads := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/%dx%dx%d/t%d", info.Name, m, n, k, threads), func(b *testing.B) {
					pa := packAWith(im, false, m, k, 1, randSlice(m*k, 1), k)
					bb, c := randSlice(k*n, 2), make([]float32, m*n)
					bias := randSlice(m, 3)
					b.ResetTimer()
					c0 := cputime.Process()
					for i := 0; i < b.N; i++ {
						GemmPacked(pa, n, bb, n, c, n, Epilogue{Bias: bias, Act: Leaky}, threads)
					}
					reportGFLOPS(b, info.Name, m, n, k, cputime.Process()-c0)
				})
			}
		}
	}
}

// reportGFLOPS reports wall-clock GFLOP/s (the mechanically comparable
// number) and, from the process CPU time cpu the loop used, GFLOP per
// CPU-second and that as a percentage of the per-core FMA peak measured
// in the same process ("%peak"): on a shared machine the wall-clock
// number mostly measures the other jobs.
func reportGFLOPS(b *testing.B, name string, m, n, k int, cpu time.Duration) {
	flops := 2 * float64(m) * float64(n) * float64(k) * float64(b.N)
	if sec := b.Elapsed().Seconds(); sec > 0 {
		b.ReportMetric(flops/sec/1e9, "GFLOP/s")
	}
	if cpu > 0 {
		rate := flops / cpu.Seconds() / 1e9
		b.ReportMetric(rate, "GFLOP/cpu-s")
		if p := corePeak(name); p > 0 {
			b.ReportMetric(100*rate/p, "%peak")
		}
	}
}

var (
	peakMu    sync.Mutex
	peakCache = map[string]float64{}
)

// corePeak measures one core's FMA peak for an implementation's vector
// width: the fastest quartile of many short runs of the peak loop timed
// with thread CPU time (0 if unknown).
func corePeak(name string) float64 {
	peakMu.Lock()
	defer peakMu.Unlock()
	if p, ok := peakCache[name]; ok {
		return p
	}
	loop, ok := peakLoops[name]
	if !ok || cputime.Thread() == 0 {
		return 0
	}
	const iters = 1 << 15
	runtime.LockOSThread()
	var ts []time.Duration
	for i := 0; i < 200; i++ {
		c0 := cputime.Thread()
		loop.fn(iters)
		ts = append(ts, cputime.Thread()-c0)
	}
	runtime.UnlockOSThread()
	sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	p := float64(loop.flops) * iters / ts[len(ts)/4].Seconds() / 1e9
	peakCache[name] = p
	return p
}

// BenchmarkPeakFMA measures the machine's FMA throughput with independent
// register-only FMA chains in assembly, on 1 and 2 goroutines, so GEMM
// results can be stated as a percentage of peak.
func BenchmarkPeakFMA(b *testing.B) {
	for _, info := range Implementations() {
		loop, ok := peakLoops[info.Name]
		if !ok {
			continue
		}
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/t%d", info.Name, threads), func(b *testing.B) {
				const iters = 1 << 16
				for i := 0; i < b.N; i++ {
					var wg sync.WaitGroup
					for t := 0; t < threads; t++ {
						wg.Add(1)
						go func() { defer wg.Done(); loop.fn(iters) }()
					}
					wg.Wait()
				}
				sec := b.Elapsed().Seconds()
				b.ReportMetric(float64(loop.flops)*iters*float64(threads)*float64(b.N)/sec/1e9, "GFLOP/s")
				b.ReportMetric(corePeak(info.Name), "core-GFLOP/cpu-s")
			})
		}
	}
}

// BenchmarkConv3x3 compares a 3×3 stride-1 convolution (layer 128→256
// channels at 52×52, as in YOLOv3/v4) done as Im2col + GemmPacked, as the
// fused Conv, and as GemmPacked alone on a ready column matrix (the bound).
func BenchmarkConv3x3(b *testing.B) {
	const c, h, w, filters = 128, 52, 52, 256
	m, n, k := filters, h*w, c*9
	for _, info := range Implementations() {
		im := implMust(b, info.Name)
		pa := packAWith(im, false, m, k, 1, randSlice(m*k, 1), k)
		img := randSlice(c*h*w, 2)
		col := make([]float32, k*n)
		out := make([]float32, m*n)
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/im2col+gemm/t%d", info.Name, threads), func(b *testing.B) {
				c0 := cputime.Process()
				for i := 0; i < b.N; i++ {
					Im2col(img, c, h, w, 3, 3, 1, 1, 1, 1, 1, 1, col)
					GemmPacked(pa, n, col, n, out, n, Epilogue{Act: Leaky}, threads)
				}
				reportGFLOPS(b, info.Name, m, n, k, cputime.Process()-c0)
			})
			b.Run(fmt.Sprintf("%s/conv/t%d", info.Name, threads), func(b *testing.B) {
				g := ConvGeom{Channels: c, Height: h, Width: w, KernelH: 3, KernelW: 3, PadH: 1, PadW: 1,
					StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1}
				c0 := cputime.Process()
				for i := 0; i < b.N; i++ {
					Conv(pa, img, g, out, n, Epilogue{Act: Leaky}, threads)
				}
				reportGFLOPS(b, info.Name, m, n, k, cputime.Process()-c0)
			})
			b.Run(fmt.Sprintf("%s/gemm/t%d", info.Name, threads), func(b *testing.B) {
				Im2col(img, c, h, w, 3, 3, 1, 1, 1, 1, 1, 1, col)
				b.ResetTimer()
				c0 := cputime.Process()
				for i := 0; i < b.N; i++ {
					GemmPacked(pa, n, col, n, out, n, Epilogue{Act: Leaky}, threads)
				}
				reportGFLOPS(b, info.Name, m, n, k, cputime.Process()-c0)
			})
		}
	}
}

// BenchmarkMicrokernel runs one full tile with L1-resident panels: the
// upper bound the blocked driver can approach.
func BenchmarkMicrokernel(b *testing.B) {
	for _, info := range Implementations() {
		im := implMust(b, info.Name)
		const k = 256
		a, bb := randSlice(k*im.mr, 1), randSlice(k*im.nr, 2)
		c := make([]float32, im.mr*im.nr)
		b.Run(info.Name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				im.kernel(k, &a[0], &bb[0], &c[0], im.nr, 0)
			}
			sec := b.Elapsed().Seconds()
			b.ReportMetric(2*float64(k*im.mr*im.nr)*float64(b.N)/sec/1e9, "GFLOP/s")
		})
	}
}
