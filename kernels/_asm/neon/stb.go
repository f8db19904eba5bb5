package main

import "fmt"

// stbGatherNEON(R, G, B, yrow, cbNear, cbFar, crNear, crFar *uint8,
// plan *int32, nb int, v *STBChroma): nb blocks of 16 outputs of
// STBGather (kernels/stbycc.go) from the plan stbBlocks makes
// (kernels/stbycc_blocks.go), every block's luma and chroma bases with 64
// readable bytes after them (the caller checks).
//
// NEON has no gather, but TBL looks 16 bytes up in a 64-byte table: one
// 64-byte load of each row at the block's base and a TBL per row and tap
// pick the samples, as VPERMB does in the AVX-512 code. The chroma sums
// are regrouped: h0·(V0·n0 + V1·f0) + h1·(V0·n1 + V1·f1) equals
// V0·(h0·n0 + h1·n1) + V1·(h0·f0 + h1·f1) in wrapping int32 arithmetic (a
// ring), and with the weights bytes (the plan's condition) the bracketed
// sums are two exact byte products (UMULL) added into int32 lanes (UADDL):
// no widening of the samples and any int32 V0, V1. Then the Go code's
// steps: + Rnd, >> Shift (SSHL by -Shift), the low byte (AND), - 128, and
// stb_image's 12-bit conversion by element multiplies (green's Cb product
// with its low 8 bits cleared, BIC: ((x >> 8) << 8) for any int32 x);
// SQSHRUN #12 and UQXTN are >> 12 clamped to [0, 255]. Each block runs
// as two halves of 8 outputs (UMULL, then UMULL2 on the high bytes).
func stbGather(f *file) {
	stbGatherFn(f, false)
	stbGatherFn(f, true)
}

// stbGatherFn emits stbGatherNEON or, wide, stbGatherWideNEON: for plans
// whose blocks span up to 128 bytes, each row loaded as two 64-byte
// tables, TBL on the first and TBX (which leaves lanes whose index is
// past its table alone) on the second with the indices less 64 (those
// under 64 wrap past 191).
func stbGatherFn(f *file, wide bool) {
	name, loop := "stbGatherNEON", "stb_loop"
	if wide {
		name, loop = "stbGatherWideNEON", "stbw_loop"
	}
	f.raw("\n// func %s(R, G, B, yrow, cbNear, cbFar, crNear, crFar *uint8, plan *int32, nb int, v *STBChroma)\n", name)
	f.raw("TEXT ·%s(SB), NOSPLIT, $0-88\n", name)
	for i, a := range []string{"R", "G", "B", "yrow", "cbNear", "cbFar", "crNear", "crFar", "plan", "nb", "v"} {
		f.I("MOVD %s+%d(FP), R%d", a, 8*i, i)
	}
	// Constants: V28 = V0, V1, Rnd, Shift (STBChroma's lanes, for the by-
	// element multiplies); V29 Rnd, V30 -Shift, V31 0xff, V27 128, V26
	// 2048; V25 = the conversion's coefficients 5743, -2925, -1410, 7258.
	f.I("FMOVQ (R10), F28")
	f.I("MOVW 8(R10), R11")
	f.I("VDUP R11, V29.S4")
	f.I("MOVW 12(R10), R11")
	f.I("NEG R11, R11")
	f.I("VDUP R11, V30.S4")
	f.I("MOVD $255, R11")
	f.I("VDUP R11, V31.S4")
	f.I("MOVD $128, R11")
	f.I("VDUP R11, V27.S4")
	f.I("MOVD $2048, R11")
	f.I("VDUP R11, V26.S4")
	f.I("MOVD $%s(SB), R11", f.table)
	f.LDQ(25, f.rawOff("stbCoef", [4]uint32{5743, uint32(0xffffffff - 2925 + 1), uint32(0xffffffff - 1410 + 1), 7258}), "R11")
	f.I("MOVD $0, R13") // output offset
	f.L(loop)
	// The block: luma base, chroma base, then the luma indices (V20), the
	// first and second taps (V21, V22) and weights (V23, V24).
	f.I("MOVW (R8), R11")
	f.I("MOVW 4(R8), R12")
	f.I("ADD $8, R8")
	f.I("VLD1.P 64(R8), [V20.B16, V21.B16, V22.B16, V23.B16]")
	f.I("VLD1.P 16(R8), [V24.B16]")
	if wide { // V17-V19: the luma indices and the taps less 64
		f.I("MOVD $64, R15")
		f.I("VDUP R15, V16.B16")
		f.SUB16B(17, 20, 16)
		f.SUB16B(18, 21, 16)
		f.SUB16B(19, 22, 16)
	}
	// table loads the 64 bytes of row (a register) at base into V0-V3
	// (and, wide, the next 64 into V12-V15).
	table := func(row, base string) {
		f.I("ADD %s, %s, R14", base, row)
		if wide {
			f.I("VLD1.P 64(R14), [V0.B16, V1.B16, V2.B16, V3.B16]")
			f.I("VLD1 (R14), [V12.B16, V13.B16, V14.B16, V15.B16]")
		} else {
			f.I("VLD1 (R14), [V0.B16, V1.B16, V2.B16, V3.B16]")
		}
	}
	// pick looks idx up into d, from both tables when wide (idx2 = idx-64).
	pick := func(d, idx, idx2 V) {
		f.TBL4(d, 0, idx)
		if wide {
			f.TBX4(d, 12, idx2)
		}
	}
	table("R3", "R11")
	pick(20, 20, 17) // y
	// V4-V7: Cb near and far at the two taps; V8-V11: Cr.
	for p, rows := range [2][2]string{{"R4", "R5"}, {"R6", "R7"}} {
		for r, row := range rows {
			table(row, "R12")
			pick(V(4+4*p+2*r), 21, 18)
			pick(V(5+4*p+2*r), 22, 19)
		}
	}
	for h := 0; h < 2; h++ {
		stbHalf(f, h)
	}
	f.I("ADD $16, R13")
	f.I("SUBS $1, R9")
	f.I("BNE %s", loop)
	f.I("RET")
}

