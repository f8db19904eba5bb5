//go:build !purego

package kernels

import (
	"testing"
	"unsafe"
)

// neonGuardedPanel returns n floats that end exactly at an inaccessible
// page, so any read past the end of the panel faults.
func neonGuardedPanel(t *testing.T, n int) []float32 {
	t.Helper()
	b := guardedBytes(t, 4*n) // ends at a page boundary, so 4-byte aligned
	return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), n)
}

// TestNEONKernelNoOverread: the kernel loads the next k step ahead of use;
// it must still never touch memory past the end of either panel (the last
// panel of a packed buffer may end at the end of an allocation).
func TestNEONKernelNoOverread(t *testing.T) {
	for k := 1; k <= 9; k++ {
		a := neonGuardedPanel(t, k*neonMR)
		b := neonGuardedPanel(t, k*neonNR)
		for i := range a {
			a[i] = float32(i%7) - 3
		}
		for i := range b {
			b[i] = float32(i%5) - 2
		}
		c := make([]float32, neonMR*neonNR)
		for acc := 0; acc <= 1; acc++ {
			sgemmKernelNEON(k, &a[0], &b[0], &c[0], neonNR, acc)
		}
		for i := 0; i < neonMR; i++ {
			for j := 0; j < neonNR; j++ {
				var s float32
				for p := 0; p < k; p++ {
					s += a[p*neonMR+i] * b[p*neonNR+j]
				}
				if got := c[i*neonNR+j]; got != 2*s {
					t.Fatalf("k=%d: C[%d][%d] = %v, want %v", k, i, j, got, 2*s)
				}
			}
		}
	}
}
