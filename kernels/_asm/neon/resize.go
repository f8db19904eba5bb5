package main

import "fmt"

// resizePairsNEON(out *float32, src *uint8, w0, w1 *float32, n int):
// ResizePairs (kernels/resize.go) for n a multiple of 8: out[i] =
// float32(w0[i]·a) + float32(w1[i]·b), a = float32(g[2i])/255, b =
// float32(g[2i+1])/255, two FMULs and an FADD (no fused multiply-add), as
// the reference rounds.
//
// The division: for a byte v, v/255 in binary is v's 8 bits repeated
// (0.vvvv…), so u = v<<24 | v<<16 | v<<8 | L read as 0.u (UCVTF with 32
// fraction bits, one rounding to nearest even) is float32(v)/255 when the
// low byte L carries the rest of the expansion's rounding: L = v (the plain
// pattern) is wrong for the powers of 2 (a tie UCVTF breaks to even that
// the true value, just above, does not have); L = min(v+min(v, 1), 255)
// (UMIN, UQADD) is right for all 256 values (kernels checks them all:
// TestResizeRecip). LD2 splits the pairs, a two-register TBL per 4 outputs
// builds the lanes from {L, v}.
func resizePairs(f *file) {
	f.raw("\n// func resizePairsNEON(out *float32, src *uint8, w0, w1 *float32, n int)\n")
	f.raw("TEXT ·resizePairsNEON(SB), NOSPLIT, $0-40\n")
	f.I("MOVD out+0(FP), R0")
	f.I("MOVD src+8(FP), R1")
	f.I("MOVD w0+16(FP), R2")
	f.I("MOVD w1+24(FP), R3")
	f.I("MOVD n+32(FP), R4")
	f.I("MOVD $%s(SB), R5", f.table)
	// Indices: for outputs 4q..4q+3 from table {L, v} (L bytes 0-15, v
	// 16-31) and from {v, L}.
	const ones = V(31)
	idxLV, idxVL := V(20), V(24)
	for q := 0; q < 4; q++ {
		var lv, vl [4]uint32
		for i := 0; i < 4; i++ {
			k := uint32(4*q + i)
			lv[i] = k | (16+k)*0x01010100
			vl[i] = 16 + k | k*0x01010100
		}
		f.LDQ(idxLV+V(q), f.rawOff(fmt.Sprint("idxLV", q), lv), "R5")
		f.LDQ(idxVL+V(q), f.rawOff(fmt.Sprint("idxVL", q), vl), "R5")
	}
	f.LDQ(ones, f.constOff("ones", 0x01010101), "R5")
	// Samples: even in V1, odd in V2; their low bytes L in V0 and V3, so
	// that {V0, V1} is {L, v} and {V2, V3} is {v, L}.
	body := func(groups int) {
		if groups == 4 {
			f.I("VLD2.P 32(R1), [V1.B16, V2.B16]")
			f.I("VLD1.P 64(R2), [V4.S4, V5.S4, V6.S4, V7.S4]")
			f.I("VLD1.P 64(R3), [V8.S4, V9.S4, V10.S4, V11.S4]")
		} else {
			f.I("VLD2.P 16(R1), [V1.B8, V2.B8]")
			f.I("VLD1.P 32(R2), [V4.S4, V5.S4]")
			f.I("VLD1.P 32(R3), [V8.S4, V9.S4]")
		}
		f.UMIN16B(0, 1, ones)
		f.UMIN16B(3, 2, ones)
		f.UQADD16B(0, 1, 0)
		f.UQADD16B(3, 2, 3)
		for q := V(0); q < V(groups); q++ {
			f.TBL2(12+q, 0, idxLV+q)
			f.TBL2(16+q, 2, idxVL+q)
		}
		for q := V(0); q < V(groups); q++ {
			f.UCVTFX(12+q, 12+q, 32)
			f.UCVTFX(16+q, 16+q, 32)
		}
		for q := V(0); q < V(groups); q++ {
			f.FMUL(12+q, 4+q, 12+q) // w0·a
			f.FMUL(16+q, 8+q, 16+q) // w1·b
		}
		for q := V(0); q < V(groups); q++ {
			f.FADD(12+q, 12+q, 16+q)
		}
		if groups == 4 {
			f.I("VST1.P [V12.S4, V13.S4, V14.S4, V15.S4], 64(R0)")
		} else {
			f.I("VST1.P [V12.S4, V13.S4], 32(R0)")
		}
		f.I("SUB $%d, R4", 4*groups)
	}
	f.I("CMP $16, R4")
	f.I("BLT resize_eight")
	f.L("resize_loop")
	body(4)
	f.I("CMP $16, R4")
	f.I("BGE resize_loop")
	f.L("resize_eight")
	f.I("CBZ R4, resize_done")
	body(2)
	f.L("resize_done")
	f.I("RET")
}

// blendRowsNEON(out, a, b *float32, n int, w0, w1 float32): BlendRows
// (kernels/resize.go) for n a multiple of 4: out[i] = float32(w0·a[i]) +
// float32(w1·b[i]), two FMULs by element and an FADD (no fused
// multiply-add), as the reference rounds.
func blendRows(f *file) {
	f.raw("\n// func blendRowsNEON(out, a, b *float32, n int, w0, w1 float32)\n")
	f.raw("TEXT ·blendRowsNEON(SB), NOSPLIT, $0-40\n")
	f.I("MOVD out+0(FP), R0")
	f.I("MOVD a+8(FP), R1")
	f.I("MOVD b+16(FP), R2")
	f.I("MOVD n+24(FP), R3")
	f.I("FMOVS w0+32(FP), F30")
	f.I("FMOVS w1+36(FP), F31")
	body := func(quads int) {
		switch quads {
		case 4:
			f.I("VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]")
			f.I("VLD1.P 64(R2), [V4.S4, V5.S4, V6.S4, V7.S4]")
		default:
			f.I("VLD1.P 16(R1), [V0.S4]")
			f.I("VLD1.P 16(R2), [V4.S4]")
		}
		for q := V(0); q < V(quads); q++ {
			f.FMULE(q, q, 30, 0)     // w0·a
			f.FMULE(4+q, 4+q, 31, 0) // w1·b
		}
		for q := V(0); q < V(quads); q++ {
			f.FADD(q, q, 4+q)
		}
		switch quads {
		case 4:
			f.I("VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)")
		default:
			f.I("VST1.P [V0.S4], 16(R0)")
		}
		f.I("SUB $%d, R3", 4*quads)
	}
	f.I("CMP $16, R3")
	f.I("BLT blend_four")
	f.L("blend_loop")
	body(4)
	f.I("CMP $16, R3")
	f.I("BGE blend_loop")
	f.L("blend_four")
	f.I("CBZ R3, blend_done")
	body(1)
	f.I("B blend_four")
	f.L("blend_done")
	f.I("RET")
}
