//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// The NEON microkernel computes an 8×12 tile: 24 q-register accumulators,
// 3 B quads and two double-buffered A pairs use 31 of the 32 vector
// registers, and each k step does 24 FMLAs for 4 loads (see asm_arm64.s for
// the register plan and why this shape suits Cortex-A72/A76). MR=8 also
// divides the filter counts of common conv layers (32..1024).
const neonMR, neonNR = 8, 12

// neonPeakFlopsPerIter is the work of one fmaPeakNEON iteration:
// 24 FMLA × 4 lanes × 2 FLOP.
const neonPeakFlopsPerIter = 24 * 4 * 2

func init() {
	// ASIMD is part of every ARMv8-A Linux target in practice, but the
	// registry's rule is to trust only what the CPU/OS reports.
	register("neon", neonMR, neonNR, sgemmKernelNEON, cpu.ARM64.HasASIMD)
}

// sgemmKernelNEON implements kernelFunc for an 8×12 tile (asm_arm64.s).
// a is a packed 8-row A panel and b a packed 12-column B panel, each k steps
// long; c points at C[0][0] of the tile, ldc is C's row stride in elements.
//
//go:noescape
func sgemmKernelNEON(k int, a, b, c *float32, ldc int, accumulate int)

// fmaPeakNEON runs iters iterations of 24 independent 4-lane FMLAs, to
// measure this core's peak FMA throughput (neonPeakFlopsPerIter per
// iteration). It reads and writes no memory.
//
//go:noescape
func fmaPeakNEON(iters int)

// peakLoops maps an implementation to its peak-FMA loop and the FLOP one
// iteration performs (for BenchmarkPeakFMA; same shape as on amd64).
var peakLoops = map[string]struct {
	fn    func(n int)
	flops int
}{
	"neon": {fmaPeakNEON, neonPeakFlopsPerIter},
}