// stbHalf converts outputs 8h..8h+7 of the block (the samples in the low
// or high bytes of V4-V11 and V20) and stores them at R13 + 8h.
func stbHalf(f *file, h int) {
	// plane sums one chroma plane (near samples n0, n1 at the two taps,
	// far f0, f1) into int32 lanes out, out+1: the chroma byte minus 128.
	plane := func(n0, n1, f0, f1, out V) {
		for s, pair := range [2][2]V{{n0, n1}, {f0, f1}} {
			acc := V(2 + 10*s) // A in V2, V3; B in V12, V13
			f.UMULL(h, 0, 23, pair[0])
			f.UMULL(h, 1, 24, pair[1])
			f.UADDL(0, acc, 0, 1)
			f.UADDL(1, acc+1, 0, 1)
		}
		for k := V(0); k < 2; k++ {
			f.MULE(out+k, 2+k, 28, 0)
			f.MLAE(out+k, 12+k, 28, 1)
			f.ADD(out+k, out+k, 29)
			f.SSHL(out+k, out+k, 30)
			f.AND(out+k, out+k, 31)
			f.SUB(out+k, out+k, 27)
		}
	}
	plane(4, 5, 6, 7, 14)   // Cb - 128 in V14, V15
	plane(8, 9, 10, 11, 16) // Cr - 128 in V16, V17
	f.USHLL8(h, 0, 20)      // y as halfwords
	f.USHLL16(0, 18, 0, 12) // y << 12
	f.USHLL16(1, 19, 0, 12)
	f.ADD(18, 18, 26)
	f.ADD(19, 19, 26)
	// store narrows V2, V3 to bytes clamped to [0, 255] and writes them.
	store := func(out int) {
		f.SQSHRUN(0, 0, 2, 12)
		f.SQSHRUN(1, 0, 3, 12)
		f.UQXTN(0, 0)
		if h == 0 {
			f.I("FMOVD F0, (R%d)(R13)", out)
		} else {
			f.I("ADD $8, R13, R15")
			f.I("FMOVD F0, (R%d)(R15)", out)
		}
	}
	for k := V(0); k < 2; k++ { // R = y + Cr·1.402
		f.MULE(2+k, 16+k, 25, 0)
		f.ADD(2+k, 2+k, 18+k)
	}
	store(0)
	for k := V(0); k < 2; k++ { // G = y + ((-Cb·0.344) >> 8 << 8) - Cr·0.714
		f.MULE(2+k, 14+k, 25, 2)
		f.BIC(2+k, 2+k, 31)
		f.ADD(2+k, 2+k, 18+k)
		f.MLAE(2+k, 16+k, 25, 1)
	}
	store(1)
	for k := V(0); k < 2; k++ { // B = y + Cb·1.772
		f.MULE(2+k, 14+k, 25, 3)
		f.ADD(2+k, 2+k, 18+k)
	}
	store(2)
}

