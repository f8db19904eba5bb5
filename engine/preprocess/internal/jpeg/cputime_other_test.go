//go:build !linux

package jpeg

import "time"

// CPU-time metrics are only measured on Linux.
func processCPU() time.Duration { return 0 }
