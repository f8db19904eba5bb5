package main

// The depthwise convolution's row kernel (kernels/depthwise.go):
//
//	dwRowNEON(out *float32, taps **float32, w *float32, kk, n int, bias float32, rows, pitch int)
//	    out[r·n + j] = fma(w[kk−1], taps[kk−1][j + r·pitch/4], … fma(w[0], taps[0][…], bias))
//	    for r < rows (≥ 1) and j < n rounded down to 4 (the Go code does the rest)
//
// one FMLA per tap in tap order (the reference's fma32 chain). For kk == 9
// (3×3) the weights stay in V20-V22 (w[0:4], w[4:8], w[5:9]: lane 3 of
// the last is w[8], and nothing past the 9 weights is read), the tap
// pointers in general registers (post-incremented), and each step does 16
// positions as 4 independent chains; other kk loop over the taps, 4
// positions at a time.

// dwTapRegs hold the 9 tap pointers (R16/R17 are left alone: the linker may
// use them in veneers; R18 is the platform register).
var dwTapRegs = [9]int{9, 10, 11, 12, 13, 14, 15, 21, 22}

func depthwiseRow(f *file) {
	const name = "dwRowNEON"
	label := func(s string) string { return name + "_" + s }
	f.raw("\n// func %s(out *float32, taps **float32, w *float32, kk, n int, bias float32, rows, pitch int)\n", name)
	f.raw("TEXT ·%s(SB), NOSPLIT, $0-64\n", name)
	f.I("MOVD out+0(FP), R0")
	f.I("MOVD taps+8(FP), R1")
	f.I("MOVD w+16(FP), R2")
	f.I("MOVD kk+24(FP), R3")
	f.I("MOVD n+32(FP), R23")
	f.I("FMOVS bias+40(FP), F31")
	f.I("VDUP V31.S[0], V31.S4")
	f.I("MOVD rows+48(FP), R24")
	// R20 = n rounded down to 4 (positions per row), R23 = the bytes out
	// skips at a row's end (its last n mod 4), R25 = what the tap pointers
	// skip (pitch minus the bytes they advanced).
	f.I("AND $~3, R23, R20")
	f.I("SUB R20, R23")
	f.I("LSL $2, R23")
	f.I("MOVD pitch+56(FP), R25")
	f.I("SUB R20<<2, R25")
	f.I("CMP $9, R3")
	f.I("BNE %s", label("general"))

	// 3×3: weight t is lane t%4 of V20+t/4, except w[8] = lane 3 of V22.
	f.I("VLD1 (R2), [V20.S4, V21.S4]")
	f.I("ADD $20, R2, R19")
	f.I("VLD1 (R19), [V22.S4]")
	wlane := func(t int) (V, int) {
		if t == 8 {
			return 22, 3
		}
		return V(20 + t/4), t % 4
	}
	for t, r := range dwTapRegs {
		f.I("MOVD %d(R1), R%d", 8*t, r)
	}
	f.L(label("row"))
	f.I("MOVD R20, R4")
	f.I("CMP $16, R4")
	f.I("BLT %s", label("four"))
	f.L(label("loop16"))
	for q := V(0); q < 4; q++ {
		f.MOV(q, 31)
	}
	for t, r := range dwTapRegs {
		x := V(4 + 4*(t%2)) // alternate two load groups so loads run ahead
		f.I("VLD1.P 64(R%d), [V%d.S4, V%d.S4, V%d.S4, V%d.S4]", r, x, x+1, x+2, x+3)
		wr, lane := wlane(t)
		for q := V(0); q < 4; q++ {
			f.FMLAE(q, x+q, wr, lane)
		}
	}
	f.I("VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)")
	f.I("SUB $16, R4")
	f.I("CMP $16, R4")
	f.I("BGE %s", label("loop16"))
	f.L(label("four"))
	f.I("CMP $4, R4")
	f.I("BLT %s", label("next"))
	f.MOV(0, 31)
	for t, r := range dwTapRegs {
		f.I("VLD1.P 16(R%d), [V%d.S4]", r, 4+t%4)
		wr, lane := wlane(t)
		f.FMLAE(0, V(4+t%4), wr, lane)
	}
	f.I("VST1.P [V0.S4], 16(R0)")
	f.I("SUB $4, R4")
	f.I("B %s", label("four"))
	f.L(label("next"))
	f.I("ADD R23, R0")
	for _, r := range dwTapRegs {
		f.I("ADD R25, R%d", r)
	}
	f.I("SUBS $1, R24")
	f.I("BNE %s", label("row"))
	f.I("RET")

	// Any kk: R5 = byte offset of the positions from the taps, R6 = tap index.
	f.L(label("general"))
	f.I("MOVD ZR, R5")
	f.L(label("grow"))
	f.I("MOVD R20, R4")
	f.L(label("gloop"))
	f.I("CMP $4, R4")
	f.I("BLT %s", label("gnext"))
	f.MOV(0, 31)
	f.I("MOVD ZR, R6")
	f.L(label("gtap"))
	f.I("LSL $3, R6, R7")
	f.I("MOVD (R1)(R7), R8")  // taps[t]
	f.I("ADD R5, R8")         // + the positions' offset
	f.I("VLD1 (R8), [V4.S4]") // 4 positions of tap t
	f.I("LSL $2, R6, R7")
	f.I("ADD R2, R7")
	f.I("FMOVS (R7), F5") // w[t] in lane 0
	f.FMLAE(0, 4, 5, 0)
	f.I("ADD $1, R6")
	f.I("CMP R3, R6")
	f.I("BLT %s", label("gtap"))
	f.I("VST1.P [V0.S4], 16(R0)")
	f.I("ADD $16, R5")
	f.I("SUB $4, R4")
	f.I("B %s", label("gloop"))
	f.L(label("gnext"))
	f.I("ADD R23, R0")
	f.I("ADD R25, R5")
	f.I("SUBS $1, R24")
	f.I("BNE %s", label("grow"))
	f.I("RET")
}
