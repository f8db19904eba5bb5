//go:build !purego

#include "textflag.h"

// NEON SGEMM microkernel, MR=8 rows × NR=12 columns (the shape of Arm
// Compute Library's a64_sgemm_8x12 and BLIS's Cortex-A57 kernel).
//
// Register plan (32 q-registers):
//   V0,V1   A column p (rows 0-3, 4-7), current step, when the step is "even"
//   V5,V6   A column p, when the step is "odd" (double buffer: the next A is
//           loaded a whole step before it is used)
//   V2,V3,V4  B row p, quads 0-3, 4-7, 8-11; each quad is reloaded as soon as
//           its 8 FMLAs have issued, 16 FMLAs before its next use
//   V8..V31 accumulators: C[r][4q..4q+3] lives in V(8+3r+q)
// One k step is 24 FMLA (by element) + 4 loads: each FMLA multiplies a B quad
// by one A lane, so A is never broadcast separately.
//
// accumulate != 0 adds C to the finished sums after the loop (as the contract
// and the generic kernel do), so C is not read before the FMLAs start; C's
// rows are prefetched at entry so their misses overlap the loop.
//
// Registers are not saved: Go's ABI has no callee-saved vector registers.

// FMLA Vd.4S, Vn.4S, Vm.S[i]   (Vd += Vn * Vm[i], "fmla vD.4s, vN.4s, vM.s[i]")
// Go's assembler only has the vector-by-vector form (VFMLA), so the
// by-element form is emitted as its A64 encoding:
//   0 Q=1 0 01111 1 sz=0 L M Rm 0001 H 0 Rn Rd,  i = H:L, Vm = M:Rm (any of V0-V31)
// e.g. FMLA_ELEM(0, 1, 2, 0) = 0x4f821020 = fmla v0.4s, v1.4s, v2.s[0].
// (`go tool objdump` on an arm64 test binary decodes every such word as the
// intended VFMLA Vm.S[i], Vn.S4, Vd.S4; the tests under qemu check the sums.)
#define FMLA_ELEM(d, n, m, i) WORD $(0x4F801000 | (((i)&1)<<21) | ((m)<<16) | (((i)>>1)<<11) | ((n)<<5) | (d))

// FADD Vd.4S, Vn.4S, Vm.4S   ("fadd vD.4s, vN.4s, vM.4s"; Go's assembler has
// no vector FADD):  0 Q=1 0 01110 0 sz=0 1 Rm 110101 Rn Rd.
// e.g. FADD_4S(0, 1, 2) = 0x4e22d420 = fadd v0.4s, v1.4s, v2.4s.
#define FADD_4S(d, n, m) WORD $(0x4E20D400 | ((m)<<16) | ((n)<<5) | (d))

// ADDROW(acc, t): the three accumulators of one C row, V(acc)..V(acc+2),
// += the C row loaded into V(t)..V(t+2).
#define ADDROW(acc, t) \
	FADD_4S(acc, acc, t); \
	FADD_4S((acc)+1, (acc)+1, (t)+1); \
	FADD_4S((acc)+2, (acc)+2, (t)+2)

// COLUMN(q, alo, ahi): for every row r, V(8+3r+q) += V(2+q) * A[r], with A
// rows 0-3 in the lanes of V(alo) and rows 4-7 in the lanes of V(ahi).
#define COLUMN(q, alo, ahi) \
	FMLA_ELEM(8+(q), 2+(q), alo, 0); \
	FMLA_ELEM(11+(q), 2+(q), alo, 1); \
	FMLA_ELEM(14+(q), 2+(q), alo, 2); \
	FMLA_ELEM(17+(q), 2+(q), alo, 3); \
	FMLA_ELEM(20+(q), 2+(q), ahi, 0); \
	FMLA_ELEM(23+(q), 2+(q), ahi, 1); \
	FMLA_ELEM(26+(q), 2+(q), ahi, 2); \
	FMLA_ELEM(29+(q), 2+(q), ahi, 3)

// LOADB(reg): next step's B quad into reg (R2 walks the packed B panel).
#define LOADB(reg) VLD1.P 16(R2), [reg.S4]

// STEP01: one k step with A in V0,V1; loads the next A into V5,V6 and the
// next B row into V2-V4. STEP56 is the same with the A buffers swapped.
#define STEP01 \
	VLD1.P 32(R1), [V5.S4, V6.S4]; \
	COLUMN(0, 0, 1); \
	LOADB(V2); \
	COLUMN(1, 0, 1); \
	LOADB(V3); \
	COLUMN(2, 0, 1); \
	LOADB(V4)

