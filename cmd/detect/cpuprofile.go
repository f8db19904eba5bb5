package main

import (
	"os"
	"runtime/pprof"
	"runtime/trace"
)

// startCPUProfile starts Go's CPU profiler when DARKGO_CPUPROFILE names a
// file (for `go tool pprof`), and the execution tracer when DARKGO_TRACE
// does (`go tool trace`: which goroutine ran when, where the pipeline
// waits), and returns the function that stops them. Environment
// variables, not flags: they profile every mode, the server included,
// without touching Darknet's command lines.
func startCPUProfile() func() {
	stopTrace := startTrace(os.Getenv("DARKGO_TRACE"))
	stopCPU := startPprof(os.Getenv("DARKGO_CPUPROFILE"))
	return func() {
		stopCPU()
		stopTrace()
	}
}

func startTrace(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		return func() {}
	}
	if err := trace.Start(f); err != nil {
		f.Close()
		return func() {}
	}
	return func() {
		trace.Stop()
		f.Close()
	}
}

func startPprof(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
