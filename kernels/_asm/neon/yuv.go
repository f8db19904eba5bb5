package main

import "fmt"

// yuvGatherNEON(R, G, B, yrow, cb, cr *uint8, cols, ccols *int32, n int,
// k *YUVCoef): YUVGather (kernels/yuv.go) for n a multiple of 8, every
// sample with 3 readable bytes after it (the amd64 contract; this code
// reads only the sample bytes themselves). NEON has no gather: each
// iteration loads the 8 columns of each plane as two 64-bit pairs of
// int32, loads the samples with byte loads (the low column zero-extended
// by the address mode, the high one shifted down), joins two samples in a
// general register (b0 | b1<<32) and moves two such registers into a
// vector: four int32 lanes per register, no widening needed. Then the
// int32 sums of YUVCoef.RGB (MUL/MLA/ADD wrap as Go's int32 arithmetic),
// >>16 as the high halfword of each lane (UZP2, exact), and SQXTUN's
// signed→unsigned saturating narrow, which is the clamp to [0, 255].
func yuvGather(f *file) {
	f.raw("\n// func yuvGatherNEON(R, G, B, yrow, cb, cr *uint8, cols, ccols *int32, n int, k *YUVCoef)\n")
	f.raw("TEXT ·yuvGatherNEON(SB), NOSPLIT, $0-80\n")
	for i, a := range []string{"R", "G", "B", "yrow", "cb", "cr", "cols", "ccols", "n", "k"} {
		f.I("MOVD %s+%d(FP), R%d", a, 8*i, i)
	}
	// Coefficients, broadcast: V24 CY, V25 CrR, V26 CbG, V27 CrG, V28 CbB,
	// V29 BR, V30 BG, V31 BB (YUVCoef's field order).
	for i := 0; i < 8; i++ {
		f.I("MOVW %d(R9), R10", 4*i)
		f.I("VDUP R10, V%d.S4", 24+i)
	}
	f.I("MOVD $0, R9") // j
	f.L("yuv_loop")
	f.I("LDP (R6), (R10, R11)") // cols j..j+3 as two pairs
	f.I("LDP 16(R6), (R12, R13)")
	f.I("LDP (R7), (R14, R15)") // ccols
	f.I("LDP 16(R7), (R16, R17)")
	f.I("ADD $32, R6")
	f.I("ADD $32, R7")
	// pair loads one plane's two samples at the columns in pair (low and
	// high word) into dst as dst = s0 | s1<<32.
	pair := func(plane, pr, hi, dst string) {
		f.I("MOVBU (%s)(%s.UXTW), %s", plane, pr, dst)
		f.I("MOVBU (%s)(%s), %s", plane, hi, hi)
		f.I("ORR %s<<32, %s, %s", hi, dst, dst)
	}
	// Luma: V0 = pixels 0-3, V1 = pixels 4-7.
	lt := []string{"R19", "R20", "R21", "R22"}
	for p := 0; p < 4; p++ {
		f.I("LSR $32, R%d, %s", 10+p, lt[p])
	}
	for p := 0; p < 4; p++ {
		pair("R3", fmtR(10+p), lt[p], fmtR(10+p))
	}
	yinto(f, 0, "R10", "R11")
	yinto(f, 1, "R12", "R13")
	// Chroma: V2, V3 = cb, V4, V5 = cr; two temporaries sets alternate.
	sets := [][3]string{{"R19", "R20", "R21"}, {"R22", "R23", "R24"}}
	for p := 0; p < 4; p++ {
		s := sets[p&1]
		cp := fmtR(14 + p)
		f.I("LSR $32, %s, %s", cp, s[0])
		f.I("MOVBU (R5)(%s), %s", s[0], s[1])
		pair("R4", cp, s[0], s[2])
		f.I("MOVBU (R5)(%s.UXTW), %s", cp, cp)
		f.I("ORR %s<<32, %s, %s", s[1], cp, cp)
		half := V(p >> 1)
		if p&1 == 0 {
			f.I("FMOVD %s, F%d", s[2], 2+half)
			f.I("FMOVD %s, F%d", cp, 4+half)
		} else {
			f.I("VMOV %s, V%d.D[1]", s[2], 2+half)
			f.I("VMOV %s, V%d.D[1]", cp, 4+half)
		}
	}
	// The sums: V0, V1 = CY·y; R in V6, V7; G in V8, V9; B in V10, V11.
	f.MUL(0, 0, 24)
	f.MUL(1, 1, 24)
	for h := V(0); h < 2; h++ {
		f.ADD(6+h, h, 29)
		f.ADD(8+h, h, 30)
		f.ADD(10+h, h, 31)
	}
	for h := V(0); h < 2; h++ {
		f.MLA(6+h, 4+h, 25)  // CrR·cr
		f.MLA(8+h, 2+h, 26)  // CbG·cb
		f.MLA(10+h, 2+h, 28) // CbB·cb
	}
	for h := V(0); h < 2; h++ {
		f.MLA(8+h, 4+h, 27) // CrG·cr
	}
	for c := V(0); c < 3; c++ {
		f.UZP2H(12+c, 6+2*c, 7+2*c)
	}
	for c := V(0); c < 3; c++ {
		f.SQXTUN(12+c, 12+c)
	}
	for c := V(0); c < 3; c++ {
		f.I("FMOVD F%d, (R%d)(R9)", 12+c, c)
	}
	f.I("ADD $8, R9")
	f.I("CMP R8, R9")
	f.I("BLT yuv_loop")
	f.I("RET")
}

// yinto moves two joined sample pairs into V v: lo to lanes 0-1, hi to 2-3.
func yinto(f *file, v V, lo, hi string) {
	f.I("FMOVD %s, F%d", lo, v)
	f.I("VMOV %s, V%d.D[1]", hi, v)
}

func fmtR(i int) string { return fmt.Sprintf("R%d", i) }
