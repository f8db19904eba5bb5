package main

// Max pooling runs with Darknet's comparison, MaxF(a, b) = a > b ? a : b
// (b when equal or either is NaN): FCMGT then BIT, the same bits as the
// Go reference, NaN and signed zeros included.

func pools(f *file) {
	// maxIntoNEON(dst, x *float32, n int): dst[i] = MaxF(x[i], dst[i])
	// for i < n, n a multiple of 4.
	f.raw("\n// func maxIntoNEON(dst, x *float32, n int)\n")
	f.raw("TEXT ·maxIntoNEON(SB), NOSPLIT, $0-24\n")
	f.I("MOVD dst+0(FP), R0")
	f.I("MOVD x+8(FP), R1")
	f.I("MOVD n+16(FP), R2")
	f.I("MOVD R0, R3") // dst for loading; R0 for storing (see biasActs)
	f.I("CMP $16, R2")
	f.I("BLT maxinto_four")
	f.L("maxinto_loop")
	f.I("VLD1.P 64(R3), [V0.S4, V1.S4, V2.S4, V3.S4]")
	f.I("VLD1.P 64(R1), [V4.S4, V5.S4, V6.S4, V7.S4]")
	for i := V(0); i < 4; i++ {
		f.FCMGT(8+i, 4+i, i)
	}
	for i := V(0); i < 4; i++ {
		f.BIT(i, 4+i, 8+i)
	}
	f.I("VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)")
	f.I("SUB $16, R2")
	f.I("CMP $16, R2")
	f.I("BGE maxinto_loop")
	f.L("maxinto_four")
	f.I("CMP $4, R2")
	f.I("BLT maxinto_done")
	f.I("VLD1.P 16(R3), [V0.S4]")
	f.I("VLD1.P 16(R1), [V4.S4]")
	f.FCMGT(8, 4, 0)
	f.BIT(0, 4, 8)
	f.I("VST1.P [V0.S4], 16(R0)")
	f.I("SUB $4, R2")
	f.I("B maxinto_four")
	f.L("maxinto_done")
	f.I("RET")

	// maxPairsNEON(dst, r0, r1 *float32, n int): for i < n (a multiple
	// of 4), v = MaxF(MaxF(r0[2i], r0[2i+1]), -MaxFloat32) and dst[i] =
	// MaxF(MaxF(r1[2i], r1[2i+1]), v).
	f.raw("\n// func maxPairsNEON(dst, r0, r1 *float32, n int)\n")
	f.raw("TEXT ·maxPairsNEON(SB), NOSPLIT, $0-32\n")
	f.I("MOVD dst+0(FP), R0")
	f.I("MOVD r0+8(FP), R1")
	f.I("MOVD r1+16(FP), R2")
	f.I("MOVD n+24(FP), R3")
	maxPairsRun(f, "maxpairs")
	f.I("RET")

	// maxPairsRowsNEON(dst *float32, ldd int, src *float32, lds, rows, n
	// int): MaxPairs for each of rows output rows, row r from input rows
	// 2r and 2r+1 (strides in elements, n a multiple of 4, rows ≥ 1).
	f.raw("\n// func maxPairsRowsNEON(dst *float32, ldd int, src *float32, lds, rows, n int)\n")
	f.raw("TEXT ·maxPairsRowsNEON(SB), NOSPLIT, $0-48\n")
	f.I("MOVD dst+0(FP), R10")
	f.I("MOVD ldd+8(FP), R12")
	f.I("LSL $2, R12")
	f.I("MOVD src+16(FP), R11")
	f.I("MOVD lds+24(FP), R13")
	f.I("LSL $2, R13")
	f.I("MOVD rows+32(FP), R14")
	f.I("MOVD n+40(FP), R15")
	f.L("maxpairsrows_row")
	f.I("MOVD R10, R0")
	f.I("MOVD R11, R1")
	f.I("ADD R13, R11, R2")
	f.I("MOVD R15, R3")
	maxPairsRun(f, "maxpairsrows")
	f.I("ADD R12, R10")
	f.I("ADD R13<<1, R11, R11")
	f.I("SUBS $1, R14")
	f.I("BGT maxpairsrows_row")
	f.I("RET")
}

// maxPairsRun emits the MaxPairs loop over R3 outputs (a multiple of 4) at
// R0 from the input rows at R1 and R2 (all advanced), 8 outputs per step
// while there are: LD2 splits even and odd columns. It falls through at
// the end (label prefix_done).
func maxPairsRun(f *file, prefix string) {
	f.I("MOVW $0xff7fffff, R4") // -math.MaxFloat32
	f.I("VDUP R4, V31.S4")
	// body computes 4·groups outputs; the groups are independent chains.
	body := func(groups int) {
		for g := V(0); g < V(groups); g++ {
			f.I("VLD2.P 32(R1), [V%d.S4, V%d.S4]", 10*g, 10*g+1)
			f.I("VLD2.P 32(R2), [V%d.S4, V%d.S4]", 10*g+2, 10*g+3)
		}
		for g := V(0); g < V(groups); g++ {
			b := 10 * g
			// v = MaxF(even0, odd0): odd gets even where even > odd.
			f.FCMGT(b+4, b, b+1)
			f.BIT(b+1, b, b+4)
			// w = MaxF(even1, odd1)
			f.FCMGT(b+7, b+2, b+3)
			f.BIT(b+3, b+2, b+7)
			// v = MaxF(v, -MaxFloat32)
			f.FCMGT(b+5, b+1, 31)
			f.MOV(b+6, 31)
			f.BIT(b+6, b+1, b+5)
			// dst = MaxF(w, v)
			f.FCMGT(b+8, b+3, b+6)
			f.BIT(b+6, b+3, b+8)
		}
		for g := V(0); g < V(groups); g++ {
			f.I("VST1.P [V%d.S4], 16(R0)", 10*g+6)
		}
		f.I("SUB $%d, R3", 4*groups)
	}
	f.I("CMP $8, R3")
	f.I("BLT %s_four", prefix)
	f.L(prefix + "_loop")
	body(2)
	f.I("CMP $8, R3")
	f.I("BGE %s_loop", prefix)
	f.L(prefix + "_four")
	f.I("CMP $4, R3")
	f.I("BLT %s_done", prefix)
	body(1)
	f.I("B %s_four", prefix)
	f.L(prefix + "_done")
}
