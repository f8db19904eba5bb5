package engine

import (
	"time"

	"golang.org/x/sys/unix"
)

// processCPU is the CPU time used by the whole process. The benchmark
// machine is shared, so CPU time per frame is a far steadier measure of the
// engine's work than wall-clock time.
func processCPU() time.Duration {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts) != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

// threadCPU is the CPU time of the calling OS thread (lock the goroutine
// to it first).
func threadCPU() time.Duration {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts) != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}
