package main

import "fmt"

// Darknet's activations on NEON: the exact bias+linear/leaky/relu passes and
// logistic/swish/mish/tanh with the same Cephes expf/logf steps, in the same
// order and with the same fused operations as the AVX2 code in
// ../transcendental.go, so both ISAs give the same bits (FRINTN rounds half
// to even like VROUNDPS $0; FMLA/FMLS fuse like VFMADD/VFNMADD).

// actTab is the register holding the activation kernels' constant table.
const actTab = "R2"

// expf sets y = expf(x) lane-wise (x unchanged).
func expf(f *file, r *regs, x, y group) {
	t, fx, c := r.group(len(x)), r.group(len(x)), r.get()
	f.ldc(c, actTab, "expHi", 88.3762626647949)
	for i := range x {
		f.FMIN(t[i], x[i], c)
	}
	f.ldc(c, actTab, "expLo", -87.3365478515625)
	for i := range x {
		f.FMAX(t[i], t[i], c)
	}
	f.ldc(c, actTab, "log2e", 1.44269504088896341)
	for i := range x {
		f.FMUL(fx[i], t[i], c)
	}
	for i := range x {
		f.FRINTN(fx[i], fx[i])
	}
	f.ldc(c, actTab, "ln2hi", 0.693359375)
	for i := range x {
		f.FMLS(t[i], fx[i], c)
	}
	f.ldc(c, actTab, "ln2lo", -2.12194440e-4)
	for i := range x {
		f.FMLS(t[i], fx[i], c)
	}
	for i := range x {
		f.ldc(y[i], actTab, "expP0", 1.9875691500e-4)
	}
	// y = y·t + P_k: the constant is loaded into a fresh register that then
	// accumulates, and the two registers swap roles.
	alt := r.group(len(x))
	for _, p := range []struct {
		name string
		v    float32
	}{{"expP1", 1.3981999507e-3}, {"expP2", 8.3334519073e-3}, {"expP3", 4.1665795894e-2},
		{"expP4", 1.6666665459e-1}, {"expP5", 5.0000001201e-1}} {
		for i := range x {
			f.ldc(alt[i], actTab, p.name, p.v)
			f.FMLA(alt[i], y[i], t[i])
		}
		for i := range x {
			alt[i], y[i] = y[i], alt[i]
		}
	}
	z := alt // free again
	for i := range x {
		f.FMUL(z[i], t[i], t[i])
	}
	for i := range x {
		f.FMLA(t[i], y[i], z[i]) // t = y·z + t
	}
	for i := range x {
		y[i], t[i] = t[i], y[i]
	}
	f.ldc(c, actTab, "one", 1)
	for i := range x {
		f.FADD(y[i], y[i], c)
	}
	for i := range x {
		f.FCVTNS(fx[i], fx[i])
	}
	for i := range x {
		f.SHL(fx[i], fx[i], 23)
	}
	for i := range x {
		f.ADD(y[i], y[i], fx[i])
	}
	// Beyond the clamps: +Inf above, 0 below.
	m := t // free again
	inf := z[0]
	f.ldc(c, actTab, "expOver", 88.72283935546875)
	f.ldcBits(inf, actTab, "posInf", 0x7f800000)
	for i := range x {
		f.FCMGT(m[i], x[i], c)
		f.BIT(y[i], inf, m[i])
	}
	f.ldc(c, actTab, "expLo", -87.3365478515625)
	for i := range x {
		f.FCMGT(m[i], c, x[i])
		f.BIC(y[i], y[i], m[i])
	}
	r.putGroup(t, fx, z)
	r.put(c)
}

// logf sets y = logf(v) for finite v ≥ 1; v is clobbered.
func logf(f *file, r *regs, v, y group) {
	n := len(v)
	e, m, t, z, c := r.group(n), r.group(n), r.group(n), r.group(n), r.get()
	for i := range v {
		f.USHR(e[i], v[i], 23)
	}
	f.ldcBits(c, actTab, "i126", 126)
	for i := range v {
		f.SUB(e[i], e[i], c)
	}
	for i := range v {
		f.SCVTF(e[i], e[i])
	}
	f.ldcBits(c, actTab, "mantMask", 0x807fffff)
	for i := range v {
		f.AND(v[i], v[i], c)
	}
	f.ldc(c, actTab, "half", 0.5)
	for i := range v {
		f.ORR(v[i], v[i], c) // mantissa in [0.5, 1)
	}
	f.ldc(c, actTab, "sqrthf", 0.707106781186547524)
	for i := range v {
		f.FCMGT(m[i], c, v[i])
	}
	f.ldc(c, actTab, "one", 1)
	for i := range v {
		f.AND(t[i], v[i], m[i])
		f.FSUB(v[i], v[i], c)
		f.AND(m[i], m[i], c)
		f.FSUB(e[i], e[i], m[i])
		f.FADD(v[i], v[i], t[i])
	}
	for i := range v {
		f.FMUL(z[i], v[i], v[i])
	}
	for i := range v {
		f.ldc(y[i], actTab, "logP0", 7.0376836292e-2)
	}
	alt := t
	for k, p := range []float32{-1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
		-1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1} {
		for i := range v {
			f.ldc(alt[i], actTab, fmt.Sprintf("logP%d", k+1), p)
			f.FMLA(alt[i], y[i], v[i])
		}
		for i := range v {
			alt[i], y[i] = y[i], alt[i]
		}
	}
	for i := range v {
		f.FMUL(y[i], y[i], v[i])
	}
	for i := range v {
		f.FMUL(y[i], y[i], z[i])
	}
	f.ldc(c, actTab, "ln2lo", -2.12194440e-4)
	for i := range v {
		f.FMLA(y[i], e[i], c)
	}
	f.ldc(c, actTab, "half", 0.5)
	for i := range v {
		f.FMLS(y[i], z[i], c)
	}
	for i := range v {
		f.FADD(y[i], y[i], v[i])
	}
	f.ldc(c, actTab, "ln2hi", 0.693359375)
	for i := range v {
		f.FMLA(y[i], e[i], c)
	}
	r.putGroup(e, m, alt, z)
	r.put(c)
}

