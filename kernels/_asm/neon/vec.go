package main

// Vector helpers for the engine's elementwise loops: Add, Axpy (the
// depthwise convolution's taps) and Repeat2 (2× upsampling), bit for bit
// the Go loops (Go fuses dst += a·x into FMADDS on arm64, as FMLA does).

func vecs(f *file) {
	// addNEON(dst, x *float32, n int): dst[i] += x[i], n a multiple of 4.
	// axpyNEON(dst, x *float32, n int, alpha float32): dst[i] += alpha·x[i].
	for _, axpy := range []bool{false, true} {
		name, args, size := "addNEON", "dst, x *float32, n int", 24
		if axpy {
			name, args, size = "axpyNEON", "dst, x *float32, n int, alpha float32", 28
		}
		op := func(d, x V) {
			if axpy {
				f.FMLAE(d, x, 31, 0)
			} else {
				f.FADD(d, d, x)
			}
		}
		f.raw("\n// func %s(%s)\n", name, args)
		f.raw("TEXT ·%s(SB), NOSPLIT, $0-%d\n", name, size)
		f.I("MOVD dst+0(FP), R0")
		f.I("MOVD x+8(FP), R1")
		f.I("MOVD n+16(FP), R2")
		if axpy {
			f.I("FMOVS alpha+24(FP), F31")
		}
		f.I("MOVD R0, R3") // loads through R3, stores through R0 (see biasActs)
		f.I("CMP $16, R2")
		f.I("BLT %s_four", name)
		f.L(name + "_loop")
		f.I("VLD1.P 64(R3), [V0.S4, V1.S4, V2.S4, V3.S4]")
		f.I("VLD1.P 64(R1), [V4.S4, V5.S4, V6.S4, V7.S4]")
		for i := V(0); i < 4; i++ {
			op(i, 4+i)
		}
		f.I("VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)")
		f.I("SUB $16, R2")
		f.I("CMP $16, R2")
		f.I("BGE %s_loop", name)
		f.L(name + "_four")
		f.I("CMP $4, R2")
		f.I("BLT %s_done", name)
		f.I("VLD1.P 16(R3), [V0.S4]")
		f.I("VLD1.P 16(R1), [V4.S4]")
		op(0, 4)
		f.I("VST1.P [V0.S4], 16(R0)")
		f.I("SUB $4, R2")
		f.I("B %s_four", name)
		f.L(name + "_done")
		f.I("RET")
	}
}

// repeat2NEON(dst, src *float32, n int, scale float32): dst[2i] =
// dst[2i+1] = scale·src[i] for i < n, n a multiple of 4 (ZIP1/ZIP2 of the
// scaled quad with itself).
func repeat2(f *file) {
	f.raw("\n// func repeat2NEON(dst, src *float32, n int, scale float32)\n")
	f.raw("TEXT ·repeat2NEON(SB), NOSPLIT, $0-28\n")
	f.I("MOVD dst+0(FP), R0")
	f.I("MOVD src+8(FP), R1")
	f.I("MOVD n+16(FP), R2")
	f.I("FMOVS scale+24(FP), F31")
	f.I("CMP $8, R2")
	f.I("BLT repeat2_four")
	f.L("repeat2_loop")
	f.I("VLD1.P 32(R1), [V0.S4, V1.S4]")
	f.FMULE(0, 0, 31, 0)
	f.FMULE(1, 1, 31, 0)
	f.I("VZIP1 V0.S4, V0.S4, V4.S4")
	f.I("VZIP2 V0.S4, V0.S4, V5.S4")
	f.I("VZIP1 V1.S4, V1.S4, V6.S4")
	f.I("VZIP2 V1.S4, V1.S4, V7.S4")
	f.I("VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R0)")
	f.I("SUB $8, R2")
	f.I("CMP $8, R2")
	f.I("BGE repeat2_loop")
	f.L("repeat2_four")
	f.I("CMP $4, R2")
	f.I("BLT repeat2_done")
	f.I("VLD1 (R1), [V0.S4]")
	f.FMULE(0, 0, 31, 0)
	f.I("VZIP1 V0.S4, V0.S4, V4.S4")
	f.I("VZIP2 V0.S4, V0.S4, V5.S4")
	f.I("VST1 [V4.S4, V5.S4], (R0)")
	f.L("repeat2_done")
	f.I("RET")
}

// axpyStride2NEON(dst, x *float32, n int, alpha float32): dst[i] +=
// alpha·x[2i] for i < n, n a multiple of 4, reading x[0:2n] (LD2 keeps the
// even elements): the stride-2 depthwise convolution's taps.
func axpyStride2(f *file) {
	f.raw("\n// func axpyStride2NEON(dst, x *float32, n int, alpha float32)\n")
	f.raw("TEXT ·axpyStride2NEON(SB), NOSPLIT, $0-28\n")
	f.I("MOVD dst+0(FP), R0")
	f.I("MOVD x+8(FP), R1")
	f.I("MOVD n+16(FP), R2")
	f.I("FMOVS alpha+24(FP), F31")
	f.I("MOVD R0, R3") // loads through R3, stores through R0 (see biasActs)
	f.I("CMP $8, R2")
	f.I("BLT axpy2_four")
	f.L("axpy2_loop")
	f.I("VLD1.P 32(R3), [V0.S4, V1.S4]")
	f.I("VLD2.P 32(R1), [V4.S4, V5.S4]")
	f.I("VLD2.P 32(R1), [V6.S4, V7.S4]")
	f.FMLAE(0, 4, 31, 0)
	f.FMLAE(1, 6, 31, 0)
	f.I("VST1.P [V0.S4, V1.S4], 32(R0)")
	f.I("SUB $8, R2")
	f.I("CMP $8, R2")
	f.I("BGE axpy2_loop")
	f.L("axpy2_four")
	f.I("CMP $4, R2")
	f.I("BLT axpy2_done")
	f.I("VLD1 (R3), [V0.S4]")
	f.I("VLD2 (R1), [V4.S4, V5.S4]")
	f.FMLAE(0, 4, 31, 0)
	f.I("VST1 [V0.S4], (R0)")
	f.L("axpy2_done")
	f.I("RET")
}
