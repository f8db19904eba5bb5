package main

import "fmt"

// idctSTBNEON(dst *byte, stride int, b *[64]int32): IDCT8x8STB
// (kernels/idct.go), stb_image's integer IDCT, on int32 lanes, the same
// steps as the AVX2 version (kernels/idct_amd64.s): the column pass on the
// block's rows as vectors (lane = column; each row is two registers, so
// every pass runs on the left then the right four columns), a transpose,
// the row pass, a transpose back, and SQXTN then SQXTUN, which clamp the
// int32 results to [0, 255] exactly as stbi__clamp. Additions,
// subtractions and multiplications wrap mod 2^32 like C ints, so their
// order does not change the result; the multiplications by the 12-bit
// constants are MUL/MLA by element (the constants in three registers).
//
// Registers: row r of the block (or of its transpose) in V(2r) (lanes =
// columns 0-3) and V(2r+1) (columns 4-7); V16-V27 temporaries; V28 = C0-C3,
// V29 = C4-C7, V30 = C8-CB; V31 the pass's rounding bias.

// The constants of stbi__idct_block (kernels/idct.go's idctC0..idctCB).
var idctConsts = [12]int32{2217, -7567, 3135, 4816, 1223, 8410, 12586, 6149, -3685, -10497, -8034, -1597}

func idct(f *file) {
	f.raw("\n// func idctSTBNEON(dst *byte, stride int, b *[64]int32)\n")
	f.raw("TEXT ·idctSTBNEON(SB), NOSPLIT, $0-24\n")
	f.I("MOVD dst+0(FP), R0")
	f.I("MOVD stride+8(FP), R1")
	f.I("MOVD b+16(FP), R2")
	f.I("MOVD $%s(SB), R4", f.table)
	for q := 0; q < 3; q++ {
		var w [4]uint32
		for i := range w {
			w[i] = uint32(idctConsts[4*q+i])
		}
		f.LDQ(V(28+q), f.rawOff(fmt.Sprint("c", q), w), "R4")
	}
	for r := 0; r < 4; r++ {
		f.I("VLD1.P 64(R2), [V%d.S4, V%d.S4, V%d.S4, V%d.S4]", 4*r, 4*r+1, 4*r+2, 4*r+3)
	}
	f.LDQ(31, f.constOff("colbias", 512), "R4")
	for h := V(0); h < 2; h++ {
		idct1D(f, h, 10)
	}
	transpose8(f)
	f.LDQ(31, f.constOff("rowbias", 65536+128<<17), "R4")
	for h := V(0); h < 2; h++ {
		idct1D(f, h, 17)
	}
	transpose8(f)
	for r := V(0); r < 8; r++ {
		f.SQXTN(2*r, 2*r)
		f.SQXTN2(2*r, 2*r+1)
		f.SQXTUN(2*r, 2*r)
		f.I("FMOVD F%d, (R0)", 2*r)
		if r < 7 {
			f.I("ADD R1, R0")
		}
	}
	f.I("RET")
}