// recipPlusOne sets y = num/(1+e) (e clobbered).
func recipPlusOne(f *file, r *regs, e, y group, numName string, num float32) {
	c := r.get()
	f.ldc(c, actTab, "one", 1)
	for i := range e {
		f.FADD(e[i], e[i], c)
	}
	for i := range e {
		f.ldc(y[i], actTab, numName, num)
	}
	for i := range e {
		f.FDIV(y[i], y[i], e[i])
	}
	r.put(c)
}

// tanhDarknet sets y = 2/(1+expf(-2x)) - 1.
func tanhDarknet(f *file, r *regs, x, y group) {
	u, e, c := r.group(len(x)), r.group(len(x)), r.get()
	f.ldc(c, actTab, "minus2", -2)
	for i := range x {
		f.FMUL(u[i], x[i], c)
	}
	r.put(c)
	expf(f, r, u, e)
	recipPlusOne(f, r, e, y, "two", 2)
	c = r.get()
	f.ldc(c, actTab, "one", 1)
	for i := range x {
		f.FSUB(y[i], y[i], c)
	}
	r.put(c)
	r.putGroup(u, e)
}

// logistic sets y = 1/(1+expf(-x)).
func logistic(f *file, r *regs, x, y group) {
	u, e := r.group(len(x)), r.group(len(x))
	for i := range x {
		f.FNEG(u[i], x[i])
	}
	expf(f, r, u, e)
	recipPlusOne(f, r, e, y, "one", 1)
	r.putGroup(u, e)
}

// activations emits actLogisticNEON, actSwishNEON, actMishNEON and
// actTanhNEON, each func(x *float32, n int, bias float32): x[i] =
// act(x[i]+bias) for i < n, n a multiple of 8 (two 4-lane chains per
// iteration, so the long dependency chains of expf overlap).
func activations(f *file) {
	const chains = 2
	for _, act := range []string{"Logistic", "Swish", "Mish", "Tanh"} {
		name := "act" + act + "NEON"
		f.raw("\n// func %s(x *float32, n int, bias float32)\n", name)
		f.raw("TEXT ·%s(SB), NOSPLIT, $0-20\n", name)
		f.I("MOVD x+0(FP), R0")
		f.I("MOVD n+8(FP), R1")
		f.I("FMOVS bias+16(FP), F31")
		f.I("VDUP V31.S[0], V31.S4")
		f.I("MOVD $%s(SB), %s", f.table, actTab)
		f.I("CMP $%d, R1", 4*chains)
		f.I("BLT %s_done", name)
		f.L(name + "_loop")
		r := newRegs(0, 30)
		x, y := r.group(chains), r.group(chains)
		for i := range x {
			f.LDQ(x[i], 16*i, "R0")
		}
		for i := range x {
			f.FADD(x[i], x[i], 31)
		}
		switch act {
		case "Logistic":
			logistic(f, r, x, y)
		case "Swish":
			logistic(f, r, x, y)
			for i := range x {
				f.FMUL(y[i], y[i], x[i])
			}
		case "Tanh":
			tanhDarknet(f, r, x, y)
		case "Mish":
			// softplus with threshold 20: x > 20 ? x : x < -20 ? e : logf(e+1)
			e, v, sp := r.group(chains), r.group(chains), r.group(chains)
			expf(f, r, x, e)
			c := r.get()
			f.ldc(c, actTab, "one", 1)
			for i := range x {
				f.FADD(v[i], e[i], c)
			}
			r.put(c)
			logf(f, r, v, sp)
			m := v // free again
			c = r.get()
			f.ldc(c, actTab, "minus20", -20)
			for i := range x {
				f.FCMGT(m[i], c, x[i])
				f.BIT(sp[i], e[i], m[i])
			}
			f.ldc(c, actTab, "twenty", 20)
			for i := range x {
				f.FCMGT(m[i], x[i], c)
				f.BIT(sp[i], x[i], m[i])
			}
			r.put(c)
			r.putGroup(e, v)
			tanhDarknet(f, r, sp, y)
			for i := range x {
				f.FMUL(y[i], y[i], x[i])
			}
			r.putGroup(sp)
		}
		// NaN in, NaN out (the clamps in expf would turn a NaN into a number).
		m := r.group(chains)
		for i := range x {
			f.FCMEQ(m[i], x[i], x[i])
			f.BIF(y[i], x[i], m[i])
		}
		for i := range x {
			f.STQ(y[i], 16*i, "R0")
		}
		f.I("ADD $%d, R0", 16*chains)
		f.I("SUB $%d, R1", 4*chains)
		f.I("CMP $%d, R1", 4*chains)
		f.I("BGE %s_loop", name)
		f.L(name + "_done")
		f.I("RET")
	}
}

