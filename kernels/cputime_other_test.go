//go:build !linux

package kernels

import "time"

// CPU-time metrics are only reported on Linux.
func processCPU() time.Duration { return 0 }
func threadCPU() time.Duration  { return 0 }
