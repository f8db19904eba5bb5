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

// dw3x3PairsAVX512 computes 2·pairs output rows of a 3×3, stride-1,
// undilated depthwise plane from a buffered plane (in: padded row 0,
// rows pitch bytes apart), two rows at a time: the input vectors of the
// two middle buffer rows feed both output rows. Same sums as dwRowAVX512.
//
//go:noescape
func dw3x3PairsAVX512(out *float32, in *float32, w *float32, n int, bias float32, pairs, pitch int)

// dw3x3PairsAVX2 is dw3x3PairsAVX512 with 8 lanes (VMASKMOVPS row ends).
// Requires AVX2 and FMA.
//
//go:noescape
func dw3x3PairsAVX2(out *float32, in *float32, w *float32, n int, bias float32, pairs, pitch int)

// depthwise3x3Arch computes the leading output rows of a buffered 3×3,
// stride-1, undilated plane two at a time (avx2, avx512) and returns how
// many rows it did (even; 0: none).
func depthwise3x3Arch(l isa, out []float32, buf []float32, rowLen int, w []float32, n, rows int, bias float32) int {
	pairs := rows / 2
	if l != isaAVX512 && l != isaAVX2 || pairs == 0 {
		return 0
	}
	_ = buf[(2*pairs+1)*rowLen+n+1] // the last buffer row read (its slack covers the vectors)
	_ = out[2*pairs*n-1]
	if l == isaAVX512 {
		dw3x3PairsAVX512(&out[0], &buf[0], &w[0], n, bias, pairs, 4*rowLen)
	} else {
		dw3x3PairsAVX2(&out[0], &buf[0], &w[0], n, bias, pairs, 4*rowLen)
	}
	return 2 * pairs
}