// biasActs emits the exact passes (bit-identical to the Go formulas):
//
//	biasLeakyNEON(x *float32, n int, bias, slope float32): v = x+bias; x = max(v, slope·v)
//	biasReluNEON(x *float32, n int, bias, one float32):    v = x+bias; x = v·(v > 0 ? one : 0)
//
// for i < n (a multiple of 8), and the same over rows×cols of a matrix
// (row stride ldc, bias[r] per row, cols a multiple of 8, rows ≥ 1):
//
//	biasLeakyRowsNEON(c *float32, ldc, rows, cols int, bias *float32, slope float32)
//	biasReluRowsNEON(c *float32, ldc, rows, cols int, bias *float32, one float32)
func biasActs(f *file) {
	// body8 transforms the 8 floats at (R0) into V0,V1 using bias V30 and
	// the slope/one V31 and stores them at (R8). Both pointers advance by
	// post-increment, separately, so the next load does not wait for this
	// store's address update.
	body8 := func(relu bool) {
		f.I("VLD1.P 32(R0), [V0.S4, V1.S4]")
		f.FADD(0, 0, 30)
		f.FADD(1, 1, 30)
		if relu {
			f.FCMGTZ(2, 0)
			f.FCMGTZ(3, 1)
			f.AND(2, 2, 31)
			f.AND(3, 3, 31)
			f.FMUL(0, 0, 2)
			f.FMUL(1, 1, 3)
		} else {
			f.FMUL(2, 0, 31)
			f.FMUL(3, 1, 31)
			f.FMAX(0, 0, 2)
			f.FMAX(1, 1, 3)
		}
		f.I("VST1.P [V0.S4, V1.S4], 32(R8)")
	}
	for _, kind := range []string{"Leaky", "Relu"} {
		relu := kind == "Relu"
		second := "slope"
		if relu {
			second = "one"
		}
		name := "bias" + kind + "NEON"
		f.raw("\n// func %s(x *float32, n int, bias, %s float32)\n", name, second)
		f.raw("TEXT ·%s(SB), NOSPLIT, $0-24\n", name)
		f.I("MOVD x+0(FP), R0")
		f.I("MOVD n+8(FP), R1")
		f.I("MOVD R0, R8")
		f.I("FMOVS bias+16(FP), F30")
		f.I("VDUP V30.S[0], V30.S4")
		f.I("FMOVS %s+20(FP), F31", second)
		f.I("VDUP V31.S[0], V31.S4")
		f.I("CMP $8, R1")
		f.I("BLT %s_done", name)
		f.L(name + "_loop")
		body8(relu)
		f.I("SUB $8, R1")
		f.I("CMP $8, R1")
		f.I("BGE %s_loop", name)
		f.L(name + "_done")
		f.I("RET")

		name = "bias" + kind + "RowsNEON"
		f.raw("\n// func %s(c *float32, ldc, rows, cols int, bias *float32, %s float32)\n", name, second)
		f.raw("TEXT ·%s(SB), NOSPLIT, $0-44\n", name)
		f.I("MOVD c+0(FP), R3")
		f.I("MOVD ldc+8(FP), R4")
		f.I("LSL $2, R4")
		f.I("MOVD rows+16(FP), R5")
		f.I("MOVD cols+24(FP), R6")
		f.I("MOVD bias+32(FP), R7")
		f.I("FMOVS %s+40(FP), F31", second)
		f.I("VDUP V31.S[0], V31.S4")
		f.I("CMP $8, R6")
		f.I("BLT %s_done", name)
		f.I("CMP $1, R5")
		f.I("BLT %s_done", name)
		f.L(name + "_row")
		f.I("VLD1R.P 4(R7), [V30.S4]")
		f.I("MOVD R3, R0")
		f.I("MOVD R3, R8")
		f.I("MOVD R6, R1")
		f.L(name + "_col")
		body8(relu)
		f.I("SUB $8, R1")
		f.I("CMP $8, R1")
		f.I("BGE %s_col", name)
		f.I("ADD R4, R3")
		f.I("SUBS $1, R5")
		f.I("BNE %s_row", name)
		f.L(name + "_done")
		f.I("RET")
	}
}
