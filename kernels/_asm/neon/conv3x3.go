package main

import "fmt"

// The direct 3×3 convolution tiles (kernels/conv3x3.go's Conv3x3 and
// Conv3x3x8 contracts):
//
//	out[f·ldo + j] = s + Σ_{c<nch} Σ_{t<9} w[(c·9 + t)·4 + f] · in[c·chs + taps[t] + j]
//
// one FMA per term in that order, from s = 0 or (flags&1) s = out[f·ldo +
// j]; then with flags&2 the epilogue v = s + bias[f] and flags>>2 = 0: v,
// 1: MaxF(v, 0.1·v), 2: v·(v > 0 ? 1 : 0). taps and chs are in bytes here
// (the Go glue converts), ldo in elements.
//
//	conv3x3NEON(out *float32, ldo int, in *float32, taps *int, chs, nch int, w *float32, flags int, bias *float32)
//	    4 filters × 24 positions: per tap 6 input quads, 1 weight quad, 24 FMLAs
//	conv3x3PairNEON(out *float32, ldo int, in *float32, taps *int, chs, nch int, w0, w1 *float32, flags int, bias *float32)
//	    8 filters × 12 positions (filters 0-3 with w0, 4-7 with w1, bias[0:8]):
//	    per tap 3 input quads, 2 weight quads, 24 FMLAs — each input quad
//	    feeds 8 filters, so a tap loads 5 quads instead of 7
//
// Accumulator V(quads·f + q) holds filter f, positions 4q..4q+3, and gets
// input quad q (V24+q) times lane f%4 of weight quad f/4 (V(24+quads+f/4))
// by element. Every accumulator gets the same FMAs in the same order in both
// tiles, so they give the same bits. 24 FMLAs per tap keep the two FMA pipes
// of a Cortex-A76/Neoverse-N1 busy (loads are not the limit).

// tapRegs hold the 9 tap offsets (R16/R17 are left alone: the linker may
// use them in veneers).
var tapRegs = [9]int{9, 10, 11, 12, 13, 14, 15, 21, 22}

func conv3x3(f *file) {
	convTile(f, "conv3x3NEON", 4, 6)
	convTile(f, "conv3x3PairNEON", 8, 3)
}

