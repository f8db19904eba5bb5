// Command _asm generates kernels/asm_amd64.s: the AVX2+FMA and AVX-512
// full-tile SGEMM microkernels and the peak-FMA loops used to state "% of
// peak" in benchmarks. Run it through `go generate ./kernels` (see
// kernels/asm_amd64.go); CI regenerates and fails if the file changes.
//
// Every microkernel implements the contract in kernels/registry.go:
//
//	c[i*ldc+j]  = Σ_p a[p*MR+i]*b[p*NR+j]   (accumulate == 0)
//	c[i*ldc+j] += Σ_p a[p*MR+i]*b[p*NR+j]   (otherwise)
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// isa describes one vector extension: its register file and width.
type isa struct {
	name  string
	lanes int // float32 lanes per vector
	vec   func(i int) VecPhysical
	zero  func(r VecPhysical)
}

var ymm = []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15}

var zmm = []VecPhysical{Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15,
	Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27, Z28, Z29, Z30, Z31}

var (
	avx2 = isa{
		name:  "AVX2",
		lanes: 8,
		vec:   func(i int) VecPhysical { return ymm[i] },
		zero:  func(r VecPhysical) { VXORPS(r, r, r) },
	}
	// Only AVX512F instructions are used (VPXORD rather than VXORPS, which
	// would need AVX512DQ on zmm), so dispatch checks AVX512F alone.
	avx512 = isa{
		name:  "AVX512",
		lanes: 16,
		vec:   func(i int) VecPhysical { return zmm[i] },
		zero:  func(r VecPhysical) { VPXORD(r, r, r) },
	}
)

// kernel emits sgemmKernel<name> for an MR×(nv·lanes) tile. Accumulators
// use registers 0..mr·nv-1, the B row nv more, and two registers alternate
// for the broadcast A values so consecutive rows do not serialise on one.
//
// With direct set it emits sgemmKernel<name>Direct instead, which reads B
// unpacked: row p of the tile's B columns at b + p·ldb (ldb in elements),
// so the driver can skip packing full panels of a row-major B.
func kernel(s isa, mr, nv, unroll int, direct bool) { kernelPanel(s, mr, nv, nv, unroll, direct) }

