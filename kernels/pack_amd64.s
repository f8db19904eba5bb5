//go:build !purego

#include "textflag.h"

// Even elements 0, 2, ..., 30 of two zmm registers (VPERMT2PS indices).
DATA evenIdx<>+0(SB)/4, $0
DATA evenIdx<>+4(SB)/4, $2
DATA evenIdx<>+8(SB)/4, $4
DATA evenIdx<>+12(SB)/4, $6
DATA evenIdx<>+16(SB)/4, $8
DATA evenIdx<>+20(SB)/4, $10
DATA evenIdx<>+24(SB)/4, $12
DATA evenIdx<>+28(SB)/4, $14
DATA evenIdx<>+32(SB)/4, $16
DATA evenIdx<>+36(SB)/4, $18
DATA evenIdx<>+40(SB)/4, $20
DATA evenIdx<>+44(SB)/4, $22
DATA evenIdx<>+48(SB)/4, $24
DATA evenIdx<>+52(SB)/4, $26
DATA evenIdx<>+56(SB)/4, $28
DATA evenIdx<>+60(SB)/4, $30
GLOBL evenIdx<>(SB), RODATA|NOPTR, $64

// func gatherStride2AVX2(dst, src *float32, n int)
//
// dst[i] = src[2i] for i < n (a multiple of 4), reading src[0:2n]: 8 at a
// time from two ymm loads (in-lane shuffle of the even elements, then the
// 64-bit pairs put in order), a last 4 from two xmm loads. Requires AVX2.
TEXT ·gatherStride2AVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX

loop8:
	CMPQ    CX, $8
	JLT     tail4
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VSHUFPS $0x88, Y1, Y0, Y2 // per lane: s0 s2 s8 s10 | s4 s6 s12 s14
	VPERMPD $0xd8, Y2, Y2     // s0 s2 s4 s6 s8 s10 s12 s14
	VMOVUPS Y2, 0(DI)
	ADDQ    $64, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     loop8

tail4:
	CMPQ    CX, $4
	JLT     done
	VMOVUPS 0(SI), X0
	VMOVUPS 16(SI), X1
	VSHUFPS $0x88, X1, X0, X2
	VMOVUPS X2, 0(DI)

done:
	VZEROUPPER
	RET

// func gatherStride2AVX512(dst, src *float32, n int)
//
// gatherStride2AVX2 with 16 at a time from two zmm loads (one two-table
// permute); the last n%16 as there. Requires AVX-512F.
TEXT ·gatherStride2AVX512(SB), NOSPLIT, $0-24
	MOVQ    dst+0(FP), DI
	MOVQ    src+8(FP), SI
	MOVQ    n+16(FP), CX
	VMOVUPS evenIdx<>(SB), Z3

loop16:
	CMPQ      CX, $16
	JLT       loop8b
	VMOVUPS   0(SI), Z0
	VMOVUPS   64(SI), Z1
	VPERMT2PS Z1, Z3, Z0
	VMOVUPS   Z0, 0(DI)
	ADDQ      $128, SI
	ADDQ      $64, DI
	SUBQ      $16, CX
	JMP       loop16

loop8b:
	CMPQ    CX, $8
	JLT     tail4b
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VSHUFPS $0x88, Y1, Y0, Y2
	VPERMPD $0xd8, Y2, Y2
	VMOVUPS Y2, 0(DI)
	ADDQ    $64, SI
	ADDQ    $32, DI
	SUBQ    $8, CX

tail4b:
	CMPQ    CX, $4
	JLT     doneb
	VMOVUPS 0(SI), X0
	VMOVUPS 16(SI), X1
	VSHUFPS $0x88, X1, X0, X2
	VMOVUPS X2, 0(DI)

doneb:
	VZEROUPPER
	RET

// func packRow48AVX512(dst, row *float32, n, stride int)
//
// Copies the n consecutive 48-float pieces of row to dst, dst+stride,
// dst+2·stride, ... (stride in elements): three zmm moves per piece, where
// the Go copy takes twelve 16-byte moves. Requires AVX-512F.
TEXT ·packRow48AVX512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ row+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ stride+24(FP), DX
	SHLQ $2, DX
	TESTQ CX, CX
	JLE  done48

loop48:
	VMOVUPS 0(SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS 128(SI), Z2
	VMOVUPS Z0, 0(DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	ADDQ    $192, SI
	ADDQ    DX, DI
	DECQ    CX
	JNZ     loop48

done48:
	VZEROUPPER
	RET
