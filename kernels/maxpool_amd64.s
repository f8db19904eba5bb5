//go:build !purego

#include "textflag.h"

// VMAXPS src2, src1, dst sets dst = src1 > src2 ? src1 : src2 per lane
// (NaN or equal operands give src2): Darknet's _mm256_max_ps, and the
// reference's `if x > v { v = x }` with src1 = x, src2 = v.

// func maxIntoAVX2(dst, x *float32, n int)
// dst[i] = x[i] > dst[i] ? x[i] : dst[i] for i < n, n a multiple of 8.
TEXT ·maxIntoAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX

loop32:
	CMPQ    CX, $32
	JL      loop8
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMAXPS  (DI), Y0, Y0
	VMAXPS  32(DI), Y1, Y1
	VMAXPS  64(DI), Y2, Y2
	VMAXPS  96(DI), Y3, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ    $128, SI
	ADDQ    $128, DI
	SUBQ    $32, CX
	JMP     loop32

loop8:
	CMPQ    CX, $8
	JL      done
	VMOVUPS (SI), Y0
	VMAXPS  (DI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     loop8

done:
	VZEROUPPER
	RET

// func maxPairsAVX2(dst, r0, r1 *float32, n int)
// Darknet's size-2 stride-2 vector pooling for n outputs (a multiple of
// 8) from 2n floats of each of two rows:
//   p(r, i) = r[2i] > r[2i+1] ? r[2i] : r[2i+1]
//   v = p(r0, i) > -FLT_MAX ? p(r0, i) : -FLT_MAX
//   dst[i] = p(r1, i) > v ? p(r1, i) : v
TEXT ·maxPairsAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ r0+8(FP), SI
	MOVQ r1+16(FP), DX
	MOVQ n+24(FP), CX
	MOVL $0xff7fffff, AX // -FLT_MAX
	MOVQ AX, X7
	VBROADCASTSS X7, Y7

pairs:
	CMPQ    CX, $8
	JL      pairsdone
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VSHUFPS $0x88, Y1, Y0, Y2 // r0 even: outputs 0 1 4 5 | 2 3 6 7
	VSHUFPS $0xdd, Y1, Y0, Y3 // r0 odd
	VMAXPS  Y3, Y2, Y2        // even > odd ? even : odd
	VMAXPS  Y7, Y2, Y2        // > -FLT_MAX ? : -FLT_MAX
	VMOVUPS (DX), Y0
	VMOVUPS 32(DX), Y1
	VSHUFPS $0x88, Y1, Y0, Y4
	VSHUFPS $0xdd, Y1, Y0, Y5
	VMAXPS  Y5, Y4, Y4
	VMAXPS  Y2, Y4, Y4        // p(r1) > v ? p(r1) : v
	VPERMPD $0xd8, Y4, Y4     // outputs back in order
	VMOVUPS Y4, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     pairs

pairsdone:
	VZEROUPPER
	RET

// func maxPairsRowsAVX2(dst *float32, ldd int, src *float32, lds, rows, n int)
//
// maxPairsAVX2 over rows output rows at once: output row r (at dst +
// r·ldd) from input rows 2r and 2r+1 (at src + 2r·lds and + lds), n
// outputs each (a multiple of 4: 8 at a time, then 4 from xmm registers,
// whose even/odd shuffle needs no reordering). One call per plane instead
// of one per row.
TEXT ·maxPairsRowsAVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), R8
	MOVQ ldd+8(FP), R9
	SHLQ $2, R9
	MOVQ src+16(FP), R10
	MOVQ lds+24(FP), R11
	SHLQ $2, R11
	MOVQ rows+32(FP), BX
	MOVL $0xff7fffff, AX // -FLT_MAX
	MOVQ AX, X7
	VBROADCASTSS X7, Y7
	TESTQ BX, BX
	JLE  rowsdone

row:
	MOVQ R8, DI
	MOVQ R10, SI
	LEAQ (R10)(R11*1), DX
	MOVQ n+40(FP), CX

rpairs:
	CMPQ    CX, $8
	JL      rfour
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VSHUFPS $0x88, Y1, Y0, Y2
	VSHUFPS $0xdd, Y1, Y0, Y3
	VMAXPS  Y3, Y2, Y2
	VMAXPS  Y7, Y2, Y2
	VMOVUPS (DX), Y0
	VMOVUPS 32(DX), Y1
	VSHUFPS $0x88, Y1, Y0, Y4
	VSHUFPS $0xdd, Y1, Y0, Y5
	VMAXPS  Y5, Y4, Y4
	VMAXPS  Y2, Y4, Y4
	VPERMPD $0xd8, Y4, Y4
	VMOVUPS Y4, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     rpairs

rfour:
	CMPQ    CX, $4
	JL      rnext
	VMOVUPS (SI), X0
	VMOVUPS 16(SI), X1
	VSHUFPS $0x88, X1, X0, X2
	VSHUFPS $0xdd, X1, X0, X3
	VMAXPS  X3, X2, X2
	VMAXPS  X7, X2, X2
	VMOVUPS (DX), X0
	VMOVUPS 16(DX), X1
	VSHUFPS $0x88, X1, X0, X4
	VSHUFPS $0xdd, X1, X0, X5
	VMAXPS  X5, X4, X4
	VMAXPS  X2, X4, X4
	VMOVUPS X4, (DI)

rnext:
	ADDQ R9, R8
	LEAQ (R10)(R11*2), R10
	DECQ BX
	JNZ  row

rowsdone:
	VZEROUPPER
	RET

