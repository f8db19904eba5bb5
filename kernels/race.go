//go:build race

package kernels

import (
	"runtime"
	"unsafe"
)

// The race detector cannot see memory accesses made by assembly, so the
// driver reports the regions the microkernels touch.

// raceWriteC reports the C region [r0,r1)×[j0,j1) the kernels write.
func raceWriteC(c []float32, ldc, r0, r1, j0, j1 int) {
	for i := r0; i < r1; i++ {
		row := c[i*ldc+j0 : i*ldc+j1]
		runtime.RaceWriteRange(unsafe.Pointer(&row[0]), len(row)*4)
	}
}

// raceReadB reports the B region [p0,p1)×[j0,j1) a direct kernel reads.
func raceReadB(b []float32, ldb, p0, p1, j0, j1 int) {
	for p := p0; p < p1; p++ {
		row := b[p*ldb+j0 : p*ldb+j1]
		runtime.RaceReadRange(unsafe.Pointer(&row[0]), len(row)*4)
	}
}
