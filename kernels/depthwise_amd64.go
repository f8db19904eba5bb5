//go:build !purego

package kernels

// The row kernels of Depthwise on amd64 (depthwise_amd64.s).

// dwRowAVX2 computes n outputs (n a multiple of 8) of one depthwise row:
// out[j] = fma(w[kk−1], taps[kk−1][j], … fma(w[0], taps[0][j], bias)),
// one VFMADD231PS per tap in tap order. kk == 9 (3×3) keeps the weights in
// registers and does 32 outputs per step. Requires AVX2 and FMA.
//
//go:noescape
func dwRowAVX2(out *float32, taps **float32, w *float32, kk, n int, bias float32)

// dwRowAVX512 is dwRowAVX2 16 lanes wide for any n (a masked last step).
// Requires AVX-512F.
//
//go:noescape
func dwRowAVX512(out *float32, taps **float32, w *float32, kk, n int, bias float32)

func depthwiseHasRow(l isa) bool { return l == isaAVX2 || l == isaAVX512 }

// depthwiseRowArch computes the first outputs of a row at level l and
// returns how many: all n at avx512, n rounded down to 8 at avx2.
func depthwiseRowArch(l isa, out *float32, taps *[maxDepthwiseTaps]*float32, w *float32, kk, n int, bias float32) int {
	switch l {
	case isaAVX512:
		dwRowAVX512(out, &taps[0], w, kk, n, bias)
		return n
	case isaAVX2:
		if n8 := n &^ 7; n8 > 0 {
			dwRowAVX2(out, &taps[0], w, kk, n8, bias)
			return n8
		}
	}
	return 0
}
