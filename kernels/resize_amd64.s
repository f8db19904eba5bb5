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

// func blendRowsAVX2(out, a, b *float32, n int, w0, w1 float32)
//
// 16 outputs a step (8 for the last if n is an odd multiple of 8): two
// products and their sum, each rounded, in the reference's order.
TEXT ·blendRowsAVX2(SB), NOSPLIT, $0-40
	MOVQ out+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSS w0+32(FP), Y6
	VBROADCASTSS w1+36(FP), Y7
	XORQ BX, BX
	MOVQ CX, R8
	ANDQ $-16, R8
	JZ blend_eight

blend_loop:
	VMULPS (SI)(BX*4), Y6, Y0
	VMULPS 32(SI)(BX*4), Y6, Y1
	VMULPS (DX)(BX*4), Y7, Y2
	VMULPS 32(DX)(BX*4), Y7, Y3
	VADDPS Y2, Y0, Y0
	VADDPS Y3, Y1, Y1
	VMOVUPS Y0, (DI)(BX*4)
	VMOVUPS Y1, 32(DI)(BX*4)
	ADDQ $16, BX
	CMPQ BX, R8
	JLT blend_loop

blend_eight:
	CMPQ BX, CX
	JGE blend_done
	VMULPS (SI)(BX*4), Y6, Y0
	VMULPS (DX)(BX*4), Y7, Y2
	VADDPS Y2, Y0, Y0
	VMOVUPS Y0, (DI)(BX*4)

blend_done:
	VZEROUPPER
	RET
