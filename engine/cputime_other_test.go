//go:build !linux

package engine

import "time"

// CPU-time metrics are only measured on Linux.
func processCPU() time.Duration { return 0 }
func threadCPU() time.Duration  { return 0 }
