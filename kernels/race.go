//go:build race

package kernels

import (
	"runtime"
	"unsafe"
)

// raceWriteC tells the race detector about the C region the assembly
// microkernels write (the detector cannot see assembly memory accesses).
func raceWriteC(c []float32, ldc, r0, r1, j0, j1 int) {
	for i := r0; i < r1; i++ {
		row := c[i*ldc+j0 : i*ldc+j1]
		runtime.RaceWriteRange(unsafe.Pointer(&row[0]), len(row)*4)
	}
}
