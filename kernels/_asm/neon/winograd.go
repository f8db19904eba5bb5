package main

// The F(4×4, 3×3) Winograd transforms and the tile gather/scatter: 8
// floats (transforms) or 4 tiles (gather, scatter) per step, with the
// operations in the order of the AVX2 code (kernels/winograd_amd64.s), so
// both ISAs give the same bits. They need n ≥ 8 (the transforms) or n ≥ 4
// (gather, scatter): a last partial step is one more full step that
// overlaps the previous one (every pointer moved back), recomputing a few
// elements with the same result; source and destination never overlap.
//
// Registers: R20 counts the elements still to do, R19 is scratch; V31
// holds the constants 4, 5, 2, 8 in its lanes (used by element).

const (
	lane4, lane5, lane2, lane8 = 0, 1, 2, 3
)

// loadPtrs loads len(regs) pointers from the array whose address is the
// argument at off(FP).
func loadPtrs(f *file, arg string, off int, regs []int) {
	f.I("MOVD %s+%d(FP), R19", arg, off)
	for i, r := range regs {
		f.I("MOVD %d(R19), R%d", 8*i, r)
	}
}

// stepLoop emits the loop skeleton around body: while R20 ≥ step run body
// (which advances every pointer by one step); then, if 0 < R20 < step,
// move every pointer back by step − R20 elements (shift: log2 of the bytes
// one element advances it) and run body once more.
func stepLoop(f *file, name string, step int, ptrs, shifts []int, body func()) {
	f.L(name + "_loop")
	f.I("CMP $%d, R20", step)
	f.I("BLT %s_tail", name)
	f.L(name + "_body")
	body()
	f.I("SUB $%d, R20", step)
	f.I("B %s_loop", name)
	f.L(name + "_tail")
	f.I("CBZ R20, %s_done", name)
	f.I("MOVD $%d, R19", step)
	f.I("SUB R20, R19, R19") // elements to redo
	f.I("MOVD $%d, R20", step)
	for i, p := range ptrs {
		f.I("SUB R19<<%d, R%d, R%d", shifts[i], p, p)
	}
	f.I("B %s_body", name)
	f.L(name + "_done")
	f.I("RET")
}

func same(v, n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = v
	}
	return s
}