// kernelPanel is kernel reading the first nv·lanes columns of packed B
// panels that are pv·lanes wide (pv > nv: sgemmKernel<name>N<cols>, the
// narrow kernels for a last, partial panel; same sums per element).
func kernelPanel(s isa, mr, nv, pv, unroll int, direct bool) {
	nr := nv * s.lanes
	bnr := pv * s.lanes // floats per packed B row
	vb := s.lanes * 4
	name := fmt.Sprintf("sgemmKernel%s", s.name)
	if pv != nv {
		name += fmt.Sprintf("N%d", nr)
		TEXT(name, NOSPLIT, "func(k int, a, b, c *float32, ldc int, accumulate int)")
		Pragma("noescape")
		Doc(fmt.Sprintf("%s computes a %dx%d tile: c = (accumulate ? c : 0) + a·b for a packed panel a (k×%d) and the first %d columns of a packed %d-column panel b.", name, mr, nr, mr, nr, bnr))
	} else if direct {
		name += "Direct"
		TEXT(name, NOSPLIT, "func(k int, a, b, c *float32, ldb, ldc int, accumulate int)")
		Pragma("noescape")
		Doc(fmt.Sprintf("%s computes a %dx%d tile: c = (accumulate ? c : 0) + a·b for a packed panel a (k×%d) and b read in place (k rows of %d, row stride ldb elements).", name, mr, nr, mr, nr))
	} else {
		TEXT(name, NOSPLIT, "func(k int, a, b, c *float32, ldc int, accumulate int)")
		Pragma("noescape")
		Doc(fmt.Sprintf("%s computes a %dx%d tile: c = (accumulate ? c : 0) + a·b for packed panels a (k×%d) and b (k×%d).", name, mr, nr, mr, nr))
	}

	k := Load(Param("k"), GP64())
	a := Load(Param("a"), GP64())
	b := Load(Param("b"), GP64())
	var ldb Register
	if direct {
		ldb = Load(Param("ldb"), GP64())
		SHLQ(U8(2), ldb)
	}

	// Prefetch the C tile now: when accumulating, its rows were last
	// touched a whole K block ago and may have left L1/L2, and the loads at
	// the end would otherwise stall on them.
	{
		c := Load(Param("c"), GP64())
		ldc := Load(Param("ldc"), GP64())
		SHLQ(U8(2), ldc)
		for i := 0; i < mr; i++ {
			// Every cache line of the row, which need not be aligned.
			for off := 0; off < nr*4-4; off += 64 {
				PREFETCHT0(Mem{Base: c, Disp: off})
			}
			PREFETCHT0(Mem{Base: c, Disp: nr*4 - 4})
			if i < mr-1 {
				ADDQ(ldc, c)
			}
		}
	}

	acc := func(i, v int) VecPhysical { return s.vec(i*nv + v) }
	bv := func(v int) VecPhysical { return s.vec(mr*nv + v) }
	bc := func(i int) VecPhysical { return s.vec(mr*nv + nv + i%2) }

	Comment("Zero the accumulators.")
	for i := 0; i < mr; i++ {
		for v := 0; v < nv; v++ {
			s.zero(acc(i, v))
		}
	}

	step := func(p int) {
		for v := 0; v < nv; v++ {
			if direct {
				VMOVUPS(Mem{Base: b, Disp: v * vb}, bv(v))
			} else {
				VMOVUPS(Mem{Base: b, Disp: p*bnr*4 + v*vb}, bv(v))
			}
		}
		if direct {
			// The first row panel to use a B panel finds it in memory or
			// L3, row by row at a large stride: fetch 8 rows ahead.
			PREFETCHT0(Mem{Base: b, Index: ldb, Scale: 8})
			ADDQ(ldb, b)
		}
		for i := 0; i < mr; i++ {
			VBROADCASTSS(Mem{Base: a, Disp: (p*mr + i) * 4}, bc(i))
			for v := 0; v < nv; v++ {
				VFMADD231PS(bv(v), bc(i), acc(i, v))
			}
		}
	}

	Comment(fmt.Sprintf("Main loop, unrolled %d times.", unroll))
	Label(name + "_loop")
	CMPQ(k, U32(unroll))
	JL(LabelRef(name + "_tail"))
	for p := 0; p < unroll; p++ {
		step(p)
	}
	// The A panel streams from L2; fetch it a few iterations ahead, one
	// prefetch per cache line the iteration consumes.
	for off := 0; off < unroll*mr*4; off += 64 {
		PREFETCHT0(Mem{Base: a, Disp: 4*unroll*mr*4 + off})
	}
	ADDQ(U32(unroll*mr*4), a)
	if !direct {
		ADDQ(U32(unroll*bnr*4), b)
	}
	SUBQ(U32(unroll), k)
	JMP(LabelRef(name + "_loop"))

	Label(name + "_tail")
	TESTQ(k, k)
	JE(LabelRef(name + "_store"))
	step(0)
	ADDQ(U32(mr*4), a)
	if !direct {
		ADDQ(U32(bnr*4), b)
	}
	DECQ(k)
	JMP(LabelRef(name + "_tail"))

	Label(name + "_store")
	c := Load(Param("c"), GP64())
	ldc := Load(Param("ldc"), GP64())
	SHLQ(U8(2), ldc)
	accumulate := Load(Param("accumulate"), GP64())
	TESTQ(accumulate, accumulate)
	JE(LabelRef(name + "_overwrite"))
	Comment("c += acc")
	for i := 0; i < mr; i++ {
		for v := 0; v < nv; v++ {
			VADDPS(Mem{Base: c, Disp: v * vb}, acc(i, v), acc(i, v))
			VMOVUPS(acc(i, v), Mem{Base: c, Disp: v * vb})
		}
		if i < mr-1 {
			ADDQ(ldc, c)
		}
	}
	VZEROUPPER()
	RET()

	Label(name + "_overwrite")
	Comment("c = acc")
	for i := 0; i < mr; i++ {
		for v := 0; v < nv; v++ {
			VMOVUPS(acc(i, v), Mem{Base: c, Disp: v * vb})
		}
		if i < mr-1 {
			ADDQ(ldc, c)
		}
	}
	VZEROUPPER()
	RET()
}

