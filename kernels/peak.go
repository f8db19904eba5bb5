package kernels

import (
	"runtime"
	"sort"
	"sync"
	"time"
)

var (
	peakOnce  sync.Once
	peakValue float64
)

// PeakGFLOPs measures one core's FMA throughput (GFLOP/s) with the active
// implementation's vector width: register-only, independent FMA chains in
// assembly, the fastest quartile of 200 short runs (about 20 ms in all,
// once per process). It returns 0 where there is no such loop (generic,
// purego). Reports state speed as a percentage of this × threads.
func PeakGFLOPs() float64 {
	peakOnce.Do(func() {
		loop, ok := peakLoops[Name()]
		if !ok {
			return
		}
		const iters = 1 << 15
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		ts := make([]time.Duration, 0, 200)
		for i := 0; i < 200; i++ {
			t0 := time.Now()
			loop.fn(iters)
			ts = append(ts, time.Since(t0))
		}
		sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
		if q := ts[len(ts)/4]; q > 0 {
			peakValue = float64(loop.flops) * iters / q.Seconds() / 1e9
		}
	})
	return peakValue
}
