package kernels

import "unsafe"

// The generic microkernel is plain Go and runs everywhere; it is also what
// the purego build uses. The tile is 4×4, computed as two 2×4 halves, each
// over the whole k loop: 8 accumulators plus 4 B and 2 A values fit the 15
// vector registers Go's amd64 ABI leaves free (a single 4×4 pass spilled
// accumulators to the stack and ran at a third of the speed).
const genericMR, genericNR = 4, 4

func init() { register("generic", genericMR, genericNR, sgemmKernelGeneric, true) }

// sgemmKernelGeneric implements kernelFunc for a 4×4 tile.
func sgemmKernelGeneric(k int, a, b, c *float32, ldc int, accumulate int) {
	var as, bs []float32
	if k > 0 {
		as = unsafe.Slice(a, k*genericMR)
		bs = unsafe.Slice(b, k*genericNR)
	}
	cs := unsafe.Slice(c, 3*ldc+4)
	genericHalf(k, as, bs, cs[0:4:4], cs[ldc:ldc+4:ldc+4], 0, accumulate)
	genericHalf(k, as, bs, cs[2*ldc:2*ldc+4:2*ldc+4], cs[3*ldc:3*ldc+4:3*ldc+4], 2, accumulate)
}

// genericHalf computes rows i0 and i0+1 of the tile into r0 and r1.
func genericHalf(k int, as, bs, r0, r1 []float32, i0, accumulate int) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	for p := 0; p < k; p++ {
		ap := as[p*4+i0 : p*4+i0+2 : p*4+i0+2]
		bp := bs[p*4 : p*4+4 : p*4+4]
		a0, a1 := ap[0], ap[1]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
	}
	r0, r1 = r0[:4], r1[:4]
	if accumulate != 0 {
		c00 += r0[0]
		c01 += r0[1]
		c02 += r0[2]
		c03 += r0[3]
		c10 += r1[0]
		c11 += r1[1]
		c12 += r1[2]
		c13 += r1[3]
	}
	r0[0], r0[1], r0[2], r0[3] = c00, c01, c02, c03
	r1[0], r1[1], r1[2], r1[3] = c10, c11, c12, c13
}
