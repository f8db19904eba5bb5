package kernels

import "unsafe"

// The generic microkernel is plain Go and runs everywhere; it is also what
// the purego build uses. 4×4 keeps its 16 accumulators in registers on
// amd64 and arm64.
const genericMR, genericNR = 4, 4

func init() { register("generic", genericMR, genericNR, sgemmKernelGeneric, true) }

// sgemmKernelGeneric implements kernelFunc for a 4×4 tile.
func sgemmKernelGeneric(k int, a, b, c *float32, ldc int, accumulate int) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	var c20, c21, c22, c23, c30, c31, c32, c33 float32
	if k > 0 {
		as := unsafe.Slice(a, k*genericMR)
		bs := unsafe.Slice(b, k*genericNR)
		for p := 0; p < k; p++ {
			ap := as[p*4 : p*4+4 : p*4+4]
			bp := bs[p*4 : p*4+4 : p*4+4]
			a0, a1, a2, a3 := ap[0], ap[1], ap[2], ap[3]
			b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
			c00 += a0 * b0
			c01 += a0 * b1
			c02 += a0 * b2
			c03 += a0 * b3
			c10 += a1 * b0
			c11 += a1 * b1
			c12 += a1 * b2
			c13 += a1 * b3
			c20 += a2 * b0
			c21 += a2 * b1
			c22 += a2 * b2
			c23 += a2 * b3
			c30 += a3 * b0
			c31 += a3 * b1
			c32 += a3 * b2
			c33 += a3 * b3
		}
	}
	cs := unsafe.Slice(c, 3*ldc+4)
	r0 := cs[0:4:4]
	r1 := cs[ldc : ldc+4 : ldc+4]
	r2 := cs[2*ldc : 2*ldc+4 : 2*ldc+4]
	r3 := cs[3*ldc : 3*ldc+4 : 3*ldc+4]
	if accumulate != 0 {
		c00 += r0[0]
		c01 += r0[1]
		c02 += r0[2]
		c03 += r0[3]
		c10 += r1[0]
		c11 += r1[1]
		c12 += r1[2]
		c13 += r1[3]
		c20 += r2[0]
		c21 += r2[1]
		c22 += r2[2]
		c23 += r2[3]
		c30 += r3[0]
		c31 += r3[1]
		c32 += r3[2]
		c33 += r3[3]
	}
	r0[0], r0[1], r0[2], r0[3] = c00, c01, c02, c03
	r1[0], r1[1], r1[2], r1[3] = c10, c11, c12, c13
	r2[0], r2[1], r2[2], r2[3] = c20, c21, c22, c23
	r3[0], r3[1], r3[2], r3[3] = c30, c31, c32, c33
}
