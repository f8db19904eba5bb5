//go:build !purego

package kernels

// The row kernels of Depthwise on amd64 (depthwise_amd64.s).

// dwRowAVX2 computes rows rows of n outputs (rows ≥ 1, n ≥ 1): row r is
// out[r·n + j] = fma(w[kk−1], taps[kk−1][j], … fma(w[0], taps[0][j], bias))
// with every tap pointer advanced by r·pitch bytes, one VFMADD231PS per tap
// in tap order. kk == 9 (3×3) keeps the weights in registers and does 32
// outputs per step; the last n mod 8 go through masked loads and stores.
// Requires AVX2 and FMA.
//
//go:noescape
func dwRowAVX2(out *float32, taps **float32, w *float32, kk, n int, bias float32, rows, pitch int)

// dwRowAVX512 is dwRowAVX2 16 lanes wide (a masked last step per row).
// Requires AVX-512F.
//
//go:noescape
func dwRowAVX512(out *float32, taps **float32, w *float32, kk, n int, bias float32, rows, pitch int)

func depthwiseHasRow(l isa) bool { return l == isaAVX2 || l == isaAVX512 }

// depthwiseRowArch computes rows rows of n outputs at level l (the taps
// of row r pitch·r floats after row 0's, row r of out at r·n) and returns
// how many leading outputs of each row it did: all of them here.
func depthwiseRowArch(l isa, out *float32, taps *[maxDepthwiseTaps]*float32, w *float32, kk, n, rows, pitch int, bias float32) int {
	switch l {
	case isaAVX512:
		dwRowAVX512(out, &taps[0], w, kk, n, bias, rows, 4*pitch)
		return n
	case isaAVX2:
		dwRowAVX2(out, &taps[0], w, kk, n, bias, rows, 4*pitch)
		return n
	}
	return 0
}