// Permute indices of the even and the odd elements of a pair of zmm
// registers (32 floats -> 16).
DATA poolEven<>+0(SB)/4, $0
DATA poolEven<>+4(SB)/4, $2
DATA poolEven<>+8(SB)/4, $4
DATA poolEven<>+12(SB)/4, $6
DATA poolEven<>+16(SB)/4, $8
DATA poolEven<>+20(SB)/4, $10
DATA poolEven<>+24(SB)/4, $12
DATA poolEven<>+28(SB)/4, $14
DATA poolEven<>+32(SB)/4, $16
DATA poolEven<>+36(SB)/4, $18
DATA poolEven<>+40(SB)/4, $20
DATA poolEven<>+44(SB)/4, $22
DATA poolEven<>+48(SB)/4, $24
DATA poolEven<>+52(SB)/4, $26
DATA poolEven<>+56(SB)/4, $28
DATA poolEven<>+60(SB)/4, $30
GLOBL poolEven<>(SB), RODATA|NOPTR, $64

// LOADEO loads 2·16 floats from base (masks K1/K2 for the two halves,
// zeroing) and leaves the even elements in ev and the odd ones in od.
// Z30 holds the even indices, Z31 the odd ones. Clobbers Z28, Z29.
#define LOADEO(base, ev, od) \
	VMOVUPS.Z 0(base), K1, Z28; \
	VMOVUPS.Z 64(base), K2, Z29; \
	VMOVAPS   Z28, ev; \
	VPERMT2PS Z29, Z30, ev; \
	VMOVAPS   Z28, od; \
	VPERMT2PS Z29, Z31, od

// PAIRS computes 16 outputs of maxPairs' lane formula from r0 at SI and r1
// at DX into Z4 (Z7 = -FLT_MAX).
#define PAIRS \
	LOADEO(SI, Z0, Z1); \
	VMAXPS Z1, Z0, Z0; \
	VMAXPS Z7, Z0, Z0; \
	LOADEO(DX, Z2, Z3); \
	VMAXPS Z3, Z2, Z4; \
	VMAXPS Z0, Z4, Z4

// MASKS sets K1 and K2 to the first min(c, 16) and the next max(c-16, 0)
// of 32 lanes for a count c (0..32) in R12. Clobbers AX, CX, R13.
#define MASKS \
	MOVQ    R12, CX; \
	MOVQ    $16, R13; \
	CMPQ    CX, R13; \
	CMOVQGT R13, CX; \
	MOVL    $1, AX; \
	SHLL    CX, AX; \
	DECL    AX; \
	KMOVW   AX, K1; \
	MOVQ    R12, CX; \
	SUBQ    $16, CX; \
	XORQ    R13, R13; \
	CMPQ    CX, R13; \
	CMOVQLT R13, CX; \
	MOVL    $1, AX; \
	SHLL    CX, AX; \
	DECL    AX; \
	KMOVW   AX, K2

// func maxPairsRowsAVX512(dst *float32, ldd int, src *float32, lds, rows, n, tail int)
//
// MaxPairsRows with the lane formula for n outputs per row (16 at a time,
// the rest through masked loads and a masked store, so nothing outside
// the rows is touched) followed by tail ≤ 8 outputs with the window-order
// formula v = MaxF(r1[2x+1], MaxF(r1[2x], MaxF(r0[2x+1], MaxF(r0[2x], -FLT_MAX)))).
// Requires AVX-512F.
TEXT ·maxPairsRowsAVX512(SB), NOSPLIT, $0-56
	MOVQ    dst+0(FP), R8
	MOVQ    ldd+8(FP), R9
	SHLQ    $2, R9
	MOVQ    src+16(FP), R10
	MOVQ    lds+24(FP), R11
	SHLQ    $2, R11
	MOVQ    rows+32(FP), BX
	MOVL    $0xff7fffff, AX // -FLT_MAX
	VPBROADCASTD AX, Z7
	VMOVUPS poolEven<>(SB), Z30
	MOVL    $1, AX
	VPBROADCASTD AX, Z31
	VPADDD  Z31, Z30, Z31   // odd indices
	TESTQ   BX, BX
	JLE     prdone

prrow:
	MOVQ R8, DI
	MOVQ R10, SI
	LEAQ (R10)(R11*1), DX
	MOVQ n+40(FP), R14
	MOVL $0xffff, AX
	KMOVW AX, K1
	KMOVW AX, K2

prloop:
	CMPQ    R14, $16
	JL      prrest
	PAIRS
	VMOVUPS Z4, (DI)
	ADDQ    $128, SI
	ADDQ    $128, DX
	ADDQ    $64, DI
	SUBQ    $16, R14
	JMP     prloop

prrest:
	TESTQ R14, R14
	JZ    prtail
	LEAQ  (R14)(R14*1), R12
	MASKS
	PAIRS
	MOVQ  R14, R12
	MASKS
	VMOVUPS Z4, K1, (DI)
	LEAQ  (SI)(R14*8), SI
	LEAQ  (DX)(R14*8), DX
	LEAQ  (DI)(R14*4), DI

prtail:
	MOVQ  tail+48(FP), R14
	TESTQ R14, R14
	JZ    prnext
	LEAQ  (R14)(R14*1), R12
	MASKS
	LOADEO(SI, Z0, Z1)
	LOADEO(DX, Z2, Z3)
	VMAXPS  Z7, Z0, Z4 // MaxF(r0 even, -FLT_MAX)
	VMAXPS  Z4, Z1, Z4 // MaxF(r0 odd, v)
	VMAXPS  Z4, Z2, Z4 // MaxF(r1 even, v)
	VMAXPS  Z4, Z3, Z4 // MaxF(r1 odd, v)
	MOVQ    R14, R12
	MASKS
	VMOVUPS Z4, K1, (DI)

prnext:
	ADDQ R9, R8
	LEAQ (R10)(R11*2), R10
	DECQ BX
	JNZ  prrow

prdone:
	VZEROUPPER
	RET
