package kernels

// YUVCoef is a Y'CbCr → RGB conversion in 16.16 fixed point (package yuv
// makes them for each range and matrix):
//
//	R = clamp((CY·y + CrR·cr + BR) >> 16)
//	G = clamp((CY·y + CbG·cb + CrG·cr + BG) >> 16)
//	B = clamp((CY·y + CbB·cb + BB) >> 16)
//
// clamp to [0, 255], >> arithmetic, int32 sums (the caller's coefficients
// must not overflow them; a real conversion's are far from it); the biases
// hold the sample offsets (16 and 128) and the rounding.
type YUVCoef struct {
	CY, CrR, CbG, CrG, CbB int32
	BR, BG, BB             int32
}

// YUVGather converts the pixels at columns cols[j] of one row of a planar
// Y'CbCr image, luma yrow[cols[j]] and chroma cb[ccols[j]], cr[ccols[j]],
// to R[j], G[j], B[j], for j < len(cols). A network's preprocessing reads
// only the columns its resize needs, straight from a video decoder's
// planes. It is the operation OpYUV; on amd64 with AVX2 it gathers 8
// pixels at a time and computes the same int32 sums.
func YUVGather(R, G, B, yrow, cb, cr []uint8, cols, ccols []int32, k *YUVCoef) {
	yuvGatherAt(level(opYUV), R, G, B, yrow, cb, cr, cols, ccols, k)
}

func yuvGatherAt(l isa, R, G, B, yrow, cb, cr []uint8, cols, ccols []int32, k *YUVCoef) {
	n := len(cols)
	R, G, B, ccols = R[:n], G[:n], B[:n], ccols[:n]
	done := yuvGatherArch(l, R, G, B, yrow, cb, cr, cols, ccols, k)
	yuvGatherGo(R[done:], G[done:], B[done:], yrow, cb, cr, cols[done:], ccols[done:], k)
}

// yuvGatherGo is the reference.
func yuvGatherGo(R, G, B, yrow, cb, cr []uint8, cols, ccols []int32, k *YUVCoef) {
	for j, x := range cols {
		c := ccols[j]
		l := k.CY * int32(yrow[x])
		u, v := int32(cb[c]), int32(cr[c])
		R[j] = clampShift16(l + k.CrR*v + k.BR)
		G[j] = clampShift16(l + k.CbG*u + k.CrG*v + k.BG)
		B[j] = clampShift16(l + k.CbB*u + k.BB)
	}
}

func clampShift16(v int32) uint8 {
	return uint8(min(max(v>>16, 0), 255))
}

// yuvSafe is how many leading pixels the vector code may take: the
// gathers load 4 bytes at each sample, so every sample it reads must have
// 3 more bytes after it within its slice (cols and ccols ascend, as a
// resize's columns do; a later, larger column is left to the Go code).
func yuvSafe(yrow, cb, cr []uint8, cols, ccols []int32) int {
	n := len(cols)
	lc := min(len(cb), len(cr))
	for n > 0 && (int(cols[n-1])+4 > len(yrow) || int(ccols[n-1])+4 > lc) {
		n--
	}
	for j := 0; j < n; j++ { // ascending is what makes the tail test enough
		if cols[j] < 0 || ccols[j] < 0 || j > 0 && (cols[j] < cols[j-1] || ccols[j] < ccols[j-1]) {
			return 0
		}
	}
	return n
}
