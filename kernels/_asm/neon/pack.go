package main

// Packing and gathering for the GEMM and the convolution's B operand:
// plain data movement, 16-byte loads and stores.

func packs(f *file) {
	// packRow12NEON(dst, row *float32, n, stride int): for each of the n
	// consecutive 12-float pieces of row, copy it to dst + i·stride
	// (stride in elements): one row of B into 12-column panels.
	f.raw("\n// func packRow12NEON(dst, row *float32, n, stride int)\n")
	f.raw("TEXT ·packRow12NEON(SB), NOSPLIT, $0-32\n")
	f.I("MOVD dst+0(FP), R0")
	f.I("MOVD row+8(FP), R1")
	f.I("MOVD n+16(FP), R2")
	f.I("MOVD stride+24(FP), R3")
	f.I("LSL $2, R3")
	f.I("CBZ R2, pack12_done")
	f.L("pack12_loop")
	f.I("VLD1.P 48(R1), [V0.S4, V1.S4, V2.S4]")
	f.I("VST1 [V0.S4, V1.S4, V2.S4], (R0)")
	f.I("ADD R3, R0")
	f.I("SUBS $1, R2")
	f.I("BNE pack12_loop")
	f.L("pack12_done")
	f.I("RET")

	// gatherStride2NEON(dst, src *float32, n int): dst[i] = src[2i] for
	// i < n, n a multiple of 4; reads src[0 : 2n] (LD2 de-interleaves
	// even and odd elements). The stride-2 im2col / conv B gather.
	f.raw("\n// func gatherStride2NEON(dst, src *float32, n int)\n")
	f.raw("TEXT ·gatherStride2NEON(SB), NOSPLIT, $0-24\n")
	f.I("MOVD dst+0(FP), R0")
	f.I("MOVD src+8(FP), R1")
	f.I("MOVD n+16(FP), R2")
	f.I("CMP $8, R2")
	f.I("BLT gather2_four")
	f.L("gather2_eight")
	f.I("VLD2.P 32(R1), [V0.S4, V1.S4]")
	f.I("VLD2.P 32(R1), [V2.S4, V3.S4]")
	f.I("VST1.P [V0.S4], 16(R0)")
	f.I("VST1.P [V2.S4], 16(R0)")
	f.I("SUB $8, R2")
	f.I("CMP $8, R2")
	f.I("BGE gather2_eight")
	f.L("gather2_four")
	f.I("CBZ R2, gather2_done")
	f.I("VLD2 (R1), [V0.S4, V1.S4]")
	f.I("VST1 [V0.S4], (R0)")
	f.L("gather2_done")
	f.I("RET")

	// packA8NEON(panel, a *float32, lda, k int): packs 8 rows of A (row
	// stride lda elements) over k columns, k a multiple of 4, into an
	// 8-row panel: panel[p·8+i] = a[i·lda+p]. Four columns at a time: two
	// 4×4 transposes (TRN1/TRN2 on 32- then 64-bit lanes).
	f.raw("\n// func packA8NEON(panel, a *float32, lda, k int)\n")
	f.raw("TEXT ·packA8NEON(SB), NOSPLIT, $0-32\n")
	f.I("MOVD panel+0(FP), R0")
	f.I("MOVD a+8(FP), R1")
	f.I("MOVD lda+16(FP), R2")
	f.I("LSL $2, R2")
	f.I("MOVD k+24(FP), R3")
	f.I("CMP $4, R3")
	f.I("BLT packa8_done")
	// R4..R11: the 8 row pointers.
	f.I("MOVD R1, R4")
	for i := 5; i <= 11; i++ {
		f.I("ADD R2, R%d, R%d", i-1, i)
	}
	f.L("packa8_loop")
	for i := 0; i < 8; i++ {
		f.I("VLD1.P 16(R%d), [V%d.S4]", 4+i, i)
	}
	// rows (0,1,2,3) -> columns, and rows (4,5,6,7).
	for h := 0; h < 2; h++ {
		b := 4 * h
		// t0 = trn1(r0,r1) = a0 b0 a2 b2, t1 = trn2(r0,r1) = a1 b1 a3 b3, same for r2,r3.
		f.I("VTRN1 V%d.S4, V%d.S4, V%d.S4", b+1, b, 16+b)
		f.I("VTRN2 V%d.S4, V%d.S4, V%d.S4", b+1, b, 17+b)
		f.I("VTRN1 V%d.S4, V%d.S4, V%d.S4", b+3, b+2, 18+b)
		f.I("VTRN2 V%d.S4, V%d.S4, V%d.S4", b+3, b+2, 19+b)
		// column 0 = trn1.2d(t0,t2), column 2 = trn2.2d(t0,t2), 1/3 from t1,t3.
		// Column j of this half goes to V(8+2j+h), so that column j's
		// rows 0-7 are the consecutive pair V(8+2j), V(9+2j).
		f.I("VTRN1 V%d.D2, V%d.D2, V%d.D2", 18+b, 16+b, 8+h)
		f.I("VTRN1 V%d.D2, V%d.D2, V%d.D2", 19+b, 17+b, 10+h)
		f.I("VTRN2 V%d.D2, V%d.D2, V%d.D2", 18+b, 16+b, 12+h)
		f.I("VTRN2 V%d.D2, V%d.D2, V%d.D2", 19+b, 17+b, 14+h)
	}
	for j := 0; j < 4; j++ {
		f.I("VST1.P [V%d.S4, V%d.S4], 32(R0)", 8+2*j, 9+2*j)
	}
	f.I("SUB $4, R3")
	f.I("CMP $4, R3")
	f.I("BGE packa8_loop")
	f.L("packa8_done")
	f.I("RET")
}
