package cputime

import (
	"runtime"
	"testing"
)

// TestClocksAdvance checks both clocks move forward while this goroutine
// burns CPU (on Linux, where they exist).
func TestClocksAdvance(t *testing.T) {
	if runtime.GOOS != "linux" {
		if Process() != 0 || Thread() != 0 {
			t.Fatal("clocks should read 0 where they are not implemented")
		}
		return
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	p0, t0 := Process(), Thread()
	x := 1.0
	for i := 0; i < 20_000_000; i++ {
		x = x*1.0000001 + 1e-9
	}
	if x == 0 {
		t.Log(x)
	}
	if Process() <= p0 || Thread() <= t0 {
		t.Fatalf("CPU clocks did not advance: process %v -> %v, thread %v -> %v", p0, Process(), t0, Thread())
	}
}
