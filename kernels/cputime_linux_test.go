package kernels

import (
	"time"

	"golang.org/x/sys/unix"
)

// processCPU is the CPU time used by the whole process. On a machine
// shared with other jobs, FLOP per CPU-second is a far steadier measure of
// a kernel's efficiency than wall-clock throughput.
func processCPU() time.Duration {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts) != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

func threadCPU() time.Duration {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts) != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}