func convTile(f *file, name string, filters, quads int) {
	pair := filters == 8
	acc := func(fl, q int) V { return V(quads*fl + q) }
	wreg := func(k int) V { return V(24 + quads + k) }
	label := func(s string) string { return name + "_" + s }
	// rows loads (or stores) the tile's accumulators, row by row of out.
	rows := func(op string) {
		f.I("MOVD R0, R19")
		for fl := 0; fl < filters; fl++ {
			list := func(q0, q1 int) string {
				s := ""
				for q := q0; q < q1; q++ {
					if s != "" {
						s += ", "
					}
					s += fmt.Sprintf("V%d.S4", acc(fl, q))
				}
				return "[" + s + "]"
			}
			if quads <= 4 {
				f.I("%s", ldst(op, list(0, quads), "(R19)"))
			} else {
				f.I("%s", ldst(op, list(0, 4), "(R19)"))
				f.I("ADD $64, R19, R20")
				f.I("%s", ldst(op, list(4, quads), "(R20)"))
			}
			f.I("ADD R1, R19")
		}
	}

	args := "w *float32"
	size := 72
	if pair {
		args, size = "w0, w1 *float32", 80
	}
	f.raw("\n// func %s(out *float32, ldo int, in *float32, taps *int, chs, nch int, %s, flags int, bias *float32)\n", name, args)
	f.raw("TEXT ·%s(SB), NOSPLIT, $0-%d\n", name, size)
	f.I("MOVD out+0(FP), R0")
	f.I("MOVD ldo+8(FP), R1")
	f.I("LSL $2, R1")
	f.I("MOVD in+16(FP), R2")
	f.I("MOVD taps+24(FP), R8")
	f.I("MOVD chs+32(FP), R3")
	f.I("MOVD nch+40(FP), R4")
	if pair {
		f.I("MOVD w0+48(FP), R5")
		f.I("MOVD w1+56(FP), R23")
		f.I("MOVD flags+64(FP), R6")
		f.I("MOVD bias+72(FP), R7")
	} else {
		f.I("MOVD w+48(FP), R5")
		f.I("MOVD flags+56(FP), R6")
		f.I("MOVD bias+64(FP), R7")
	}
	for t, r := range tapRegs {
		f.I("MOVD %d(R8), R%d", 8*t, r)
	}
	f.I("TBZ $0, R6, %s", label("zero"))
	rows("load")
	f.I("B %s", label("start"))
	f.L(label("zero"))
	for v := 0; v < 24; v++ {
		f.I("VEOR V%d.B16, V%d.B16, V%d.B16", v, v, v)
	}
	f.L(label("start"))
	f.I("CMP $1, R4")
	f.I("BLT %s", label("store"))
	f.L(label("chan"))
	wptr := []string{"R5", "R23"}
	for t := 0; t < 9; t++ {
		f.I("ADD R%d, R2, R19", tapRegs[t])
		if quads == 6 {
			f.I("VLD1.P 64(R19), [V24.S4, V25.S4, V26.S4, V27.S4]")
			f.I("VLD1 (R19), [V28.S4, V29.S4]")
		} else {
			f.I("VLD1 (R19), [V24.S4, V25.S4, V26.S4]")
		}
		for k := 0; k < filters/4; k++ {
			f.I("VLD1.P 16(%s), [V%d.S4]", wptr[k], wreg(k))
		}
		for fl := 0; fl < filters; fl++ {
			for q := 0; q < quads; q++ {
				f.FMLAE(acc(fl, q), V(24+q), wreg(fl/4), fl%4)
			}
		}
	}
	f.I("ADD R3, R2")
	f.I("SUBS $1, R4")
	f.I("BNE %s", label("chan"))
	f.L(label("store"))
	f.I("TBZ $1, R6, %s", label("put"))
	// Epilogue: the biases in V29 (and V30), each broadcast in turn into
	// the first weight register; V31 = 0.1 or 1.0; V24, V25 scratch.
	if pair {
		f.I("VLD1 (R7), [V29.S4, V30.S4]")
	} else {
		f.I("VLD1 (R7), [V29.S4]")
	}
	bcast := wreg(0)
	f.I("LSR $2, R6, R8")
	f.I("CMP $1, R8")
	f.I("BEQ %s", label("leaky"))
	f.I("CMP $2, R8")
	f.I("BEQ %s", label("relu"))
	each := func(body func(a V)) {
		for fl := 0; fl < filters; fl++ {
			f.I("VDUP V%d.S[%d], V%d.S4", 29+fl/4, fl%4, bcast)
			for q := 0; q < quads; q++ {
				a := acc(fl, q)
				f.FADD(a, a, bcast)
				body(a)
			}
		}
	}
	each(func(V) {})
	f.I("B %s", label("put"))
	f.L(label("leaky"))
	f.I("MOVW $0x3dcccccd, R8") // float32(0.1)
	f.I("VDUP R8, V31.S4")
	each(func(a V) {
		// MaxF(v, 0.1·v): keep v where v > 0.1·v.
		f.FMUL(24, a, 31)
		f.FCMGT(25, a, 24)
		f.BIF(a, 24, 25)
	})
	f.I("B %s", label("put"))
	f.L(label("relu"))
	f.I("FMOVS $1.0, F31")
	f.I("VDUP V31.S[0], V31.S4")
	each(func(a V) {
		f.FCMGTZ(24, a)
		f.AND(24, 24, 31)
		f.FMUL(a, a, 24)
	})
	f.L(label("put"))
	rows("store")
	f.I("RET")
}

// ldst formats a VLD1 or VST1 of a register list at addr.
func ldst(op, list, addr string) string {
	if op == "load" {
		return "VLD1 " + addr + ", " + list
	}
	return "VST1 " + list + ", " + addr
}
