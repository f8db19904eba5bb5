package kernels

// Winograd operation (OpWinograd): the element-wise transforms of the
// F(4×4, 3×3) Winograd convolution and the gather and scatter of its tile
// phases, the loops around the engine's batched GEMMs. The vector
// implementations handle n ≥ 8 (the last n%8 or n%16 by one more vector
// that overlaps the previous one); shorter runs use the Go reference.
// The transforms may differ from the reference in the last bit (FMA);
// gather and scatter are copies.

// WinoInput applies Bᵀ·d element-wise: for x < n, with d_i = src[i][x],
//
//	dst[0][x] = 4·d0 − 5·d2 + d4
//	dst[1][x] = (d3 + d4) − 4·(d1 + d2)
//	dst[2][x] = (d4 − d3) + 4·(d1 − d2)
//	dst[3][x] = (d4 − d2) + 2·(d3 − d1)
//	dst[4][x] = (d4 − d2) − 2·(d3 − d1)
//	dst[5][x] = 4·d1 − 5·d3 + d5
//
// Every row holds at least n floats; dst and src must not overlap.
func WinoInput(src, dst *[6][]float32, n int) { winoInputAt(level(opWinograd), src, dst, n) }

func winoInputAt(l isa, src, dst *[6][]float32, n int) {
	if n <= 0 {
		return
	}
	for i := range 6 {
		_, _ = src[i][n-1], dst[i][n-1]
	}
	if n >= 8 && winoInputArch(l, src, dst, n) {
		return
	}
	s0, s1, s2, s3, s4, s5 := src[0][:n], src[1][:n], src[2][:n], src[3][:n], src[4][:n], src[5][:n]
	d0, d1, d2, d3, d4, d5 := dst[0][:n], dst[1][:n], dst[2][:n], dst[3][:n], dst[4][:n], dst[5][:n]
	for x := range d0 {
		d0[x], d1[x], d2[x], d3[x], d4[x], d5[x] = winoB(s0[x], s1[x], s2[x], s3[x], s4[x], s5[x])
	}
}

// WinoOutput applies Aᵀ·m element-wise: for x < n, with m_i = src[i][x],
// s12 = m1 + m2, d12 = m1 − m2, s34 = m3 + m4, d34 = m3 − m4:
//
//	dst[0][x] = (m0 + s12) + s34
//	dst[1][x] = d12 + 2·d34
//	dst[2][x] = s12 + 4·s34
//	dst[3][x] = (d12 + m5) + 8·d34
//
// Every row holds at least n floats; dst and src must not overlap.
func WinoOutput(src *[6][]float32, dst *[4][]float32, n int) {
	winoOutputAt(level(opWinograd), src, dst, n)
}

func winoOutputAt(l isa, src *[6][]float32, dst *[4][]float32, n int) {
	if n <= 0 {
		return
	}
	for i := range 6 {
		_ = src[i][n-1]
	}
	for i := range 4 {
		_ = dst[i][n-1]
	}
	if n >= 8 && winoOutputArch(l, src, dst, n) {
		return
	}
	s0, s1, s2, s3, s4, s5 := src[0][:n], src[1][:n], src[2][:n], src[3][:n], src[4][:n], src[5][:n]
	d0, d1, d2, d3 := dst[0][:n], dst[1][:n], dst[2][:n], dst[3][:n]
	for x := range d0 {
		d0[x], d1[x], d2[x], d3[x] = winoA(s0[x], s1[x], s2[x], s3[x], s4[x], s5[x])
	}
}

// WinoGather sets q[j][t] = row[4t+j] for j < 6, t < n: the six phases of
// n overlapping 6-wide windows at stride 4. row holds at least 4n+4
// floats (all of them may be read), every q[j] at least n.
func WinoGather(row []float32, q *[6][]float32, n int) { winoGatherAt(level(opWinograd), row, q, n) }

func winoGatherAt(l isa, row []float32, q *[6][]float32, n int) {
	if n <= 0 {
		return
	}
	_ = row[4*n+3]
	for j := range q {
		_ = q[j][n-1]
	}
	if n >= 8 && winoGatherArch(l, row, q, n) {
		return
	}
	for t := 0; t < n; t++ {
		r := row[4*t : 4*t+6 : 4*t+6]
		q[0][t], q[1][t], q[2][t], q[3][t], q[4][t], q[5][t] = r[0], r[1], r[2], r[3], r[4], r[5]
	}
}

// WinoScatter sets dst[4t+j] = y[j][t] for j < 4, t < n (the inverse of
// the gather for the 4-wide output tiles). dst holds at least 4n floats,
// every y[j] at least n.
func WinoScatter(y *[4][]float32, dst []float32, n int) { winoScatterAt(level(opWinograd), y, dst, n) }

func winoScatterAt(l isa, y *[4][]float32, dst []float32, n int) {
	if n <= 0 {
		return
	}
	_ = dst[4*n-1]
	for j := range y {
		_ = y[j][n-1]
	}
	if n >= 8 && winoScatterArch(l, y, dst, n) {
		return
	}
	for t := 0; t < n; t++ {
		r := dst[4*t : 4*t+4 : 4*t+4]
		r[0], r[1], r[2], r[3] = y[0][t], y[1][t], y[2][t], y[3][t]
	}
}

// winoB is one row (or column) of Bᵀ d for F(4,3).
func winoB(d0, d1, d2, d3, d4, d5 float32) (e0, e1, e2, e3, e4, e5 float32) {
	e0 = 4*d0 - 5*d2 + d4
	e1 = (d3 + d4) - 4*(d1+d2)
	e2 = (d4 - d3) + 4*(d1-d2)
	e3 = (d4 - d2) + 2*(d3-d1)
	e4 = (d4 - d2) - 2*(d3-d1)
	e5 = 4*d1 - 5*d3 + d5
	return
}

// winoA is one row (or column) of Aᵀ m for F(4,3).
func winoA(m0, m1, m2, m3, m4, m5 float32) (y0, y1, y2, y3 float32) {
	s12, d12 := m1+m2, m1-m2
	s34, d34 := m3+m4, m3-m4
	y0 = m0 + s12 + s34
	y1 = d12 + 2*d34
	y2 = s12 + 4*s34
	y3 = d12 + m5 + 8*d34
	return
}