// TBL4 looks the bytes of idx up in the 64-byte table {n, …, n+3} (0 for
// indices past it).
func (f *file) TBL4(d, n, idx V) {
	chk(d, n, n+3, idx)
	f.word(0x4E006000|uint32(idx)<<16|uint32(n)<<5|uint32(d),
		fmt.Sprintf("tbl %s, { %s, %s, %s, %s }, %s", vb(d), vb(n), vb(n+1), vb(n+2), vb(n+3), vb(idx)))
}

// TBX4 is TBL4 that leaves d's lanes whose index is 64 or more alone.
func (f *file) TBX4(d, n, idx V) {
	chk(d, n, n+3, idx)
	f.word(0x4E007000|uint32(idx)<<16|uint32(n)<<5|uint32(d),
		fmt.Sprintf("tbx %s, { %s, %s, %s, %s }, %s", vb(d), vb(n), vb(n+1), vb(n+2), vb(n+3), vb(idx)))
}

// SUB16B subtracts bytes, wrapping.
func (f *file) SUB16B(d, n, m V) { f.three(0x6E208400, "sub", true, d, n, m) }

// UMULL multiplies the bytes of n and m into halfwords: the low 8 (hi 0)
// or, UMULL2, the high 8 (hi 1).
func (f *file) UMULL(hi int, d, n, m V) {
	chk(d, n, m)
	op, src := "umull", "8b"
	if hi == 1 {
		op, src = "umull2", "16b"
	}
	f.word(0x2E20C000|uint32(hi)<<30|uint32(m)<<16|uint32(n)<<5|uint32(d),
		fmt.Sprintf("%s %s, v%d.%s, v%d.%s", op, vh(d), n, src, m, src))
}

// UADDL adds the low 4 (hi 0) or, UADDL2, the high 4 halfwords of n and m
// into int32 lanes.
func (f *file) UADDL(hi int, d, n, m V) {
	chk(d, n, m)
	op, src := "uaddl", "4h"
	if hi == 1 {
		op, src = "uaddl2", "8h"
	}
	f.word(0x2E600000|uint32(hi)<<30|uint32(m)<<16|uint32(n)<<5|uint32(d),
		fmt.Sprintf("%s %s, v%d.%s, v%d.%s", op, vs(d), n, src, m, src))
}

// SSHL shifts the int32 lanes of n by the signed low byte of m's lanes
// (negative: arithmetic right shift).
func (f *file) SSHL(d, n, m V) { f.three(0x4EA04400, "sshl", false, d, n, m) }

// USHLL8 widens the low (hi 0) or high 8 bytes of n to halfwords.
func (f *file) USHLL8(hi int, d, n V) {
	chk(d, n)
	op, src := "ushll", "8b"
	if hi == 1 {
		op, src = "ushll2", "16b"
	}
	f.word(0x2F08A400|uint32(hi)<<30|uint32(n)<<5|uint32(d), fmt.Sprintf("%s %s, v%d.%s, #0", op, vh(d), n, src))
}

// USHLL16 widens the low (hi 0) or high 4 halfwords of n to int32 lanes
// shifted left by sh.
func (f *file) USHLL16(hi int, d, n V, sh int) {
	chk(d, n)
	op, src := "ushll", "4h"
	if hi == 1 {
		op, src = "ushll2", "8h"
	}
	f.word(0x2F10A400|uint32(hi)<<30|uint32(sh)<<16|uint32(n)<<5|uint32(d), fmt.Sprintf("%s %s, v%d.%s, #%d", op, vs(d), n, src, sh))
}

// SQSHRUN shifts the int32 lanes of n right by sh and narrows them to
// halfwords clamped to [0, 65535]: into the low half of d (hi 0, the high
// half zeroed) or, SQSHRUN2, its high half.
func (f *file) SQSHRUN(hi int, d, n V, sh int) {
	chk(d, n)
	op, dst := "sqshrun", "4h"
	if hi == 1 {
		op, dst = "sqshrun2", "8h"
	}
	f.word(0x2F008400|uint32(hi)<<30|uint32(32-sh)<<16|uint32(n)<<5|uint32(d), fmt.Sprintf("%s v%d.%s, %s, #%d", op, d, dst, vs(n), sh))
}

// UQXTN narrows the halfwords of n to bytes clamped to 255 in the low half
// of d.
func (f *file) UQXTN(d, n V) {
	chk(d, n)
	f.word(0x2E214800|uint32(n)<<5|uint32(d), fmt.Sprintf("uqxtn v%d.8b, %s", d, vh(n)))
}
