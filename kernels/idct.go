package kernels

// IDCT8x8STB is stb_image's JPEG inverse DCT (stbi__idct_block, the IJG
// "islow" integer transform with 12-bit fixed-point constants), level
// shift and clamp: it writes the 8×8 pixels of the dequantized
// coefficients b (natural row-major order, each within int16) to dst, row
// r at dst[r*stride:], and leaves b unchanged. darkgo's JPEG decoder uses
// it so that decoded pixels equal Darknet's (engine/preprocess/internal/
// jpeg). All arithmetic is int32 with wrap-around, as stb_image's C ints.
//
// On amd64 with AVX2 it runs an 8-lane version (idct_amd64.s), on arm64
// a NEON version (idct_arm64.s, two 4-lane halves per pass), that compute
// the same int32 values: every step is an addition, subtraction,
// multiplication by a constant or arithmetic shift, lane for lane, and the
// clamp is the saturating narrows (int32→int16→uint8), which clamp
// exactly. It is the operation OpIDCT: DARKGO_KERNELS=generic (or the
// purego tag) selects idctSTBGo.
func IDCT8x8STB(dst []byte, stride int, b *[64]int32) {
	idctAt(level(opIDCT), dst, stride, b)
}

func idctAt(l isa, dst []byte, stride int, b *[64]int32) {
	_ = dst[7*stride+7] // bounds: the asm writes rows 0..7, 8 bytes each
	if !idctArch(l, &dst[0], stride, b) {
		idctSTBGo(dst, stride, b)
	}
}

// stb_image's stbi__f2f(x) = (int)(x*4096 + 0.5) (C truncation, so the
// negative constants round towards zero); TestIDCTConstants recomputes
// them.
const (
	idctC0 = 2217   // 0.5411961
	idctC1 = -7567  // -1.847759065
	idctC2 = 3135   // 0.765366865
	idctC3 = 4816   // 1.175875602
	idctC4 = 1223   // 0.298631336
	idctC5 = 8410   // 2.053119869
	idctC6 = 12586  // 3.072711026
	idctC7 = 6149   // 1.501321110
	idctC8 = -3685  // -0.899976223
	idctC9 = -10497 // -2.562915447
	idctCA = -8034  // -1.961570560
	idctCB = -1597  // -0.390180644
)

// Rounding terms of the two passes.
const (
	idctColBias = 512                 // column pass: round, keep 2 extra bits (>>10)
	idctRowBias = 65536 + (128 << 17) // row pass: round and level-shift (>>17)
)

// idct1D is stbi__idct_block's one-dimensional transform (STBI__IDCT_1D).
// The outputs are combined by the caller as x0±t3, x1±t2, x2±t1, x3±t0.
func idct1D(s0, s1, s2, s3, s4, s5, s6, s7 int32) (x0, x1, x2, x3, t0, t1, t2, t3 int32) {
	p1 := (s2 + s6) * idctC0
	t2 = p1 + s6*idctC1
	t3 = p1 + s2*idctC2
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
	p5 := (p3 + p4) * idctC3
	t0 *= idctC4
	t1 *= idctC5
	t2 *= idctC6
	t3 *= idctC7
	p1 = p5 + p1*idctC8
	p2 = p5 + p2*idctC9
	p3 *= idctCA
	p4 *= idctCB
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

// idctSTBGo is IDCT8x8STB in Go. Besides stb_image's own shortcut (a
// column whose AC terms are zero is its DC term times 4), a row whose AC
// inputs are all zero is filled with one value: every product of the row
// transform is then 0, x0..x3 are s0*4096 and t0..t3 are 0, so all eight
// outputs are clamp((s0*4096 + idctRowBias) >> 17), which is what the full
// transform computes.
func idctSTBGo(dst []byte, stride int, b *[64]int32) {
	var v [64]int32
	for i := 0; i < 8; i++ {
		s1, s2, s3, s4, s5, s6, s7 := b[8+i], b[16+i], b[24+i], b[32+i], b[40+i], b[48+i], b[56+i]
		if s1|s2|s3|s4|s5|s6|s7 == 0 {
			dc := b[i] * 4
			v[i], v[8+i], v[16+i], v[24+i], v[32+i], v[40+i], v[48+i], v[56+i] = dc, dc, dc, dc, dc, dc, dc, dc
			continue
		}
		x0, x1, x2, x3, t0, t1, t2, t3 := idct1D(b[i], s1, s2, s3, s4, s5, s6, s7)
		x0 += idctColBias
		x1 += idctColBias
		x2 += idctColBias
		x3 += idctColBias
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
			c := clampByte((s[0]*4096 + idctRowBias) >> 17)
			*o = [8]byte{c, c, c, c, c, c, c, c}
			continue
		}
		x0, x1, x2, x3, t0, t1, t2, t3 := idct1D(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7])
		x0 += idctRowBias
		x1 += idctRowBias
		x2 += idctRowBias
		x3 += idctRowBias
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