func winograd(f *file) {
	consts := func() {
		f.I("MOVD $%s(SB), R19", f.table)
		f.LDQ(31, f.vecOff("wino4528", [4]float32{4, 5, 2, 8}), "R19")
	}
	src, dst := []int{0, 1, 2, 3, 4, 5}, []int{6, 7, 8, 9, 10, 11}
	all := append(append([]int{}, src...), dst...)

	// winoInputNEON(src, dst *[6]*float32, n int): Bᵀ·d, n ≥ 8.
	// d_i of half h (floats 4h..4h+3 of the step) in V(2i+h); result row
	// r of half h in V(12+2r+h); scratch V24-V27.
	f.raw("\n// func winoInputNEON(src, dst *[6]*float32, n int)\n")
	f.raw("TEXT ·winoInputNEON(SB), NOSPLIT, $0-24\n")
	consts()
	loadPtrs(f, "src", 0, src)
	loadPtrs(f, "dst", 8, dst)
	f.I("MOVD n+16(FP), R20")
	stepLoop(f, "winoin", 8, all, same(2, 12), func() {
		for i := 0; i < 6; i++ {
			f.I("VLD1.P 32(R%d), [V%d.S4, V%d.S4]", src[i], 2*i, 2*i+1)
		}
		for h := V(0); h < 2; h++ {
			d := func(i V) V { return 2*i + h }
			e := func(r V) V { return 12 + 2*r + h }
			x, y := 24+2*h, 25+2*h
			// e0 = (d4 − 5·d2) + 4·d0, e5 = (d5 − 5·d3) + 4·d1
			f.MOV(e(0), d(4))
			f.FMLSE(e(0), d(2), 31, lane5)
			f.FMLAE(e(0), d(0), 31, lane4)
			f.MOV(e(5), d(5))
			f.FMLSE(e(5), d(3), 31, lane5)
			f.FMLAE(e(5), d(1), 31, lane4)
			// e1 = (d3 + d4) − 4·(d1 + d2)
			f.FADD(e(1), d(4), d(3))
			f.FADD(x, d(2), d(1))
			f.FMLSE(e(1), x, 31, lane4)
			// e2 = (d4 − d3) + 4·(d1 − d2)
			f.FSUB(e(2), d(4), d(3))
			f.FSUB(y, d(1), d(2))
			f.FMLAE(e(2), y, 31, lane4)
			// e3 = (d4 − d2) + 2·(d3 − d1), e4 = (d4 − d2) − 2·(d3 − d1)
			f.FSUB(e(3), d(4), d(2))
			f.FSUB(x, d(3), d(1))
			f.MOV(e(4), e(3))
			f.FMLAE(e(3), x, 31, lane2)
			f.FMLSE(e(4), x, 31, lane2)
		}
		for r := 0; r < 6; r++ {
			f.I("VST1.P [V%d.S4, V%d.S4], 32(R%d)", 12+2*r, 13+2*r, dst[r])
		}
	})

	// winoOutputNEON(src *[6]*float32, dst *[4]*float32, n int): Aᵀ·m.
	// m_i of half h in V(2i+h); y_r in V(12+2r+h); s12, d12, s34, d34 in
	// V(20+4h)..V(23+4h).
	odst := dst[:4]
	oall := append(append([]int{}, src...), odst...)
	f.raw("\n// func winoOutputNEON(src *[6]*float32, dst *[4]*float32, n int)\n")
	f.raw("TEXT ·winoOutputNEON(SB), NOSPLIT, $0-24\n")
	consts()
	loadPtrs(f, "src", 0, src)
	loadPtrs(f, "dst", 8, odst)
	f.I("MOVD n+16(FP), R20")
	stepLoop(f, "winoout", 8, oall, same(2, 10), func() {
		for i := 0; i < 6; i++ {
			f.I("VLD1.P 32(R%d), [V%d.S4, V%d.S4]", src[i], 2*i, 2*i+1)
		}
		for h := V(0); h < 2; h++ {
			m := func(i V) V { return 2*i + h }
			y := func(r V) V { return 12 + 2*r + h }
			s12, d12, s34, d34 := 20+4*h, 21+4*h, 22+4*h, 23+4*h
			f.FADD(s12, m(1), m(2))
			f.FSUB(d12, m(1), m(2))
			f.FADD(s34, m(3), m(4))
			f.FSUB(d34, m(3), m(4))
			// y0 = (m0 + s12) + s34
			f.FADD(y(0), m(0), s12)
			f.FADD(y(0), y(0), s34)
			// y1 = d12 + 2·d34
			f.MOV(y(1), d12)
			f.FMLAE(y(1), d34, 31, lane2)
			// y2 = s12 + 4·s34
			f.MOV(y(2), s12)
			f.FMLAE(y(2), s34, 31, lane4)
			// y3 = (d12 + m5) + 8·d34
			f.FADD(y(3), d12, m(5))
			f.FMLAE(y(3), d34, 31, lane8)
		}
		for r := 0; r < 4; r++ {
			f.I("VST1.P [V%d.S4, V%d.S4], 32(R%d)", 12+2*r, 13+2*r, odst[r])
		}
	})

	// winoGatherNEON(row *float32, q *[6]*float32, n int), n ≥ 4:
	// q[j][t] = row[4t+j]. LD4 de-interleaves 4 tiles' columns 0-3, and
	// again from row+4 for columns 4, 5. Reads row[0 : 4n+4].
	q := []int{0, 1, 2, 3, 4, 5}
	f.raw("\n// func winoGatherNEON(row *float32, q *[6]*float32, n int)\n")
	f.raw("TEXT ·winoGatherNEON(SB), NOSPLIT, $0-24\n")
	f.I("MOVD row+0(FP), R6")
	f.I("ADD $16, R6, R7")
	loadPtrs(f, "q", 8, q)
	f.I("MOVD n+16(FP), R20")
	stepLoop(f, "winogather", 4, append([]int{6, 7}, q...), append([]int{4, 4}, same(2, 6)...), func() {
		f.I("VLD4.P 64(R6), [V0.S4, V1.S4, V2.S4, V3.S4]")
		f.I("VLD4.P 64(R7), [V4.S4, V5.S4, V6.S4, V7.S4]")
		for j := 0; j < 6; j++ {
			f.I("VST1.P [V%d.S4], 16(R%d)", j, q[j])
		}
	})

	// winoScatterNEON(y *[4]*float32, dst *float32, n int), n ≥ 4:
	// dst[4t+j] = y[j][t] (ST4 interleaves).
	ys := []int{0, 1, 2, 3}
	f.raw("\n// func winoScatterNEON(y *[4]*float32, dst *float32, n int)\n")
	f.raw("TEXT ·winoScatterNEON(SB), NOSPLIT, $0-24\n")
	loadPtrs(f, "y", 0, ys)
	f.I("MOVD dst+8(FP), R6")
	f.I("MOVD n+16(FP), R20")
	stepLoop(f, "winoscatter", 4, append([]int{6}, ys...), append([]int{4}, same(2, 4)...), func() {
		for j := 0; j < 4; j++ {
			f.I("VLD1.P 16(R%d), [V%d.S4]", ys[j], j)
		}
		f.I("VST4.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R6)")
	})
}