#define STEP56 \
	VLD1.P 32(R1), [V0.S4, V1.S4]; \
	COLUMN(0, 5, 6); \
	LOADB(V2); \
	COLUMN(1, 5, 6); \
	LOADB(V3); \
	COLUMN(2, 5, 6); \
	LOADB(V4)

// LAST01 / LAST56: the final k step, which loads nothing (so the kernel
// never reads past the end of the panels).
#define LAST01 \
	COLUMN(0, 0, 1); \
	COLUMN(1, 0, 1); \
	COLUMN(2, 0, 1)

#define LAST56 \
	COLUMN(0, 5, 6); \
	COLUMN(1, 5, 6); \
	COLUMN(2, 5, 6)

// func sgemmKernelNEON(k int, a, b, c *float32, ldc int, accumulate int)
TEXT ·sgemmKernelNEON(SB), NOSPLIT, $0-48
	MOVD k+0(FP), R0
	MOVD a+8(FP), R1
	MOVD b+16(FP), R2
	MOVD c+24(FP), R3
	MOVD ldc+32(FP), R4
	MOVD accumulate+40(FP), R5
	LSL  $2, R4                // ldc in bytes

	// Prefetch the C tile for writing while the k loop runs: a 48-byte row
	// spans at most two 64-byte lines, and whenever it does, row+48 lies in
	// the second one. C is only read or written after the loop, so its
	// cache misses overlap the FMLAs instead of stalling them.
	MOVD R3, R6
	PRFM (R6), PSTL1KEEP
	PRFM 48(R6), PSTL1KEEP
	ADD  R4, R6
	PRFM (R6), PSTL1KEEP
	PRFM 48(R6), PSTL1KEEP
	ADD  R4, R6
	PRFM (R6), PSTL1KEEP
	PRFM 48(R6), PSTL1KEEP
	ADD  R4, R6
	PRFM (R6), PSTL1KEEP
	PRFM 48(R6), PSTL1KEEP
	ADD  R4, R6
	PRFM (R6), PSTL1KEEP
	PRFM 48(R6), PSTL1KEEP
	ADD  R4, R6
	PRFM (R6), PSTL1KEEP
	PRFM 48(R6), PSTL1KEEP
	ADD  R4, R6
	PRFM (R6), PSTL1KEEP
	PRFM 48(R6), PSTL1KEEP
	ADD  R4, R6
	PRFM (R6), PSTL1KEEP
	PRFM 48(R6), PSTL1KEEP

	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V11.B16, V11.B16, V11.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	VEOR V14.B16, V14.B16, V14.B16
	VEOR V15.B16, V15.B16, V15.B16
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	VEOR V20.B16, V20.B16, V20.B16
	VEOR V21.B16, V21.B16, V21.B16
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16
	VEOR V24.B16, V24.B16, V24.B16
	VEOR V25.B16, V25.B16, V25.B16
	VEOR V26.B16, V26.B16, V26.B16
	VEOR V27.B16, V27.B16, V27.B16
	VEOR V28.B16, V28.B16, V28.B16
	VEOR V29.B16, V29.B16, V29.B16
	VEOR V30.B16, V30.B16, V30.B16
	VEOR V31.B16, V31.B16, V31.B16

	CMP  $0, R0
	BGT  kloop
	// k <= 0: the sum is empty. C is zeroed, or left exactly as it is
	// (adding +0 would turn a -0 into +0).
	CBZ  R5, put
	RET

kloop:

	// Prologue: step 0's A and B.
	VLD1.P 32(R1), [V0.S4, V1.S4]
	VLD1.P 48(R2), [V2.S4, V3.S4, V4.S4]

	// R0 = steps whose data is still to be loaded, minus 2: the loop
	// does two steps (one per A buffer) while at least two remain.
	SUBS $3, R0
	BLT  tail

loop:
	STEP01
	STEP56
	SUBS $2, R0
	BGE  loop

tail:
	// R0 is -2 (only the step already loaded remains) or -1 (one more).
	ADDS $2, R0
	BEQ  last
	STEP01
	LAST56
	B    store

last:
	LAST01

