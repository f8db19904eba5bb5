//go:build purego || !(amd64 || arm64)

package kernels

// Without assembly (purego, 386, ...) every operation runs its Go
// reference (the *Arch functions report false).

var archOps [numOps][]isa

func conv3x3Arch(l isa, out []float32, ldo int, in []float32, chs int, taps *[9]int, w []float32, nch, n int, bias []float32, flags int) bool {
	return false
}

func winoInputArch(l isa, src, dst *[6][]float32, n int) bool { return false }

func winoOutputArch(l isa, src *[6][]float32, dst *[4][]float32, n int) bool { return false }

func winoGatherArch(l isa, row []float32, q *[6][]float32, n int) bool { return false }

func winoScatterArch(l isa, y *[4][]float32, dst []float32, n int) bool { return false }

func maxIntoArch(l isa, dst, x []float32) int { return 0 }

func maxPairsArch(l isa, dst, r0, r1 []float32) int { return 0 }

func logisticArch(l isa, dst, src []float32) (k int, ok bool) { return 0, false }

func yuvGatherArch(l isa, R, G, B, yrow, cb, cr []uint8, cols, ccols []int32, k *YUVCoef) int {
	return 0
}

func stbGatherArch(l isa, R, G, B, yrow, cbNear, cbFar, crNear, crFar []uint8, c *STBColumns, v *STBChroma, from, safe int) int {
	return 0
}

func resizePairsArch(l isa, out []float32, g []uint8, w0, w1 []float32) int { return 0 }

func blendRowsArch(l isa, out, a, b []float32, w0, w1 float32) int { return 0 }

func depthwiseHasRow(l isa) bool { return false }

func depthwiseRowArch(l isa, out *float32, taps *[maxDepthwiseTaps]*float32, w *float32, kk, n, rows, pitch int, bias float32) int {
	return 0
}

func depthwise3x3Arch(l isa, out []float32, buf []float32, rowLen int, w []float32, n, rows int, bias float32) int {
	return 0
}
