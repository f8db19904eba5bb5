package kernels

import (
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// peakKey names one measurement: the implementation whose loop ran and the
// number of threads that ran it at once.
type peakKey struct {
	impl    string
	threads int
}

var (
	peakRunMu sync.Mutex
	peakRuns  = map[peakKey]float64{}
)

// PeakGFLOPs measures one core's FMA throughput (GFLOP/s) with the active
// implementation's vector width; it is PeakGFLOPsThreads(1).
func PeakGFLOPs() float64 { return PeakGFLOPsThreads(1) }

// PeakGFLOPsThreads measures the FMA throughput (GFLOP/s) of threads
// threads running register-only, independent FMA chains in assembly at the
// same time, with the active implementation's vector width: 200 rounds in
// which every thread runs the loop once after a common start, the fastest
// quartile of the rounds (each from its first start to its last end). Measuring
// instead of multiplying one core's peak matters where threads share FMA
// units (SMT siblings, VMs whose vCPUs are hyperthreads of one core).
// threads is clamped to 1..GOMAXPROCS. About 30 ms per distinct thread
// count on a core of ~200 GFLOP/s, measured once per process and
// implementation. It returns 0 where there is no such loop (generic,
// purego).
func PeakGFLOPsThreads(threads int) float64 {
	threads = min(max(threads, 1), runtime.GOMAXPROCS(0))
	name := Name()
	peakRunMu.Lock()
	defer peakRunMu.Unlock()
	key := peakKey{name, threads}
	if p, ok := peakRuns[key]; ok {
		return p
	}
	p := 0.0
	if loop, ok := peakLoops[name]; ok {
		const iters, rounds = 1 << 15, 200
		if q := fastestQuartileRound(loop.fn, iters, threads, rounds); q > 0 {
			p = float64(loop.flops) * iters * float64(threads) / q.Seconds() / 1e9
		}
	}
	peakRuns[key] = p
	return p
}

// fastestQuartileRound runs fn(iters) on threads locked OS threads at once,
// rounds times; a spinning barrier starts every round on all threads
// together (a channel wake-up would cost more than the jitter we want to
// avoid). A round lasts from its first thread's start to its last thread's
// end, so a thread delayed after the barrier (the calls then not
// overlapping) makes the round longer instead of two solo runs. It returns
// the fastest quartile of the rounds.
func fastestQuartileRound(fn func(int), iters, threads, rounds int) time.Duration {
	type span struct{ start, end time.Duration }
	spans := make([][]span, threads)
	base := time.Now()
	var arrived atomic.Int64
	var wg sync.WaitGroup
	for g := range spans {
		spans[g] = make([]span, rounds)
		wg.Add(1)
		go func(s []span) {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for r := range s {
				arrived.Add(1)
				for arrived.Load() < int64((r+1)*threads) {
					runtime.Gosched()
				}
				s[r].start = time.Since(base)
				fn(iters)
				s[r].end = time.Since(base)
			}
		}(spans[g])
	}
	wg.Wait()
	round := make([]time.Duration, rounds)
	for r := range round {
		first, last := spans[0][r].start, spans[0][r].end
		for _, s := range spans[1:] {
			first, last = min(first, s[r].start), max(last, s[r].end)
		}
		round[r] = last - first
	}
	sort.Slice(round, func(i, j int) bool { return round[i] < round[j] })
	return round[len(round)/4]
}
