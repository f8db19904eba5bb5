//go:build !purego

#include "textflag.h"

// Even bytes to the low 8, odd bytes to the high 8.
DATA resizeDeinterleave<>+0(SB)/8, $0x0e0c0a0806040200
DATA resizeDeinterleave<>+8(SB)/8, $0x0f0d0b0907050301
GLOBL resizeDeinterleave<>(SB), RODATA, $16

DATA resize255<>+0(SB)/4, $255.0
GLOBL resize255<>(SB), RODATA, $4

// func resizePairsAVX2(out *float32, src *uint8, w0, w1 *float32, n int)
//
// 8 outputs a step: 16 samples split into the even (first of each pair)
// and odd ones, widened to int32, converted (exact), divided by 255
// (correctly rounded, as the Go division), multiplied by the weights and
// added: the reference's operations in its order, no fused multiply-add.
TEXT ·resizePairsAVX2(SB), NOSPLIT, $0-40
	MOVQ out+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ w0+16(FP), R8
	MOVQ w1+24(FP), R9
	MOVQ n+32(FP), CX
	VMOVDQU resizeDeinterleave<>(SB), X6
	VBROADCASTSS resize255<>(SB), Y7
	XORQ BX, BX

loop:
	VMOVDQU (SI)(BX*2), X0
	VPSHUFB X6, X0, X0
	VPMOVZXBD X0, Y1
	VPSRLDQ $8, X0, X2
	VPMOVZXBD X2, Y2
	VCVTDQ2PS Y1, Y1
	VCVTDQ2PS Y2, Y2
	VDIVPS Y7, Y1, Y1
	VDIVPS Y7, Y2, Y2
	VMULPS (R8)(BX*4), Y1, Y1
	VMULPS (R9)(BX*4), Y2, Y2
	VADDPS Y2, Y1, Y1
	VMOVUPS Y1, (DI)(BX*4)
	ADDQ $8, BX
	CMPQ BX, CX
	JLT loop
	VZEROUPPER
	RET
