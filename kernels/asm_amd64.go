//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

//go:generate sh -c "cd _asm && go run . -out ../asm_amd64.s"

// Stubs for the generated assembly in asm_amd64.s (source: _asm/main.go).
// Each microkernel computes, for i < MR and j < NR,
//
//	c[i*ldc+j] = (accumulate != 0 ? c[i*ldc+j] : 0) + Σ_{p<k} a[p*MR+i]*b[p*NR+j]

// sgemmKernelAVX2 is the 6×16 AVX2+FMA microkernel.
//
//go:noescape
func sgemmKernelAVX2(k int, a, b, c *float32, ldc int, accumulate int)

// sgemmKernelAVX512 is the 8×48 AVX-512F microkernel.
//
//go:noescape
func sgemmKernelAVX512(k int, a, b, c *float32, ldc int, accumulate int)

// sgemmKernelAVX512N16 and sgemmKernelAVX512N32 are sgemmKernelAVX512 for
// the first 16 or 32 columns of a packed 48-column panel (a last, partial
// panel): the same sums, a third or two thirds of the work.
//
//go:noescape
func sgemmKernelAVX512N16(k int, a, b, c *float32, ldc int, accumulate int)

//go:noescape
func sgemmKernelAVX512N32(k int, a, b, c *float32, ldc int, accumulate int)

// sgemmKernelAVX2Direct is sgemmKernelAVX2 reading B in place (row stride
// ldb elements) instead of from a packed panel.
//
//go:noescape
func sgemmKernelAVX2Direct(k int, a, b, c *float32, ldb, ldc int, accumulate int)

// sgemmKernelAVX512Direct is sgemmKernelAVX512 reading B in place.
//
//go:noescape
func sgemmKernelAVX512Direct(k int, a, b, c *float32, ldb, ldc int, accumulate int)

// peakFMAAVX2 runs n iterations of 12 independent ymm FMAs (192 FLOP).
//
//go:noescape
func peakFMAAVX2(n int)

// peakFMAAVX512 runs n iterations of 24 independent zmm FMAs (768 FLOP).
//
//go:noescape
func peakFMAAVX512(n int)

// biasLeakyAVX2 sets x[i] = max(v, slope·v) with v = x[i]+bias for
// i < n, n a multiple of 8 (slope 1: bias only; 0.1: leaky).
//
//go:noescape
func biasLeakyAVX2(x *float32, n int, bias, slope float32)

// biasReluAVX2 sets x[i] = v·(v > 0 ? one : 0) with v = x[i]+bias for
// i < n, n a multiple of 8.
//
//go:noescape
func biasReluAVX2(x *float32, n int, bias, one float32)

// biasLeakyRowsAVX2 is biasLeakyAVX2 over rows×cols of a matrix with row
// stride ldc, bias[r] for row r (cols a multiple of 8, rows ≥ 1).
//
//go:noescape
func biasLeakyRowsAVX2(c *float32, ldc, rows, cols int, bias *float32, slope float32)

// biasReluRowsAVX2 is biasReluAVX2 over rows×cols of a matrix.
//
//go:noescape
func biasReluRowsAVX2(c *float32, ldc, rows, cols int, bias *float32, one float32)

// biasLeakyRowsAVX512 and biasReluRowsAVX512 are the row passes 16 wide
// (cols a multiple of 16); relu's 0/1 factor comes from a compare mask.
//
//go:noescape
func biasLeakyRowsAVX512(c *float32, ldc, rows, cols int, bias *float32, slope float32)

//go:noescape
func biasReluRowsAVX512(c *float32, ldc, rows, cols int, bias *float32, one float32)

// actLogisticAVX2, actSwishAVX2, actMishAVX2 and actTanhAVX2 set
// x[i] = act(x[i]+bias) for i < n (a multiple of 8) with Darknet's float
// formulas, expf/logf evaluated by Cephes polynomials (a few ulp from the
// scalar path).
//
//go:noescape
func actLogisticAVX2(x *float32, n int, bias float32)

//go:noescape
func actSwishAVX2(x *float32, n int, bias float32)

//go:noescape
func actMishAVX2(x *float32, n int, bias float32)

//go:noescape
func actTanhAVX2(x *float32, n int, bias float32)

// actLogisticAVX512 … actTanhAVX512 are the same 16 floats at a time (n a
// multiple of 16): the same operations lane for lane, so the same bits.
//
//go:noescape
func actLogisticAVX512(x *float32, n int, bias float32)

//go:noescape
func actSwishAVX512(x *float32, n int, bias float32)

//go:noescape
func actMishAVX512(x *float32, n int, bias float32)

//go:noescape
func actTanhAVX512(x *float32, n int, bias float32)

// hasAVX512 gates every AVX-512 kernel: the F, BW, DQ and VL subsets
// (every AVX-512 CPU since Skylake-SP has all four; the kernels use
// F and VL, and DQ/BW leave room for mask and byte ops) with the OS saving
// the zmm and opmask state (x/sys/cpu checks XCR0).
var hasAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512VL

func init() {
	// x/sys/cpu's gates include the OS's XSAVE/XGETBV check, so they are
	// false when the OS does not save the ymm/zmm state, and they honour
	// GODEBUG=cpu.avx2=off / cpu.avx512f=off.
	register("avx2", 6, 16, sgemmKernelAVX2, cpu.X86.HasAVX2 && cpu.X86.HasFMA)
	register("avx512", 8, 48, sgemmKernelAVX512, hasAVX512)
	registerDirect("avx2", sgemmKernelAVX2Direct)
	registerDirect("avx512", sgemmKernelAVX512Direct)
	registerNarrow("avx512", 16, sgemmKernelAVX512N16)
	registerNarrow("avx512", 32, sgemmKernelAVX512N32)
	if cpu.X86.HasAVX {
		biasLeakyFast, biasReluFast = biasLeakyAVX2, biasReluAVX2
		biasLeakyRowsFast, biasReluRowsFast = biasLeakyRowsAVX2, biasReluRowsAVX2
	}
	if hasAVX512 {
		biasLeakyRows16, biasReluRows16 = biasLeakyRowsAVX512, biasReluRowsAVX512
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		actExpFast[Logistic] = actLogisticAVX2
		actExpFast[Swish] = actSwishAVX2
		actExpFast[Mish] = actMishAVX2
		actExpFast[Tanh] = actTanhAVX2
		actExpTail = actExpTailAVX2
	}
	if hasAVX512 {
		actExp16[Logistic] = actLogisticAVX512
		actExp16[Swish] = actSwishAVX512
		actExp16[Mish] = actMishAVX512
		actExp16[Tanh] = actTanhAVX512
	}
}

// peakFLOPs maps an implementation to its peak-FMA loop and the FLOP one
// iteration performs (for BenchmarkPeakFMA).
var peakLoops = map[string]struct {
	fn    func(n int)
	flops int
}{
	"avx2":   {peakFMAAVX2, 12 * 8 * 2},
	"avx512": {peakFMAAVX512, 24 * 16 * 2},
}

// actExpTailAVX2 applies an exp-based activation to fewer than 8 elements
// through a padded copy; the direct calls let the copy stay on the stack.
func actExpTailAVX2(a Activation, x []float32, bias float32) {
	var t [8]float32
	copy(t[:], x)
	switch a {
	case Logistic:
		actLogisticAVX2(&t[0], 8, bias)
	case Swish:
		actSwishAVX2(&t[0], 8, bias)
	case Mish:
		actMishAVX2(&t[0], 8, bias)
	case Tanh:
		actTanhAVX2(&t[0], 8, bias)
	}
	copy(x, t[:])
}
