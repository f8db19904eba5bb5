package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// The worker pool keeps goroutines parked on a channel so that the
// thousands of GEMM calls a detector makes per second do not each spawn
// goroutines. The calling goroutine always runs part 0 itself.
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

// parallel runs fn(0..parts-1), part 0 on the calling goroutine, and
// returns when all parts are done.
func parallel(parts int, fn func(part int)) {
	if parts <= 1 {
		fn(0)
		return
	}
	var wg sync.WaitGroup
	var inline []int
	for p := 1; p < parts; p++ {
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
	fn(0)
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