// peak emits peakFMA<name>(n int): n iterations of chains independent
// vector FMAs, enough chains to cover FMA latency on two FMA ports, so its
// throughput is the machine's FMA peak (2·lanes·chains FLOP per iteration).
func peak(s isa, chains int) {
	name := "peakFMA" + s.name
	TEXT(name, NOSPLIT, "func(n int)")
	Doc(fmt.Sprintf("%s runs n iterations of %d independent FMAs (%d FLOP each) for the peak-throughput benchmark.", name, chains, 2*s.lanes))
	n := Load(Param("n"), GP64())
	x, y := s.vec(chains), s.vec(chains+1)
	s.zero(x)
	s.zero(y)
	for i := 0; i < chains; i++ {
		s.zero(s.vec(i))
	}
	Label(name + "_loop")
	TESTQ(n, n)
	JE(LabelRef(name + "_done"))
	for i := 0; i < chains; i++ {
		VFMADD231PS(x, y, s.vec(i))
	}
	DECQ(n)
	JMP(LabelRef(name + "_loop"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// epilogues emits the vectorised bias+activation passes over one row of a
// just-computed C tile (the tile is still in L1):
//
//	biasLeakyAVX2(x, n, bias, slope): v = x+bias; x = max(v, slope·v)
//	    (slope 1: bias only; 0.1: Darknet's leaky, incl. NaN and ±0, since
//	    VMAXPS returns its second operand, slope·v, on NaN or equal zeros)
//	biasReluAVX2(x, n, bias, one): v = x+bias; x = v·(v > 0 ? one : 0)
//	    (Darknet's x*(x>0): -0 for negatives, NaN stays NaN)
//
// n must be a multiple of 8; the Go caller does the tail.
func epilogues() {
	for _, relu := range []bool{false, true} {
		name, sig := "biasLeakyAVX2", "func(x *float32, n int, bias, slope float32)"
		if relu {
			name, sig = "biasReluAVX2", "func(x *float32, n int, bias, one float32)"
		}
		TEXT(name, NOSPLIT, sig)
		Pragma("noescape")
		Doc(name + " applies bias and activation to x[0:n] in place (n a multiple of 8).")
		x := Load(Param("x"), GP64())
		n := Load(Param("n"), GP64())
		bias, k := Y0, Y1
		VBROADCASTSS(NewParamAddr("bias", 16), bias)
		if relu {
			VBROADCASTSS(NewParamAddr("one", 20), k)
		} else {
			VBROADCASTSS(NewParamAddr("slope", 20), k)
		}
		zero := Y2
		VXORPS(zero, zero, zero)
		Label(name + "_loop")
		CMPQ(n, U8(16))
		JL(LabelRef(name + "_one"))
		for u := 0; u < 2; u++ {
			v, t := ymm[3+2*u], ymm[4+2*u]
			VADDPS(Mem{Base: x, Disp: 32 * u}, bias, v)
			if relu {
				VCMPPS(U8(0x0e), zero, v, t) // t = v > 0 (GT_OS)
				VANDPS(k, t, t)
				VMULPS(t, v, v)
			} else {
				VMULPS(k, v, t)
				VMAXPS(t, v, v)
			}
			VMOVUPS(v, Mem{Base: x, Disp: 32 * u})
		}
		ADDQ(U8(64), x)
		SUBQ(U8(16), n)
		JMP(LabelRef(name + "_loop"))
		Label(name + "_one")
		TESTQ(n, n)
		JE(LabelRef(name + "_done"))
		v, t := Y3, Y4
		VADDPS(Mem{Base: x}, bias, v)
		if relu {
			VCMPPS(U8(0x0e), zero, v, t)
			VANDPS(k, t, t)
			VMULPS(t, v, v)
		} else {
			VMULPS(k, v, t)
			VMAXPS(t, v, v)
		}
		VMOVUPS(v, Mem{Base: x})
		Label(name + "_done")
		VZEROUPPER()
		RET()
	}
}

// rowEpilogues emits the same passes over a rows×cols block of C (row
// stride ldc elements, cols a multiple of 8), one bias value per row, so
// the driver makes one call per finished column strip instead of one per
// row — for small K the per-row calls cost more than the tile's FMAs:
//
//	biasLeakyRowsAVX2(c, ldc, rows, cols, bias, slope)
//	biasReluRowsAVX2(c, ldc, rows, cols, bias, one)
func rowEpilogues() {
	for _, relu := range []bool{false, true} {
		rowEpilogue(avx2, relu)
		rowEpilogue(avx512, relu)
	}
}

// rowEpilogue emits bias{Leaky,Relu}Rows<ISA>: bias[r] and the activation
// over rows×cols of C (cols a multiple of the vector width).
func rowEpilogue(s isa, relu bool) {
	vb := s.lanes * 4
	name, sig := "biasLeakyRows"+s.name, "func(c *float32, ldc, rows, cols int, bias *float32, slope float32)"
	if relu {
		name, sig = "biasReluRows"+s.name, "func(c *float32, ldc, rows, cols int, bias *float32, one float32)"
	}
	TEXT(name, NOSPLIT, sig)
	Pragma("noescape")
	Doc(fmt.Sprintf("%s applies bias[r] and the activation to c[r*ldc+j], r < rows, j < cols (cols a multiple of %d, rows ≥ 1).", name, s.lanes))
	c := Load(Param("c"), GP64())
	ldc := Load(Param("ldc"), GP64())
	SHLQ(U8(2), ldc)
	rows := Load(Param("rows"), GP64())
	cols := Load(Param("cols"), GP64())
	bias := Load(Param("bias"), GP64())
	k, zero, b, v, t := s.vec(1), s.vec(2), s.vec(0), s.vec(3), s.vec(4)
	if relu {
		VBROADCASTSS(NewParamAddr("one", 40), k)
	} else {
		VBROADCASTSS(NewParamAddr("slope", 40), k)
	}
	s.zero(zero)
	p, n := GP64(), GP64()
	Label(name + "_row")
	VBROADCASTSS(Mem{Base: bias}, b)
	MOVQ(c, p)
	MOVQ(cols, n)
	Label(name + "_col")
	VADDPS(Mem{Base: p}, b, v)
	switch {
	case relu && s.lanes == 16:
		// v·(v > 0 ? one : 0): the compare's mask selects one or (zeroing) 0.
		VCMPPS(U8(0x0e), zero, v, K1)
		VMOVAPS_Z(k, K1, t)
		VMULPS(t, v, v)
	case relu:
		VCMPPS(U8(0x0e), zero, v, t)
		VANDPS(k, t, t)
		VMULPS(t, v, v)
	default:
		VMULPS(k, v, t)
		VMAXPS(t, v, v)
	}
	VMOVUPS(v, Mem{Base: p})
	ADDQ(U8(vb), p)
	SUBQ(U8(s.lanes), n)
	JNE(LabelRef(name + "_col"))
	ADDQ(U8(4), bias)
	ADDQ(ldc, c)
	DECQ(rows)
	JNE(LabelRef(name + "_row"))
	VZEROUPPER()
	RET()
}

func main() {
	ConstraintExpr("!purego")
	// AVX2: 6×16 uses 12 accumulators + 2 B + 2 broadcast = all 16 ymm.
	kernel(avx2, 6, 2, 4, false)
	kernel(avx2, 6, 2, 4, true)
	// AVX-512: 8×48 uses 24 accumulators + 3 B + 2 broadcast of 32 zmm; MR=8
	// divides the filter counts of typical convs (32..1024) exactly.
	kernel(avx512, 8, 3, 4, false)
	kernel(avx512, 8, 3, 4, true)
	// Its last, partial B panel: 16 or 32 of the 48 columns.
	kernelPanel(avx512, 8, 1, 3, 4, false)
	kernelPanel(avx512, 8, 2, 3, 4, false)
	epilogues()
	rowEpilogues()
	transcendentalActs(false)
	transcendentalActs(true)
	peak(avx2, 12)
	peak(avx512, 24)
	Generate()
}
