package kernels

// Reference implementations: straightforward loops that define the
// results every optimised path is tested against. They are always built.

// opAt is element (r, c) of op(X) for a row-major X with leading dimension
// ld: X[r][c], or X[c][r] when trans.
func opAt(trans bool, x []float32, ld, r, c int) float32 {
	if trans {
		return x[c*ld+r]
	}
	return x[r*ld+c]
}

// sgemmRef computes C = alpha·op(A)·op(B) + beta·C with a float64
// accumulator per element (so it is more accurate than any kernel, and
// the tests' tolerance covers the kernels' rounding, not the reference's).
func sgemmRef(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				s += float64(opAt(transA, a, lda, i, p)) * float64(opAt(transB, b, ldb, p, j))
			}
			r := float32(float64(alpha) * s)
			if beta != 0 {
				r += beta * c[i*ldc+j]
			}
			c[i*ldc+j] = r
		}
	}
}

// gemmEpilogueRef computes C = act((Accumulate ? C : 0) + A·B + bias).
func gemmEpilogueRef(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, ep Epilogue) {
	beta := float32(0)
	if ep.Accumulate {
		beta = 1
	}
	sgemmRef(false, false, m, n, k, 1, a, lda, b, ldb, beta, c, ldc)
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if ep.Bias != nil {
			for j := range row {
				row[j] += ep.Bias[i]
			}
		}
		for j := range row {
			row[j] = ep.Act.Apply(row[j])
		}
	}
}

// im2colRef is Darknet's im2col_cpu_ext written element by element.
func im2colRef(data []float32, channels, height, width, kh, kw, padH, padW, sh, sw, dh, dw int, col []float32) {
	outH := ConvOutSize(height, kh, padH, sh, dh)
	outW := ConvOutSize(width, kw, padW, sw, dw)
	idx := 0
	for c := 0; c < channels; c++ {
		for ky := 0; ky < kh; ky++ {
			for kx := 0; kx < kw; kx++ {
				for oy := 0; oy < outH; oy++ {
					y := -padH + ky*dh + oy*sh
					for ox := 0; ox < outW; ox++ {
						x := -padW + kx*dw + ox*sw
						if y >= 0 && y < height && x >= 0 && x < width {
							col[idx] = data[(c*height+y)*width+x]
						} else {
							col[idx] = 0
						}
						idx++
					}
				}
			}
		}
	}
}
