// Package cputime reads the process's and the calling thread's CPU clocks.
// Benchmarks on shared machines report work per CPU-second, which other
// jobs disturb far less than wall-clock time. Where the clocks are not
// available (non-Linux) both return 0 and callers report wall-clock only.
package cputime

import "time"

// Process is the CPU time used by the whole process so far.
func Process() time.Duration { return process() }

// Thread is the CPU time used by the calling OS thread (lock the goroutine
// to its thread first with runtime.LockOSThread).
func Thread() time.Duration { return thread() }
