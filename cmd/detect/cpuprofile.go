package main

import (
	"os"
	"runtime/pprof"
)

// startCPUProfile starts Go's CPU profiler when DARKGO_CPUPROFILE names a
// file (for `go tool pprof`), and returns the function that stops it. An
// environment variable, not a flag: it profiles every mode, the server
// included, without touching Darknet's command lines.
func startCPUProfile() func() {
	path := os.Getenv("DARKGO_CPUPROFILE")
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
