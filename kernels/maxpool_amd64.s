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
