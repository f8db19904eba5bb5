package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// The worker pool keeps a few goroutines parked on a channel so that the
// thousands of GEMM calls a detector makes per second do not each spawn
// goroutines. The calling goroutine always runs part 0 itself.

type task struct {
	fn   func(part int)
	part int
	wg   *sync.WaitGroup
}

var (
	poolMu      sync.Mutex
	poolWorkers int
	poolTasks   = make(chan task)
)

// ensureWorkers starts workers until at least n are parked.
func ensureWorkers(n int) {
	poolMu.Lock()
	for poolWorkers < n {
		poolWorkers++
		go worker()
	}
	poolMu.Unlock()
}

func worker() {
	for t := range poolTasks {
		t.fn(t.part)
		t.wg.Done()
	}
}

// parallel runs fn(0..parts-1), part 0 on the calling goroutine.
func parallel(parts int, fn func(part int)) {
	if parts <= 1 {
		fn(0)
		return
	}
	ensureWorkers(parts - 1)
	var wg sync.WaitGroup
	wg.Add(parts - 1)
	for p := 1; p < parts; p++ {
		poolTasks <- task{fn: fn, part: p, wg: &wg}
	}
	fn(0)
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
