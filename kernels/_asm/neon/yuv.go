package main

import "fmt"

// yuvGatherNEON(R, G, B, yrow, cb, cr *uint8, cols, ccols *int32, n int,
// k *YUVCoef): YUVGather (kernels/yuv.go) for n a multiple of 8 (n ≥ 8),
// every sample with 3 readable bytes after it (the amd64 contract; this
// code reads only the sample bytes themselves).
//
// NEON has no gather: each group of 8 pixels loads its columns as 64-bit
// pairs of int32 (LDP), the samples with byte loads (the low column
// zero-extended by the address mode, the high one shifted down), joins two
// samples in a general register (s0 | s1<<32) and moves two such registers
// into a vector with FMOVs to its low and high halves (INS would take a
// vector pipe too): four int32 lanes, no widening. Then the int32 sums of
// YUVCoef.RGB (MUL, MLA, ADD: they wrap as Go's int32 arithmetic does),
// >>16 as each lane's high halfword (UZP2: exact) and SQXTUN's signed →
// unsigned saturating narrow, which is the clamp to [0, 255]. The ten
// 32-bit multiplies per group bound it on Neoverse-N1 (one vector pipe
// multiplies; splitting the coefficients into 16-bit halves for the long
// multiplies would take as many pipe cycles).
//
// The loop is software-pipelined: each trip does the sums of the group
// gathered by the previous trip while it gathers the next, so the long
// chain load → join → move → multiply → narrow of one group overlaps the
// next group's loads instead of filling the core's window.
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
	f.I("MOVD $0, R9") // the group being converted
	f.I("SUB $8, R8")  // the last group
	yuvGatherGroup(f)
	f.L("yuv_loop")
	f.I("CMP R8, R9")
	f.I("BGE yuv_last")
	yuvSums(f)
	yuvGatherGroup(f)
	yuvStore(f)
	f.I("ADD $8, R9")
	f.I("B yuv_loop")
	f.L("yuv_last")
	yuvSums(f)
	yuvStore(f)
	f.I("RET")
}

// yuvGatherGroup loads the next 8 pixels' samples (columns at R6, chroma
// columns at R7, both advanced) into int32 lanes: V0, V1 = y; V2, V3 = cb;
// V4, V5 = cr (pixels 0-3, 4-7).
func yuvGatherGroup(f *file) {
	f.I("LDP (R6), (R10, R11)") // cols as two pairs each
	f.I("LDP 16(R6), (R12, R13)")
	f.I("LDP (R7), (R14, R15)") // ccols
	f.I("LDP 16(R7), (R16, R17)")
	f.I("ADD $32, R6")
	f.I("ADD $32, R7")
	// pair loads one plane's samples at the pair of columns in pr (its low
	// word) and hi (its high word, shifted down) into dst = s0 | s1<<32.
	pair := func(plane, pr, hi, dst string) {
		f.I("MOVBU (%s)(%s.UXTW), %s", plane, pr, dst)
		f.I("MOVBU (%s)(%s), %s", plane, hi, hi)
		f.I("ORR %s<<32, %s, %s", hi, dst, dst)
	}
	for p := 0; p < 4; p++ {
		f.I("LSR $32, R%d, R%d", 10+p, 19+p)
	}
	for p := 0; p < 4; p++ {
		pair("R3", reg(10+p), reg(19+p), reg(10+p))
	}
	for h := 0; h < 2; h++ {
		f.I("FMOVD R%d, F%d", 10+2*h, h)
		f.FMOVTOP(V(h), 11+2*h)
	}
	// Chroma, two sets of temporaries alternating (high column, cr high
	// sample, cb pair; the cr pair replaces the column pair).
	sets := [2][3]int{{19, 20, 21}, {22, 23, 24}}
	for p := 0; p < 4; p++ {
		s, c := sets[p&1], reg(14+p)
		f.I("LSR $32, %s, R%d", c, s[0])
		f.I("MOVBU (R5)(R%d), R%d", s[0], s[1])
		pair("R4", c, reg(s[0]), reg(s[2]))
		f.I("MOVBU (R5)(%s.UXTW), %s", c, c)
		f.I("ORR R%d<<32, %s, %s", s[1], c, c)
		h := V(p >> 1)
		if p&1 == 0 {
			f.I("FMOVD R%d, F%d", s[2], 2+h)
			f.I("FMOVD %s, F%d", c, 4+h)
		} else {
			f.FMOVTOP(2+h, s[2])
			f.FMOVTOP(4+h, 14+p)
		}
	}
}

// yuvSums converts the group in V0-V5 to bytes: R in the low half of V12,
// G in V13, B in V14 (V0-V11 are free afterwards).
func yuvSums(f *file) {
	// R in V6, V7; G in V8, V9; B in V10, V11.
	f.MUL(0, 0, 24) // CY·y
	f.MUL(1, 1, 24)
	for h := V(0); h < 2; h++ {
		f.ADD(6+h, h, 29)
		f.ADD(8+h, h, 30)
		f.ADD(10+h, h, 31)
		f.MLA(6+h, 4+h, 25)  // CrR·cr
		f.MLA(8+h, 2+h, 26)  // CbG·cb
		f.MLA(10+h, 2+h, 28) // CbB·cb
		f.MLA(8+h, 4+h, 27)  // CrG·cr
	}
	for c := V(0); c < 3; c++ {
		f.UZP2H(12+c, 6+2*c, 7+2*c)
		f.SQXTUN(12+c, 12+c)
	}
}

// yuvStore writes V12-V14's 8 bytes to R, G, B at R9.
func yuvStore(f *file) {
	for c := V(0); c < 3; c++ {
		f.I("FMOVD F%d, (R%d)(R9)", 12+c, c)
	}
}

func reg(i int) string { return fmt.Sprintf("R%d", i) }