// idct1D is STBI__IDCT_1D on s_k = V(2k+h), k = 0..7, with the bias in
// V31 added to x0..x3: it leaves (x0+t3)>>sh, (x1+t2)>>sh, (x2+t1)>>sh,
// (x3+t0)>>sh, (x3-t0)>>sh, (x2-t1)>>sh, (x1-t2)>>sh, (x0-t3)>>sh in
// s0..s7.
func idct1D(f *file, h V, sh int) {
	var s [8]V
	for k := range s {
		s[k] = 2*V(k) + h
	}
	c := func(i int) (V, int) { return 28 + V(i/4), i % 4 } // constant Ci's register and lane
	mul := func(d, n V, i int) { m, l := c(i); f.MULE(d, n, m, l) }
	mla := func(d, n V, i int) { m, l := c(i); f.MLAE(d, n, m, l) }
	const t0, t1, t2, t3, p1, p2, p3, p4, p5 = 16, 17, 18, 19, 20, 21, 22, 23, 24
	// Even part: t3 in V16, t2 in V17, t0, t1 (biased) in V18, V19.
	f.ADD(t0, s[2], s[6])
	mul(t0, t0, 0) // p1 = (s2+s6)·C0
	mul(t1, s[6], 1)
	f.ADD(t1, t1, t0) // t2 = p1 + s6·C1
	mla(t0, s[2], 2)  // t3 = p1 + s2·C2
	f.ADD(t2, s[0], s[4])
	f.SUB(t3, s[0], s[4])
	f.SHL(t2, t2, 12) // t0 = (s0+s4)·4096
	f.SHL(t3, t3, 12) // t1 = (s0-s4)·4096
	f.ADD(t2, t2, 31)
	f.ADD(t3, t3, 31)
	x0, x1, x2, x3 := s[0], s[2], s[4], s[6] // the even inputs are consumed
	f.ADD(x0, t2, t0)
	f.SUB(x3, t2, t0)
	f.ADD(x1, t3, t1)
	f.SUB(x2, t3, t1)
	// Odd part: t0..t3 = s7, s5, s3, s1, in place.
	f.ADD(p3, s[7], s[3])
	f.ADD(p4, s[5], s[1])
	f.ADD(p1, s[7], s[1])
	f.ADD(p2, s[5], s[3])
	f.ADD(p5, p3, p4)
	mul(p5, p5, 3)
	mul(s[7], s[7], 4)
	mul(s[5], s[5], 5)
	mul(s[3], s[3], 6)
	mul(s[1], s[1], 7)
	mul(p1, p1, 8)
	f.ADD(p1, p1, p5) // p1 = p5 + p1·C8
	mla(p5, p2, 9)    // p2 = p5 + p2·C9, in p5
	mul(p3, p3, 10)
	mul(p4, p4, 11)
	f.ADD(s[1], s[1], p1)
	f.ADD(s[1], s[1], p4) // t3
	f.ADD(s[3], s[3], p5)
	f.ADD(s[3], s[3], p3) // t2
	f.ADD(s[5], s[5], p5)
	f.ADD(s[5], s[5], p4) // t1
	f.ADD(s[7], s[7], p1)
	f.ADD(s[7], s[7], p3) // t0
	// Outputs k = 0..7 into V16+k, then shifted into s_k.
	tt := [4]V{s[1], s[3], s[5], s[7]} // t3, t2, t1, t0
	xs := [4]V{x0, x1, x2, x3}
	for i := 0; i < 4; i++ {
		f.ADD(16+V(i), xs[i], tt[i])
		f.SUB(23-V(i), xs[i], tt[i])
	}
	for k := 0; k < 8; k++ {
		f.SSHR(s[k], 16+V(k), sh)
	}
}

// transpose8 transposes the 8×8 int32 matrix in V0-V15 in place: four 4×4
// transposes (TRN1/TRN2 of lanes, then of halves), the two off-diagonal
// blocks exchanged.
func transpose8(f *file) {
	// block returns the registers of the 4×4 block of rows r0.. and
	// column half h.
	block := func(r0 int, h V) [4]V {
		var b [4]V
		for i := range b {
			b[i] = 2*V(r0+i) + h
		}
		return b
	}
	// trn4 transposes in into out via four temporaries from tmp.
	trn4 := func(in, out [4]V, tmp V) {
		f.TRN1S(tmp, in[0], in[1])
		f.TRN2S(tmp+1, in[0], in[1])
		f.TRN1S(tmp+2, in[2], in[3])
		f.TRN2S(tmp+3, in[2], in[3])
		f.TRN1D(out[0], tmp, tmp+2)
		f.TRN1D(out[1], tmp+1, tmp+3)
		f.TRN2D(out[2], tmp, tmp+2)
		f.TRN2D(out[3], tmp+1, tmp+3)
	}
	trn4(block(0, 0), block(0, 0), 16)
	trn4(block(4, 1), block(4, 1), 20)
	// The off-diagonal blocks: both sets of temporaries first.
	a, b := block(4, 0), block(0, 1) // rows 4-7 left, rows 0-3 right
	for i, in := range [2][4]V{a, b} {
		tmp := V(16 + 4*i)
		f.TRN1S(tmp, in[0], in[1])
		f.TRN2S(tmp+1, in[0], in[1])
		f.TRN1S(tmp+2, in[2], in[3])
		f.TRN2S(tmp+3, in[2], in[3])
	}
	for i, out := range [2][4]V{b, a} { // rows 4-7 left → rows 0-3 right and back
		tmp := V(16 + 4*i)
		f.TRN1D(out[0], tmp, tmp+2)
		f.TRN1D(out[1], tmp+1, tmp+3)
		f.TRN2D(out[2], tmp, tmp+2)
		f.TRN2D(out[3], tmp+1, tmp+3)
	}
}
