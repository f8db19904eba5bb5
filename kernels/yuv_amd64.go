//go:build !purego

package kernels

// yuvGatherAVX2 is YUVGather for n a multiple of 8, every sample with 3
// readable bytes after it (yuv_amd64.s).
//
//go:noescape
func yuvGatherAVX2(R, G, B, yrow, cb, cr *uint8, cols, ccols *int32, n int, k *YUVCoef)

// yuvGatherArch converts the leading pixels it can and returns how many.
func yuvGatherArch(l isa, R, G, B, yrow, cb, cr []uint8, cols, ccols []int32, k *YUVCoef) int {
	if l != isaAVX2 && l != isaAVX512 || len(cols) < 8 {
		return 0
	}
	n := yuvSafe(yrow, cb, cr, cols, ccols) &^ 7
	if n == 0 {
		return 0
	}
	yuvGatherAVX2(&R[0], &G[0], &B[0], &yrow[0], &cb[0], &cr[0], &cols[0], &ccols[0], n, k)
	return n
}
