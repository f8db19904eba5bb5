package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Vectorised Darknet activations that need exp/log (logistic, swish, mish,
// tanh), AVX2+FMA, eight floats at a time. They evaluate Darknet's float
// formulas step by step (so cancellations such as logf(expf(x)+1) for very
// negative x behave as in Darknet), with expf and logf replaced by the
// Cephes single-precision polynomials (within 2 ulp of the correctly
// rounded results), so outputs agree with the scalar Go path to a few ulp.

var consts = map[string]Mem{}

// vconst returns a 32-byte read-only vector of eight copies of bits.
func vconst(name string, bits uint32) Mem {
	if m, ok := consts[name]; ok {
		return m
	}
	m := GLOBL(name, RODATA|NOPTR)
	for i := 0; i < 8; i++ {
		DATA(4*i, U32(bits))
	}
	consts[name] = m
	return m
}

func fconst(name string, v float32) Mem { return vconst(name, math.Float32bits(v)) }

// Comparison predicates for VCMPPS.
const (
	cmpLT = 0x11 // _CMP_LT_OQ
	cmpGT = 0x1e // _CMP_GT_OQ
)

// expf sets y = expf(x) for eight lanes; x is not modified.
func expf(x, y VecVirtual) {
	t := YMM()
	VMINPS(fconst("expHi", 88.3762626647949), x, t)
	VMAXPS(fconst("expLo", -87.3365478515625), t, t)
	fx := YMM()
	VMULPS(fconst("log2e", 1.44269504088896341), t, fx)
	VROUNDPS(U8(0), fx, fx) // nearest
	VFNMADD231PS(fconst("ln2hi", 0.693359375), fx, t)
	VFNMADD231PS(fconst("ln2lo", -2.12194440e-4), fx, t)
	VMOVUPS(fconst("expP0", 1.9875691500e-4), y)
	VFMADD213PS(fconst("expP1", 1.3981999507e-3), t, y)
	VFMADD213PS(fconst("expP2", 8.3334519073e-3), t, y)
	VFMADD213PS(fconst("expP3", 4.1665795894e-2), t, y)
	VFMADD213PS(fconst("expP4", 1.6666665459e-1), t, y)
	VFMADD213PS(fconst("expP5", 5.0000001201e-1), t, y)
	z := YMM()
	VMULPS(t, t, z)
	VFMADD213PS(t, z, y) // y = y·z + t
	VADDPS(fconst("one", 1), y, y)
	n := YMM()
	VCVTPS2DQ(fx, n)
	VPSLLD(U8(23), n, n)
	VPADDD(n, y, y)
	// Beyond the clamps: +Inf above, 0 below (glibc gives denormals there,
	// below 1.2e-38).
	m := YMM()
	VCMPPS(U8(cmpGT), fconst("expOver", 88.72283935546875), x, m)
	VBLENDVPS(m, vconst("posInf", 0x7f800000), y, y)
	VCMPPS(U8(cmpLT), fconst("expLo", -87.3365478515625), x, m)
	VANDNPS(y, m, y) // y = ^m & y
}

// logf sets y = logf(v) for v ≥ 1 (finite); v is clobbered.
func logf(v, y VecVirtual) {
	e := YMM()
	VPSRLD(U8(23), v, e)
	VPSUBD(vconst("i126", 126), e, e)
	VCVTDQ2PS(e, e)
	VANDPS(vconst("mantMask", 0x807fffff), v, v)
	VORPS(fconst("half", 0.5), v, v) // mantissa in [0.5, 1)
	m := YMM()
	VCMPPS(U8(cmpLT), fconst("sqrthf", 0.707106781186547524), v, m)
	t := YMM()
	VANDPS(v, m, t)
	VSUBPS(fconst("one", 1), v, v)
	VANDPS(fconst("one", 1), m, m)
	VSUBPS(m, e, e)
	VADDPS(t, v, v)
	z := YMM()
	VMULPS(v, v, z)
	VMOVUPS(fconst("logP0", 7.0376836292e-2), y)
	for i, c := range []float32{-1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
		-1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1} {
		VFMADD213PS(fconst(fmt.Sprintf("logP%d", i+1), c), v, y)
	}
	VMULPS(v, y, y)
	VMULPS(z, y, y)
	VFMADD231PS(fconst("ln2lo", -2.12194440e-4), e, y)
	VFNMADD231PS(fconst("half", 0.5), z, y)
	VADDPS(v, y, y)
	VFMADD231PS(fconst("ln2hi", 0.693359375), e, y)
}

// tanhDarknet sets y = 2/(1+expf(-2x)) - 1 (Darknet's tanh_activate).
func tanhDarknet(x, y VecVirtual) {
	u := YMM()
	VMULPS(fconst("minus2", -2), x, u)
	e := YMM()
	expf(u, e)
	VADDPS(fconst("one", 1), e, e)
	VMOVUPS(fconst("two", 2), y)
	VDIVPS(e, y, y)
	VSUBPS(fconst("one", 1), y, y)
}

// logistic sets y = 1/(1+expf(-x)).
func logistic(x, y VecVirtual) {
	u := YMM()
	VXORPS(vconst("signBit", 0x80000000), x, u)
	e := YMM()
	expf(u, e)
	VADDPS(fconst("one", 1), e, e)
	VMOVUPS(fconst("one", 1), y)
	VDIVPS(e, y, y)
}

// transcendentalActs emits actLogisticAVX2, actSwishAVX2, actMishAVX2 and
// actTanhAVX2, each func(x *float32, n int, bias float32): x[i] =
// act(x[i] + bias) for i < n, n a multiple of 8.
func transcendentalActs() {
	for _, act := range []string{"Logistic", "Swish", "Mish", "Tanh"} {
		name := "act" + act + "AVX2"
		TEXT(name, NOSPLIT, "func(x *float32, n int, bias float32)")
		Pragma("noescape")
		Doc(name + " sets x[i] = " + act + "(x[i]+bias) with Darknet's float formula, i < n (a multiple of 8).")
		p := Load(Param("x"), GP64())
		n := Load(Param("n"), GP64())
		bias := YMM()
		VBROADCASTSS(NewParamAddr("bias", 16), bias)
		Label(name + "_loop")
		TESTQ(n, n)
		JE(LabelRef(name + "_done"))
		x := YMM()
		VADDPS(Mem{Base: p}, bias, x)
		y := YMM()
		switch act {
		case "Logistic":
			logistic(x, y)
		case "Swish":
			logistic(x, y)
			VMULPS(x, y, y)
		case "Tanh":
			tanhDarknet(x, y)
		case "Mish":
			// softplus with threshold 20: x > 20 ? x : x < -20 ? e : logf(e+1)
			e := YMM()
			expf(x, e)
			v := YMM()
			VADDPS(fconst("one", 1), e, v)
			sp := YMM()
			logf(v, sp)
			m := YMM()
			VCMPPS(U8(cmpLT), fconst("minus20", -20), x, m)
			VBLENDVPS(m, e, sp, sp)
			VCMPPS(U8(cmpGT), fconst("twenty", 20), x, m)
			VBLENDVPS(m, x, sp, sp)
			tanhDarknet(sp, y)
			VMULPS(x, y, y)
		}
		// NaN in, NaN out, as with Darknet's scalar code (the clamps in expf
		// would otherwise turn a NaN into a number).
		nan := YMM()
		VCMPPS(U8(0x03), x, x, nan) // _CMP_UNORD_Q
		VBLENDVPS(nan, x, y, y)
		VMOVUPS(y, Mem{Base: p})
		ADDQ(U8(32), p)
		SUBQ(U8(8), n)
		JMP(LabelRef(name + "_loop"))
		Label(name + "_done")
		VZEROUPPER()
		RET()
	}
}
