package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// The worker pool keeps goroutines parked on a channel so that the
// thousands of GEMM calls a detector makes per second do not each spawn
// goroutines.
//
// Hand-off never blocks: a part goes to a parked worker if one is waiting,
// else to a new worker while the pool is below its cap, else it runs on the
// caller. So nested use (Parallel inside Parallel, or many sessions at once)
// cannot deadlock, and the pool stays bounded.

type task struct {
	fn   func(part int)
	part int
	wg   *sync.WaitGroup
}

var (
	poolWorkers atomic.Int32
	poolTasks   = make(chan task)
)

func poolCap() int32 { return int32(4*runtime.GOMAXPROCS(0) + 4) }

func worker(t task) {
	for {
		t.fn(t.part)
		t.wg.Done()
		t = <-poolTasks
	}
}

// parallel runs fn(0..parts-1) and returns when all parts are done.
//
// Every part goes to a worker, none runs on the caller: a goroutine made
// ready by a channel send lands in the sender's "run next" slot, which
// other Ps do not steal from promptly, so a single hand-off followed by the
// caller computing part 0 itself ran the two parts one after the other
// (measured: 2 parts took 2× one part in wall time). With every part handed
// off, all but the last readied worker sit in the ordinary run queue, where
// idle Ps steal them at once, and the last runs on the caller's P while the
// caller waits.
func parallel(parts int, fn func(part int)) {
	if parts <= 1 {
		fn(0)
		return
	}
	var wg sync.WaitGroup
	var inline []int
	for p := 0; p < parts; p++ {
		t := task{fn: fn, part: p, wg: &wg}
		wg.Add(1)
		select {
		case poolTasks <- t:
			continue
		default:
		}
		if n := poolWorkers.Add(1); n <= poolCap() {
			go worker(t)
			continue
		}
		poolWorkers.Add(-1)
		wg.Done()
		inline = append(inline, p)
	}
	for _, p := range inline {
		fn(p)
	}
	wg.Wait()
}

var defaultThreads atomic.Int32

// SetThreads sets the number of goroutines Sgemm uses (n < 1 means
// runtime.GOMAXPROCS(0)). GemmPacked takes its own count.
func SetThreads(n int) {
	if n < 1 {
		n = runtime.GOMAXPROCS(0)
	}
	defaultThreads.Store(int32(n))
}

// Threads reports the number of goroutines Sgemm uses.
func Threads() int {
	if n := defaultThreads.Load(); n > 0 {
		return int(n)
	}
	return runtime.GOMAXPROCS(0)
}