store:
	// C += sum (accumulate) or C = sum: the sums are added to C only
	// now, in the order the contract states. V0-V7 are free here.
	CBZ  R5, put
	MOVD R3, R6
	VLD1.P (R6)(R4), [V0.S4, V1.S4, V2.S4]
	VLD1.P (R6)(R4), [V3.S4, V4.S4, V5.S4]
	ADDROW(8, 0)
	VLD1.P (R6)(R4), [V0.S4, V1.S4, V2.S4]
	ADDROW(11, 3)
	VLD1.P (R6)(R4), [V3.S4, V4.S4, V5.S4]
	ADDROW(14, 0)
	VLD1.P (R6)(R4), [V0.S4, V1.S4, V2.S4]
	ADDROW(17, 3)
	VLD1.P (R6)(R4), [V3.S4, V4.S4, V5.S4]
	ADDROW(20, 0)
	VLD1.P (R6)(R4), [V0.S4, V1.S4, V2.S4]
	ADDROW(23, 3)
	VLD1   (R6), [V3.S4, V4.S4, V5.S4]
	ADDROW(26, 0)
	ADDROW(29, 3)

put:
	VST1.P [V8.S4, V9.S4, V10.S4], (R3)(R4)
	VST1.P [V11.S4, V12.S4, V13.S4], (R3)(R4)
	VST1.P [V14.S4, V15.S4, V16.S4], (R3)(R4)
	VST1.P [V17.S4, V18.S4, V19.S4], (R3)(R4)
	VST1.P [V20.S4, V21.S4, V22.S4], (R3)(R4)
	VST1.P [V23.S4, V24.S4, V25.S4], (R3)(R4)
	VST1.P [V26.S4, V27.S4, V28.S4], (R3)(R4)
	VST1   [V29.S4, V30.S4, V31.S4], (R3)
	RET

// func fmaPeakNEON(iters int)
//
// Peak-throughput probe: 24 independent FMLA chains (enough to cover
// latency × pipes on A72, 7×1, and A76, 4×2) and nothing else but the loop
// branch. One iteration is 24 × 4 lanes × 2 = 192 FLOP (neonPeakFlopsPerIter).
TEXT ·fmaPeakNEON(SB), NOSPLIT, $0-8
	MOVD iters+0(FP), R0
	// Zeros stay zero: no denormals or NaNs to slow any core down.
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VMOV V0.B16, V8.B16
	VMOV V0.B16, V9.B16
	VMOV V0.B16, V10.B16
	VMOV V0.B16, V11.B16
	VMOV V0.B16, V12.B16
	VMOV V0.B16, V13.B16
	VMOV V0.B16, V14.B16
	VMOV V0.B16, V15.B16
	VMOV V0.B16, V16.B16
	VMOV V0.B16, V17.B16
	VMOV V0.B16, V18.B16
	VMOV V0.B16, V19.B16
	VMOV V0.B16, V20.B16
	VMOV V0.B16, V21.B16
	VMOV V0.B16, V22.B16
	VMOV V0.B16, V23.B16
	VMOV V0.B16, V24.B16
	VMOV V0.B16, V25.B16
	VMOV V0.B16, V26.B16
	VMOV V0.B16, V27.B16
	VMOV V0.B16, V28.B16
	VMOV V0.B16, V29.B16
	VMOV V0.B16, V30.B16
	VMOV V0.B16, V31.B16
	CMP  $0, R0
	BLE  peakdone

peakloop:
	VFMLA V0.S4, V1.S4, V8.S4
	VFMLA V0.S4, V1.S4, V9.S4
	VFMLA V0.S4, V1.S4, V10.S4
	VFMLA V0.S4, V1.S4, V11.S4
	VFMLA V0.S4, V1.S4, V12.S4
	VFMLA V0.S4, V1.S4, V13.S4
	VFMLA V0.S4, V1.S4, V14.S4
	VFMLA V0.S4, V1.S4, V15.S4
	VFMLA V0.S4, V1.S4, V16.S4
	VFMLA V0.S4, V1.S4, V17.S4
	VFMLA V0.S4, V1.S4, V18.S4
	VFMLA V0.S4, V1.S4, V19.S4
	VFMLA V0.S4, V1.S4, V20.S4
	VFMLA V0.S4, V1.S4, V21.S4
	VFMLA V0.S4, V1.S4, V22.S4
	VFMLA V0.S4, V1.S4, V23.S4
	VFMLA V0.S4, V1.S4, V24.S4
	VFMLA V0.S4, V1.S4, V25.S4
	VFMLA V0.S4, V1.S4, V26.S4
	VFMLA V0.S4, V1.S4, V27.S4
	VFMLA V0.S4, V1.S4, V28.S4
	VFMLA V0.S4, V1.S4, V29.S4
	VFMLA V0.S4, V1.S4, V30.S4
	VFMLA V0.S4, V1.S4, V31.S4
	SUBS $1, R0
	BNE  peakloop

peakdone:
	RET
