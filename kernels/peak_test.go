package kernels

import (
	"math"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// TestPeakGFLOPsThreads checks the peak probe's plumbing for every
// implementation (no speed is asserted): positive and finite where there is
// a peak loop, 0 where there is none, the thread count clamped to
// 1..GOMAXPROCS and each (implementation, threads) measured once.
func TestPeakGFLOPsThreads(t *testing.T) {
	defer active.Store(current())
	procs := runtime.GOMAXPROCS(0)
	for _, im := range Implementations() {
		if err := Select(im.Name); err != nil {
			t.Fatal(err)
		}
		_, hasLoop := peakLoops[im.Name]
		for _, threads := range []int{1, 2, procs} {
			p := PeakGFLOPsThreads(threads)
			if hasLoop != (p > 0) || math.IsInf(p, 0) || math.IsNaN(p) {
				t.Errorf("%s: PeakGFLOPsThreads(%d) = %v (peak loop: %v)", im.Name, threads, p, hasLoop)
			}
			if again := PeakGFLOPsThreads(threads); again != p {
				t.Errorf("%s: PeakGFLOPsThreads(%d) measured twice: %v, %v", im.Name, threads, p, again)
			}
		}
		if a, b := PeakGFLOPs(), PeakGFLOPsThreads(1); a != b {
			t.Errorf("%s: PeakGFLOPs() = %v, PeakGFLOPsThreads(1) = %v", im.Name, a, b)
		}
		if a, b := PeakGFLOPsThreads(0), PeakGFLOPsThreads(1); a != b {
			t.Errorf("%s: 0 threads not clamped to 1: %v vs %v", im.Name, a, b)
		}
		if a, b := PeakGFLOPsThreads(procs+3), PeakGFLOPsThreads(procs); a != b {
			t.Errorf("%s: %d threads not clamped to GOMAXPROCS %d: %v vs %v", im.Name, procs+3, procs, a, b)
		}
	}
}

// TestFastestQuartileRound checks the concurrent rounds: every thread runs
// every round, no call of round r starts before all calls of round r-1
// have finished (the barrier), and a round lasts at least its longest call
// (the last call to start in each round sleeps twice as long as the
// others, whichever thread makes it).
func TestFastestQuartileRound(t *testing.T) {
	for _, threads := range []int{1, 2, 3} {
		const rounds = 12
		var started, done atomic.Int64
		var early atomic.Int64
		fn := func(iters int) {
			s := started.Add(1)
			if d := done.Load(); d < (s-1)/int64(threads)*int64(threads) {
				early.Add(1)
			}
			sleep := time.Duration(iters) * time.Microsecond
			if s%int64(threads) == 0 {
				sleep *= 2
			}
			time.Sleep(sleep)
			done.Add(1)
		}
		q := fastestQuartileRound(fn, 2000, threads, rounds)
		if n := done.Load(); n != int64(threads*rounds) {
			t.Errorf("%d threads: %d calls, want %d", threads, n, threads*rounds)
		}
		if early.Load() != 0 {
			t.Errorf("%d threads: %d calls started before the previous round ended", threads, early.Load())
		}
		if q < 4*time.Millisecond {
			t.Errorf("%d threads: fastest quartile %v is shorter than the round's longest call (4ms)", threads, q)
		}
	}
}
