package main

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"runtime/trace"
)

// startCPUProfile starts Go's CPU profiler when DARKGO_CPUPROFILE names a
// file (for `go tool pprof`), and the execution tracer when DARKGO_TRACE
// does (`go tool trace`: which goroutine ran when, where the pipeline
// waits), and returns the function that stops them. Environment
// variables, not flags: they profile every mode, the server included,
// without touching Darknet's command lines. A file that cannot be
// written is reported on stderr and the run goes on.
func startCPUProfile(stderr io.Writer) func() {
	stopTrace := record(stderr, "DARKGO_TRACE", trace.Start, trace.Stop)
	stopCPU := record(stderr, "DARKGO_CPUPROFILE", pprof.StartCPUProfile, pprof.StopCPUProfile)
	return func() {
		stopCPU()
		stopTrace()
	}
}

// record starts a recorder into the file the environment variable names.
func record(stderr io.Writer, env string, start func(io.Writer) error, stop func()) func() {
	path := os.Getenv(env)
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		if err = start(f); err != nil {
			f.Close()
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "detect: %s: %v\n", env, err)
		return func() {}
	}
	return func() {
		stop()
		f.Close()
	}
}
