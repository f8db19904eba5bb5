package main

// conv3x3NEON(out *float32, ldo int, in *float32, taps *int, chs, nch int,
// w *float32, flags int, bias *float32): one 4-filter × 24-position tile of
// the direct 3×3 convolution (kernels/conv3x3.go's Conv3x3 contract):
//
//	out[f·ldo + j] = s + Σ_{c<nch} Σ_{t<9} w[(c·9 + t)·4 + f] · in[c·chs + taps[t] + j]
//
// for f < 4, j < 24, one FMA per term in that order, from s = 0 or (flags&1)
// s = out[f·ldo + j]; then with flags&2 the epilogue v = s + bias[f] and
// flags>>2 = 0: v, 1: MaxF(v, 0.1·v), 2: v·(v > 0 ? 1 : 0). taps and chs
// are in bytes here (the Go glue converts), ldo in elements.
//
// Per tap: the 24 inputs (6 quads: one LD1 of four, one of two), the 4
// filters' weights (one quad) and 24 FMLAs by element, accumulator
// V(6f+q) += input quad q · weight lane f. V0-V23 accumulate, V24-V29 hold
// the inputs, V30 the weights: 24 FMLAs for 7 quad loads, so the two FMA
// pipes of a Cortex-A76/Neoverse-N1 set the pace, not the loads.

// tapRegs hold the 9 tap offsets.
var tapRegs = [9]int{9, 10, 11, 12, 13, 14, 15, 21, 22}

func conv3x3(f *file) {
	f.raw("\n// func conv3x3NEON(out *float32, ldo int, in *float32, taps *int, chs, nch int, w *float32, flags int, bias *float32)\n")
	f.raw("TEXT ·conv3x3NEON(SB), NOSPLIT, $0-72\n")
	f.I("MOVD out+0(FP), R0")
	f.I("MOVD ldo+8(FP), R1")
	f.I("LSL $2, R1")
	f.I("MOVD in+16(FP), R2")
	f.I("MOVD taps+24(FP), R8")
	f.I("MOVD chs+32(FP), R3")
	f.I("MOVD nch+40(FP), R4")
	f.I("MOVD w+48(FP), R5")
	f.I("MOVD flags+56(FP), R6")
	f.I("MOVD bias+64(FP), R7")
	// The 9 tap offsets (R16/R17 are left alone: the linker may use them
	// in veneers).
	for t, r := range tapRegs {
		f.I("MOVD %d(R8), R%d", 8*t, r)
	}
	f.I("TBZ $0, R6, conv3x3_zero")
	f.I("MOVD R0, R19")
	for r := 0; r < 4; r++ {
		f.I("VLD1 (R19), [V%d.S4, V%d.S4, V%d.S4, V%d.S4]", 6*r, 6*r+1, 6*r+2, 6*r+3)
		f.I("ADD $64, R19, R20")
		f.I("VLD1 (R20), [V%d.S4, V%d.S4]", 6*r+4, 6*r+5)
		f.I("ADD R1, R19")
	}
	f.I("B conv3x3_start")
	f.L("conv3x3_zero")
	for v := 0; v < 24; v++ {
		f.I("VEOR V%d.B16, V%d.B16, V%d.B16", v, v, v)
	}
	f.L("conv3x3_start")
	f.I("CMP $1, R4")
	f.I("BLT conv3x3_store")
	f.L("conv3x3_chan")
	for t := 0; t < 9; t++ {
		f.I("ADD R%d, R2, R19", tapRegs[t])
		f.I("VLD1.P 64(R19), [V24.S4, V25.S4, V26.S4, V27.S4]")
		f.I("VLD1 (R19), [V28.S4, V29.S4]")
		f.I("VLD1.P 16(R5), [V30.S4]")
		for fl := 0; fl < 4; fl++ {
			for q := V(0); q < 6; q++ {
				f.FMLAE(V(6*fl)+q, 24+q, 30, fl)
			}
		}
	}
	f.I("ADD R3, R2")
	f.I("SUBS $1, R4")
	f.I("BNE conv3x3_chan")
	f.L("conv3x3_store")
	f.I("TBZ $1, R6, conv3x3_put")
	// Epilogue: V30 = bias[f] in every lane, V31 = 0.1 or 1.0.
	f.I("VLD1 (R7), [V29.S4]")
	f.I("LSR $2, R6, R8")
	f.I("CMP $1, R8")
	f.I("BEQ conv3x3_leaky")
	f.I("CMP $2, R8")
	f.I("BEQ conv3x3_relu")
	for fl := 0; fl < 4; fl++ {
		f.I("VDUP V29.S[%d], V30.S4", fl)
		for q := V(0); q < 6; q++ {
			f.FADD(V(6*fl)+q, V(6*fl)+q, 30)
		}
	}
	f.I("B conv3x3_put")
	f.L("conv3x3_leaky")
	f.I("MOVW $0x3dcccccd, R8") // float32(0.1)
	f.I("VDUP R8, V31.S4")
	for fl := 0; fl < 4; fl++ {
		f.I("VDUP V29.S[%d], V30.S4", fl)
		for q := V(0); q < 6; q++ {
			a := V(6*fl) + q
			f.FADD(a, a, 30)
			// MaxF(v, 0.1·v): keep v where v > 0.1·v.
			f.FMUL(24, a, 31)
			f.FCMGT(25, a, 24)
			f.BIF(a, 24, 25)
		}
	}
	f.I("B conv3x3_put")
	f.L("conv3x3_relu")
	f.I("FMOVS $1.0, F31")
	f.I("VDUP V31.S[0], V31.S4")
	for fl := 0; fl < 4; fl++ {
		f.I("VDUP V29.S[%d], V30.S4", fl)
		for q := V(0); q < 6; q++ {
			a := V(6*fl) + q
			f.FADD(a, a, 30)
			f.FCMGTZ(24, a)
			f.AND(24, 24, 31)
			f.FMUL(a, a, 24)
		}
	}
	f.L("conv3x3_put")
	for r := 0; r < 4; r++ {
		f.I("VST1 [V%d.S4, V%d.S4, V%d.S4, V%d.S4], (R0)", 6*r, 6*r+1, 6*r+2, 6*r+3)
		f.I("ADD $64, R0, R20")
		f.I("VST1 [V%d.S4, V%d.S4], (R20)", 6*r+4, 6*r+5)
		f.I("ADD R1, R0")
	}
	f.I("RET")
}
