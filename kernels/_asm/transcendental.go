package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Vectorised Darknet activations that need exp/log (logistic, swish, mish,
// tanh), AVX2+FMA eight floats at a time and AVX-512 sixteen (the same
// operations lane for lane, so the same bits; comparisons go to opmask
// registers there instead of vector masks). They evaluate Darknet's float
// formulas step by step (so cancellations such as logf(expf(x)+1) for very
// negative x behave as in Darknet), with expf and logf replaced by the
// Cephes single-precision polynomials (within 2 ulp of the correctly
// rounded results), so outputs agree with the scalar Go path to a few ulp.

var consts = map[string]Mem{}

// vconst returns a 64-byte read-only vector of sixteen copies of bits (the
// AVX2 code reads the first 32 bytes).
func vconst(name string, bits uint32) Mem {
	if m, ok := consts[name]; ok {
		return m
	}
	m := GLOBL(name, RODATA|NOPTR)
	for i := 0; i < 16; i++ {
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

// The helpers below work on groups of registers (one per independent
// 8-lane chain) and emit each step for every member before the next step,
// so the chains' long dependency latencies overlap.

type group []VecVirtual

// zmmForms selects the AVX-512 forms for the function being generated:
// zmm registers, opmask registers for comparisons.
var zmmForms bool

func newGroup(n int) group {
	g := make(group, n)
	for i := range g {
		if zmmForms {
			g[i] = ZMM()
		} else {
			g[i] = YMM()
		}
	}
	return g
}

// cmpBlend sets dst = (x PRED c) ? a : b lane-wise.
func cmpBlend(pred uint8, c, x, a, b, dst Op) {
	if zmmForms {
		k := K()
		VCMPPS(U8(pred), c, x, k)
		VBLENDMPS(a, b, k, dst)
		return
	}
	m := YMM()
	VCMPPS(U8(pred), c, x, m)
	VBLENDVPS(m, a, b, dst)
}

// expf sets y = expf(x) lane-wise; x is not modified.
func expf(x, y group) {
	n := len(x)
	t, fx, z, e, m := newGroup(n), newGroup(n), newGroup(n), newGroup(n), newGroup(n)
	for i := range x {
		VMINPS(fconst("expHi", 88.3762626647949), x[i], t[i])
	}
	for i := range x {
		VMAXPS(fconst("expLo", -87.3365478515625), t[i], t[i])
	}
	for i := range x {
		VMULPS(fconst("log2e", 1.44269504088896341), t[i], fx[i])
	}
	for i := range x {
		if zmmForms {
			VRNDSCALEPS(U8(0), fx[i], fx[i]) // nearest, as VROUNDPS $0
		} else {
			VROUNDPS(U8(0), fx[i], fx[i]) // nearest
		}
	}
	for i := range x {
		VFNMADD231PS(fconst("ln2hi", 0.693359375), fx[i], t[i])
	}
	for i := range x {
		VFNMADD231PS(fconst("ln2lo", -2.12194440e-4), fx[i], t[i])
	}
	for i := range x {
		VMOVUPS(fconst("expP0", 1.9875691500e-4), y[i])
	}
	for _, c := range []struct {
		name string
		v    float32
	}{{"expP1", 1.3981999507e-3}, {"expP2", 8.3334519073e-3}, {"expP3", 4.1665795894e-2},
		{"expP4", 1.6666665459e-1}, {"expP5", 5.0000001201e-1}} {
		for i := range x {
			VFMADD213PS(fconst(c.name, c.v), t[i], y[i])
		}
	}
	for i := range x {
		VMULPS(t[i], t[i], z[i])
	}
	for i := range x {
		VFMADD213PS(t[i], z[i], y[i]) // y = y·z + t
	}
	for i := range x {
		VADDPS(fconst("one", 1), y[i], y[i])
	}
	for i := range x {
		VCVTPS2DQ(fx[i], e[i])
	}
	for i := range x {
		VPSLLD(U8(23), e[i], e[i])
	}
	for i := range x {
		VPADDD(e[i], y[i], y[i])
	}
	// Beyond the clamps: +Inf above, 0 below (glibc gives denormals there,
	// below 1.2e-38).
	if zmmForms {
		zero := ZMM()
		VXORPS(zero, zero, zero)
		for i := range x {
			cmpBlend(cmpGT, fconst("expOver", 88.72283935546875), x[i], vconst("posInf", 0x7f800000), y[i], y[i])
		}
		for i := range x {
			cmpBlend(cmpLT, fconst("expLo", -87.3365478515625), x[i], zero, y[i], y[i])
		}
		return
	}
	for i := range x {
		VCMPPS(U8(cmpGT), fconst("expOver", 88.72283935546875), x[i], m[i])
		VBLENDVPS(m[i], vconst("posInf", 0x7f800000), y[i], y[i])
	}
	for i := range x {
		VCMPPS(U8(cmpLT), fconst("expLo", -87.3365478515625), x[i], m[i])
		VANDNPS(y[i], m[i], y[i]) // y = ^m & y
	}
}

// logf sets y = logf(v) for v ≥ 1 (finite); v is clobbered.
func logf(v, y group) {
	n := len(v)
	e, m, t, z := newGroup(n), newGroup(n), newGroup(n), newGroup(n)
	for i := range v {
		VPSRLD(U8(23), v[i], e[i])
	}
	for i := range v {
		VPSUBD(vconst("i126", 126), e[i], e[i])
	}
	for i := range v {
		VCVTDQ2PS(e[i], e[i])
	}
	for i := range v {
		VANDPS(vconst("mantMask", 0x807fffff), v[i], v[i])
	}
	for i := range v {
		VORPS(fconst("half", 0.5), v[i], v[i]) // mantissa in [0.5, 1)
	}
	if zmmForms {
		// t = v < sqrthf ? v : 0, m = v < sqrthf ? 1 : 0, through an opmask.
		for i := range v {
			k := K()
			VCMPPS(U8(cmpLT), fconst("sqrthf", 0.707106781186547524), v[i], k)
			VMOVAPS_Z(v[i], k, t[i])
			VMOVUPS_Z(fconst("one", 1), k, m[i])
		}
	} else {
		for i := range v {
			VCMPPS(U8(cmpLT), fconst("sqrthf", 0.707106781186547524), v[i], m[i])
		}
	}
	for i := range v {
		if !zmmForms {
			VANDPS(v[i], m[i], t[i])
		}
		VSUBPS(fconst("one", 1), v[i], v[i])
		if !zmmForms {
			VANDPS(fconst("one", 1), m[i], m[i])
		}
		VSUBPS(m[i], e[i], e[i])
		VADDPS(t[i], v[i], v[i])
	}
	for i := range v {
		VMULPS(v[i], v[i], z[i])
	}
	for i := range v {
		VMOVUPS(fconst("logP0", 7.0376836292e-2), y[i])
	}
	for k, c := range []float32{-1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
		-1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1} {
		for i := range v {
			VFMADD213PS(fconst(fmt.Sprintf("logP%d", k+1), c), v[i], y[i])
		}
	}
	for i := range v {
		VMULPS(v[i], y[i], y[i])
	}
	for i := range v {
		VMULPS(z[i], y[i], y[i])
	}
	for i := range v {
		VFMADD231PS(fconst("ln2lo", -2.12194440e-4), e[i], y[i])
	}
	for i := range v {
		VFNMADD231PS(fconst("half", 0.5), z[i], y[i])
	}
	for i := range v {
		VADDPS(v[i], y[i], y[i])
	}
	for i := range v {
		VFMADD231PS(fconst("ln2hi", 0.693359375), e[i], y[i])
	}
}

// tanhDarknet sets y = 2/(1+expf(-2x)) - 1 (Darknet's tanh_activate).
func tanhDarknet(x, y group) {
	n := len(x)
	u, e := newGroup(n), newGroup(n)
	for i := range x {
		VMULPS(fconst("minus2", -2), x[i], u[i])
	}
	expf(u, e)
	for i := range x {
		VADDPS(fconst("one", 1), e[i], e[i])
		VMOVUPS(fconst("two", 2), y[i])
	}
	for i := range x {
		VDIVPS(e[i], y[i], y[i])
	}
	for i := range x {
		VSUBPS(fconst("one", 1), y[i], y[i])
	}
}

// logistic sets y = 1/(1+expf(-x)).
func logistic(x, y group) {
	n := len(x)
	u, e := newGroup(n), newGroup(n)
	for i := range x {
		VXORPS(vconst("signBit", 0x80000000), x[i], u[i])
	}
	expf(u, e)
	for i := range x {
		VADDPS(fconst("one", 1), e[i], e[i])
		VMOVUPS(fconst("one", 1), y[i])
	}
	for i := range x {
		VDIVPS(e[i], y[i], y[i])
	}
}

// transcendentalActs emits actLogisticAVX2, actSwishAVX2, actMishAVX2 and
// actTanhAVX2, each func(x *float32, n int, bias float32): x[i] =
// act(x[i] + bias) for i < n, n a multiple of 8. The main loop runs two
// independent 8-lane chains (16 floats); a last group of 8 runs alone.
// With wide, the AVX512 versions: 16 lanes, n a multiple of 16.
func transcendentalActs(wide bool) {
	zmmForms = wide
	defer func() { zmmForms = false }()
	lanes, vbytes, suffix := 8, 32, "AVX2"
	if wide {
		lanes, vbytes, suffix = 16, 64, "AVX512"
	}
	for _, act := range []string{"Logistic", "Swish", "Mish", "Tanh"} {
		name := "act" + act + suffix
		TEXT(name, NOSPLIT, "func(x *float32, n int, bias float32)")
		Pragma("noescape")
		Doc(fmt.Sprintf("%s sets x[i] = %s(x[i]+bias) with Darknet's float formula, i < n (a multiple of %d).", name, act, lanes))
		p := Load(Param("x"), GP64())
		n := Load(Param("n"), GP64())
		for _, width := range []int{2, 1} {
			loop := fmt.Sprintf("%s_loop%d", name, width)
			next := fmt.Sprintf("%s_loop%d", name, width-1)
			if width == 1 {
				next = name + "_done"
			}
			Label(loop)
			CMPQ(n, U32(lanes*width))
			JL(LabelRef(next))
			bias := newGroup(1)[0]
			VBROADCASTSS(NewParamAddr("bias", 16), bias)
			x, y := newGroup(width), newGroup(width)
			for i := range x {
				VADDPS(Mem{Base: p, Disp: vbytes * i}, bias, x[i])
			}
			switch act {
			case "Logistic":
				logistic(x, y)
			case "Swish":
				logistic(x, y)
				for i := range x {
					VMULPS(x[i], y[i], y[i])
				}
			case "Tanh":
				tanhDarknet(x, y)
			case "Mish":
				// softplus with threshold 20: x > 20 ? x : x < -20 ? e : logf(e+1)
				e, v, sp, m := newGroup(width), newGroup(width), newGroup(width), newGroup(width)
				expf(x, e)
				for i := range x {
					VADDPS(fconst("one", 1), e[i], v[i])
				}
				logf(v, sp)
				for i := range x {
					if zmmForms {
						cmpBlend(cmpLT, fconst("minus20", -20), x[i], e[i], sp[i], sp[i])
						cmpBlend(cmpGT, fconst("twenty", 20), x[i], x[i], sp[i], sp[i])
						continue
					}
					VCMPPS(U8(cmpLT), fconst("minus20", -20), x[i], m[i])
					VBLENDVPS(m[i], e[i], sp[i], sp[i])
					VCMPPS(U8(cmpGT), fconst("twenty", 20), x[i], m[i])
					VBLENDVPS(m[i], x[i], sp[i], sp[i])
				}
				tanhDarknet(sp, y)
				for i := range x {
					VMULPS(x[i], y[i], y[i])
				}
			}
			// NaN in, NaN out, as with Darknet's scalar code (the clamps in
			// expf would otherwise turn a NaN into a number).
			for i := range x {
				cmpBlend(0x03, x[i], x[i], x[i], y[i], y[i]) // _CMP_UNORD_Q
				VMOVUPS(y[i], Mem{Base: p, Disp: vbytes * i})
			}
			ADDQ(U32(vbytes*width), p)
			SUBQ(U32(lanes*width), n)
			JMP(LabelRef(loop))
		}
		Label(name + "_done")
		VZEROUPPER()
		RET()
	}
}
