package main

// logisticNEON(dst, src *float32, n int, table *float64) int: LogisticExact
// (kernels/logistic.go) for n a multiple of 8, bit for bit logisticFast:
// exp(-x) in float64 exactly as expfFast computes it (n = round(d·64/ln2),
// r = d − n·ln2/64, s = 2^((n mod 64)/64) from the table, e = (s + s·p(r))·
// 2^(n div 64)), the same steps in the same order as the AVX2 code
// (kernels/logistic_amd64.s), then 1/(1+e) in float32. It stops before the
// first group of 8 with an input outside [−87, 87] (or NaN) or a value
// expfFast would defer to expf (within 1023 float64 ulps of a float32
// rounding midpoint), and returns how many it did.
//
// Two doubles per register: a group of 8 floats is four pairs, done as two
// halves of two independent pairs.

const logTab = "R5"

func logistic64(f *file) {
	f.raw("\n// func logisticNEON(dst, src *float32, n int, table *float64) int\n")
	f.raw("TEXT ·logisticNEON(SB), NOSPLIT, $0-40\n")
	f.I("MOVD dst+0(FP), R0")
	f.I("MOVD src+8(FP), R1")
	f.I("MOVD n+16(FP), R2")
	f.I("MOVD table+24(FP), R3")
	f.I("MOVD $0, R4")
	f.I("MOVD $%s(SB), %s", f.table, logTab)
	f.L("logistic_loop")
	f.I("CMP $8, R2")
	f.I("BLT logistic_done")
	f.I("VLD1 (R1), [V0.S4, V1.S4]")
	// |x| <= 87 in every lane (false for NaN).
	f.FABS(2, 0)
	f.FABS(3, 1)
	f.LDQ(4, f.fconst("lim87", 87), logTab)
	f.FCMGE(2, 4, 2)
	f.FCMGE(3, 4, 3)
	f.AND(2, 2, 3)
	f.I("VMOV V2.D[0], R6")
	f.I("VMOV V2.D[1], R7")
	f.I("AND R6, R7")
	f.I("CMN $1, R7")
	f.I("BNE logistic_done")
	f.FNEG(0, 0)
	f.FNEG(1, 1)
	const guard, out0 = V(2), V(20)
	f.I("VEOR V%d.B16, V%d.B16, V%d.B16", guard, guard, guard)
	for h := V(0); h < 2; h++ {
		r := newRegs(3, 19)
		d, e := r.group(2), r.group(2)
		f.FCVTL(d[0], h)
		f.FCVTL2(d[1], h)
		expd(f, r, d, e, guard)
		f.FCVTN(out0+h, e[0])
		f.FCVTN2(out0+h, e[1])
	}
	f.I("VMOV V%d.D[0], R6", guard)
	f.I("VMOV V%d.D[1], R7", guard)
	f.I("ORR R6, R7")
	f.I("CBNZ R7, logistic_done")
	one := V(22)
	f.LDQ(one, f.fconst("one", 1), logTab)
	for h := V(0); h < 2; h++ {
		f.FADD(out0+h, out0+h, one)
	}
	for h := V(0); h < 2; h++ {
		f.MOV(24+h, one)
		f.FDIV(24+h, 24+h, out0+h)
	}
	f.I("VST1.P [V24.S4, V25.S4], 32(R0)")
	f.I("ADD $32, R1")
	f.I("ADD $8, R4")
	f.I("SUB $8, R2")
	f.I("B logistic_loop")
	f.L("logistic_done")
	f.I("MOVD R4, ret+32(FP)")
	f.I("RET")
}

// expd sets e = exp(d) for the pairs of doubles in d (expfFast's steps) and
// ORs into guard an all-ones lane for every result too close to a float32
// rounding midpoint. d is clobbered.
func expd(f *file, r *regs, d, e group, guard V) {
	dc := func(reg V, name string, bits uint64) { f.LDQ(reg, f.dconstOff(name, bits), logTab) }
	n := len(d)
	t, kd, rr, r2, p, tmp, c := r.group(n), r.group(n), r.group(n), r.group(n), r.group(n), r.group(n), r.get()
	dc(c, "c64", 0x40571547652b82fe) // 64/ln2
	for i := range d {
		f.FMUL2D(t[i], d[i], c)
	}
	dc(c, "shifter", 0x4338000000000000) // 0x1.8p52
	for i := range d {
		f.FADD2D(t[i], t[i], c)
	}
	for i := range d {
		f.FSUB2D(kd[i], t[i], c)
		f.SUB2D(t[i], t[i], c) // n, as an integer
	}
	dc(c, "ln2hi", 0x3f862e42fef00000)
	for i := range d {
		f.MOV(rr[i], d[i])
		f.FMLS2D(rr[i], kd[i], c)
	}
	dc(c, "ln2lo", 0x3d7473de6af278ed)
	for i := range d {
		f.FMLS2D(rr[i], kd[i], c)
	}
	for i := range d {
		f.FMUL2D(r2[i], rr[i], rr[i])
	}
	// p = sixth·r + half
	for i := range d {
		dc(p[i], "sixth", 0x3fc5555555555555)
		dc(tmp[i], "half", 0x3fe0000000000000)
		f.FMLA2D(tmp[i], p[i], rr[i])
	}
	// r4 = r2·r2·c24 (in kd, free now); p = p·r2 + r4; p += r
	dc(c, "c24", 0x3fa5555555555555)
	for i := range d {
		f.FMUL2D(kd[i], r2[i], r2[i])
		f.FMUL2D(kd[i], kd[i], c)
	}
	for i := range d {
		f.FMLA2D(kd[i], tmp[i], r2[i])
	}
	for i := range d {
		f.FADD2D(p[i], kd[i], rr[i])
	}
	// idx = n & 63; s = table[idx] (two scalar loads per pair)
	dc(c, "mask63", 63)
	idx := r2 // free now
	for i := range d {
		f.AND(idx[i], t[i], c)
	}
	for i := range d {
		ra, rb := 10+2*i, 11+2*i
		f.I("VMOV V%d.D[0], R%d", idx[i], ra)
		f.I("VMOV V%d.D[1], R%d", idx[i], rb)
		f.I("FMOVD (R3)(R%d<<3), F%d", ra, e[i])
		f.I("FMOVD (R3)(R%d<<3), F%d", rb, tmp[i])
		f.I("VMOV V%d.D[0], V%d.D[1]", tmp[i], e[i])
	}
	// e = s + p·s; then the exponent n div 64 into its bits
	for i := range d {
		f.FMLA2D(e[i], p[i], e[i])
	}
	for i := range d {
		f.SUB2D(t[i], t[i], idx[i])
		f.SHL2D(t[i], t[i], 46)
		f.ADD2D(e[i], e[i], t[i])
	}
	// guard: 0 <= (bits & (2^29-1)) - (2^28-1023) < 2047, unsigned compare
	dc(c, "low29", 0x1fffffff)
	for i := range d {
		f.AND(t[i], e[i], c)
	}
	dc(c, "guardlo", 0x0ffffc01)
	for i := range d {
		f.SUB2D(t[i], t[i], c)
	}
	dc(c, "guardspan", 2047)
	for i := range d {
		f.CMHI2D(t[i], c, t[i])
		f.ORR(guard, guard, t[i])
	}
	r.putGroup(t, kd, rr, r2, p, tmp)
	r.put(c)
}
