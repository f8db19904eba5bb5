//go:build !purego

package engine

import "golang.org/x/sys/cpu"

//go:noescape
func maxIntoAVX(dst, x *float32, n int)

//go:noescape
func maxPairsAVX2(dst, r0, r1 *float32, n int)

var poolAVX2 = cpu.X86.HasAVX2

// maxInto sets dst[i] = x[i] > dst[i] ? x[i] : dst[i] (the reference's
// comparison, one window position at a time).
func maxInto(dst, x []float32) {
	x = x[:len(dst)]
	if n8 := len(dst) &^ 7; n8 > 0 && poolAVX2 {
		maxIntoAVX(&dst[0], &x[0], n8)
		dst, x = dst[n8:], x[n8:]
	}
	maxIntoGo(dst, x)
}

// maxPairs computes len(dst) outputs of the reference's maxBlock4x2 lane
// formula from the two input rows r0 and r1 (2·len(dst) floats each).
func maxPairs(dst, r0, r1 []float32) {
	r0, r1 = r0[:2*len(dst)], r1[:2*len(dst)]
	if n8 := len(dst) &^ 7; n8 > 0 && poolAVX2 {
		maxPairsAVX2(&dst[0], &r0[0], &r1[0], n8)
		dst, r0, r1 = dst[n8:], r0[2*n8:], r1[2*n8:]
	}
	maxPairsGo(dst, r0, r1)
}
