package jpeg

// darkgo: block reconstruction as stb_image (Darknet's image loader) does
// it, so that decoded pixels equal Darknet's bit for bit.
//
// stb_image's stbi__idct_block is the IJG "islow" integer IDCT (jidctint.c)
// with 12-bit fixed-point constants: a column pass that keeps 2 extra bits
// (+512, >>10), then a row pass that removes the remaining 17 bits with
// rounding and adds the +128 level shift in the same constant
// (+65536 + 128<<17, >>17), then clamps to [0, 255]. Its SSE2 and NEON
// versions are written to give the same bytes. Coefficients are
// dequantized into C shorts first: the product wraps to 16 bits.

// stb_image's stbi__f2f(x) = (int)(x*4096 + 0.5) (C truncation, so the
// negative constants round towards zero); TestIDCTConstants recomputes
// them.
const (
	fixC0 = 2217   // 0.5411961
	fixC1 = -7567  // -1.847759065
	fixC2 = 3135   // 0.765366865
	fixC3 = 4816   // 1.175875602
	fixC4 = 1223   // 0.298631336
	fixC5 = 8410   // 2.053119869
	fixC6 = 12586  // 3.072711026
	fixC7 = 6149   // 1.501321110
	fixC8 = -3685  // -0.899976223
	fixC9 = -10497 // -2.562915447
	fixCA = -8034  // -1.961570560
	fixCB = -1597  // -0.390180644
)

// Rounding terms of the two passes.
const (
	colBias = 512                 // column pass: round, keep 2 extra bits
	rowBias = 65536 + (128 << 17) // row pass: round and level-shift
)

// idct1D is stbi__idct_block's one-dimensional transform (STBI__IDCT_1D) in
// int32 arithmetic (C int on every platform stb_image runs on; overflow
// wraps the same way). The outputs are combined by the caller as
// x0±t3, x1±t2, x2±t1, x3±t0.
func idct1D(s0, s1, s2, s3, s4, s5, s6, s7 int32) (x0, x1, x2, x3, t0, t1, t2, t3 int32) {
	p1 := (s2 + s6) * fixC0
	t2 = p1 + s6*fixC1
	t3 = p1 + s2*fixC2
	t0 = (s0 + s4) * 4096
	t1 = (s0 - s4) * 4096
	x0 = t0 + t3
	x3 = t0 - t3
	x1 = t1 + t2
	x2 = t1 - t2
	// Odd part.
	t0, t1, t2, t3 = s7, s5, s3, s1
	p3 := t0 + t2
	p4 := t1 + t3
	p1 = t0 + t3
	p2 := t1 + t2
	p5 := (p3 + p4) * fixC3
	t0 *= fixC4
	t1 *= fixC5
	t2 *= fixC6
	t3 *= fixC7
	p1 = p5 + p1*fixC8
	p2 = p5 + p2*fixC9
	p3 *= fixCA
	p4 *= fixCB
	t3 += p1 + p4
	t2 += p2 + p3
	t1 += p2 + p4
	t0 += p1 + p3
	return
}

// clampByte is stbi__clamp.
func clampByte(x int32) byte {
	if uint32(x) > 255 {
		if x < 0 {
			return 0
		}
		return 255
	}
	return byte(x)
}

// idctSTB computes stbi__idct_block of the dequantized coefficients b
// (natural order, each already wrapped to int16) into the 8×8 pixels at
// dst with the given stride. Besides stb_image's own shortcut (a column
// whose AC terms are zero is its DC term times 4), a row whose AC inputs
// are all zero is filled with one value: every product of the row
// transform is then 0, x0..x3 are s0*4096 and t0..t3 are 0, so all eight
// outputs are clamp((s0*4096 + rowBias) >> 17), which is what the full
// transform computes.
func idctSTB(dst []byte, stride int, b *block) {
	var v [64]int32
	for i := 0; i < 8; i++ {
		s1, s2, s3, s4, s5, s6, s7 := b[8+i], b[16+i], b[24+i], b[32+i], b[40+i], b[48+i], b[56+i]
		if s1|s2|s3|s4|s5|s6|s7 == 0 {
			dc := b[i] * 4
			v[i], v[8+i], v[16+i], v[24+i], v[32+i], v[40+i], v[48+i], v[56+i] = dc, dc, dc, dc, dc, dc, dc, dc
			continue
		}
		x0, x1, x2, x3, t0, t1, t2, t3 := idct1D(b[i], s1, s2, s3, s4, s5, s6, s7)
		x0 += colBias
		x1 += colBias
		x2 += colBias
		x3 += colBias
		v[i] = (x0 + t3) >> 10
		v[56+i] = (x0 - t3) >> 10
		v[8+i] = (x1 + t2) >> 10
		v[48+i] = (x1 - t2) >> 10
		v[16+i] = (x2 + t1) >> 10
		v[40+i] = (x2 - t1) >> 10
		v[24+i] = (x3 + t0) >> 10
		v[32+i] = (x3 - t0) >> 10
	}
	for r := 0; r < 8; r++ {
		s := (*[8]int32)(v[8*r : 8*r+8])
		o := (*[8]byte)(dst[r*stride : r*stride+8])
		if s[1]|s[2]|s[3]|s[4]|s[5]|s[6]|s[7] == 0 {
			c := clampByte((s[0]*4096 + rowBias) >> 17)
			*o = [8]byte{c, c, c, c, c, c, c, c}
			continue
		}
		x0, x1, x2, x3, t0, t1, t2, t3 := idct1D(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7])
		x0 += rowBias
		x1 += rowBias
		x2 += rowBias
		x3 += rowBias
		o[0] = clampByte((x0 + t3) >> 17)
		o[7] = clampByte((x0 - t3) >> 17)
		o[1] = clampByte((x1 + t2) >> 17)
		o[6] = clampByte((x1 - t2) >> 17)
		o[2] = clampByte((x2 + t1) >> 17)
		o[5] = clampByte((x2 - t1) >> 17)
		o[3] = clampByte((x3 + t0) >> 17)
		o[4] = clampByte((x3 - t0) >> 17)
	}
}

// idctSTBFlat is idctSTB for a block whose AC coefficients are all zero:
// every column is its DC term times 4 and every row is DC-only, so the
// whole block is one value.
func idctSTBFlat(dst []byte, stride int, dc int32) {
	c := clampByte((dc*4*4096 + rowBias) >> 17)
	w := [8]byte{c, c, c, c, c, c, c, c}
	for r := 0; r < 8; r++ {
		*(*[8]byte)(dst[r*stride : r*stride+8]) = w
	}
}
