//go:build !purego

#include "textflag.h"

// Depthwise row kernels (depthwise_amd64.go has the contract):
//
//	out[j] = fma(w[kk−1], taps[kk−1][j], … fma(w[0], taps[0][j], bias))
//
// taps are kk pointers to runs of consecutive floats (Depthwise's row
// buffers), one FMA per tap in tap order, so every lane computes the Go
// reference's fma32 chain. For kk == 9 (3×3) the weights stay in
// registers and the tap pointers in general registers, and each step does
// 4 vectors (independent FMA chains); other kk loop over the taps.

// func dwRowAVX512(out *float32, taps **float32, w *float32, kk, n int, bias float32)
TEXT ·dwRowAVX512(SB), NOSPLIT, $0-44
	MOVQ         out+0(FP), DI
	MOVQ         taps+8(FP), R8
	MOVQ         w+16(FP), DX
	VBROADCASTSS bias+40(FP), Z31

	// K1: the lanes of the last, partial vector (n mod 16 of them).
	MOVQ  n+32(FP), CX
	ANDQ  $15, CX
	MOVL  $1, AX
	SHLL  CX, AX
	DECL  AX
	KMOVW AX, K1
	XORQ  SI, SI
	MOVQ  kk+24(FP), CX
	CMPQ  CX, $9
	JNE   general512

	VBROADCASTSS 0(DX), Z16
	VBROADCASTSS 4(DX), Z17
	VBROADCASTSS 8(DX), Z18
	VBROADCASTSS 12(DX), Z19
	VBROADCASTSS 16(DX), Z20
	VBROADCASTSS 20(DX), Z21
	VBROADCASTSS 24(DX), Z22
	VBROADCASTSS 28(DX), Z23
	VBROADCASTSS 32(DX), Z24
	MOVQ         0(R8), R9
	MOVQ         8(R8), R10
	MOVQ         16(R8), R11
	MOVQ         24(R8), R12
	MOVQ         32(R8), R13
	MOVQ         40(R8), AX
	MOVQ         48(R8), BX
	MOVQ         56(R8), CX
	MOVQ         64(R8), DX
	MOVQ         n+32(FP), R8
	SHLQ         $2, R8 // bytes left

#define FMA4Z(p, w) \
	VFMADD231PS 0(p)(SI*1), w, Z0; \
	VFMADD231PS 64(p)(SI*1), w, Z1; \
	VFMADD231PS 128(p)(SI*1), w, Z2; \
	VFMADD231PS 192(p)(SI*1), w, Z3

loop64:
	CMPQ    R8, $256
	JLT     loop16
	VMOVAPS Z31, Z0
	VMOVAPS Z31, Z1
	VMOVAPS Z31, Z2
	VMOVAPS Z31, Z3
	FMA4Z(R9, Z16)
	FMA4Z(R10, Z17)
	FMA4Z(R11, Z18)
	FMA4Z(R12, Z19)
	FMA4Z(R13, Z20)
	FMA4Z(AX, Z21)
	FMA4Z(BX, Z22)
	FMA4Z(CX, Z23)
	FMA4Z(DX, Z24)
	VMOVUPS Z0, 0(DI)(SI*1)
	VMOVUPS Z1, 64(DI)(SI*1)
	VMOVUPS Z2, 128(DI)(SI*1)
	VMOVUPS Z3, 192(DI)(SI*1)
	ADDQ    $256, SI
	SUBQ    $256, R8
	JMP     loop64

#define FMA1Z(p, w) \
	VFMADD231PS 0(p)(SI*1), w, Z0

loop16:
	CMPQ    R8, $64
	JLT     last16
	VMOVAPS Z31, Z0
	FMA1Z(R9, Z16)
	FMA1Z(R10, Z17)
	FMA1Z(R11, Z18)
	FMA1Z(R12, Z19)
	FMA1Z(R13, Z20)
	FMA1Z(AX, Z21)
	FMA1Z(BX, Z22)
	FMA1Z(CX, Z23)
	FMA1Z(DX, Z24)
	VMOVUPS Z0, 0(DI)(SI*1)
	ADDQ    $64, SI
	SUBQ    $64, R8
	JMP     loop16

#define FMAMZ(p, w) \
	VFMADD231PS 0(p)(SI*1), w, K1, Z0

last16:
	TESTQ   R8, R8
	JEQ     done512
	VMOVAPS Z31, Z0
	FMAMZ(R9, Z16)
	FMAMZ(R10, Z17)
	FMAMZ(R11, Z18)
	FMAMZ(R12, Z19)
	FMAMZ(R13, Z20)
	FMAMZ(AX, Z21)
	FMAMZ(BX, Z22)
	FMAMZ(CX, Z23)
	FMAMZ(DX, Z24)
	VMOVUPS Z0, K1, 0(DI)(SI*1)

done512:
	VZEROUPPER
	RET

	// Any kk: one vector at a time, the taps in a loop.
general512:
	MOVQ n+32(FP), R9
	SHLQ $2, R9

gloop512:
	CMPQ    R9, $64
	JLT     glast512
	VMOVAPS Z31, Z0
	XORQ    R10, R10

gtap512:
	MOVQ         (R8)(R10*8), R11
	VBROADCASTSS (DX)(R10*4), Z1
	VFMADD231PS  (R11)(SI*1), Z1, Z0
	INCQ         R10
	CMPQ         R10, CX
	JLT          gtap512
	VMOVUPS      Z0, (DI)(SI*1)
	ADDQ         $64, SI
	SUBQ         $64, R9
	JMP          gloop512

glast512:
	TESTQ   R9, R9
	JEQ     done512
	VMOVAPS Z31, Z0
	XORQ    R10, R10

gtapm512:
	MOVQ         (R8)(R10*8), R11
	VBROADCASTSS (DX)(R10*4), Z1
	VFMADD231PS  (R11)(SI*1), Z1, K1, Z0
	INCQ         R10
	CMPQ         R10, CX
	JLT          gtapm512
	VMOVUPS      Z0, K1, (DI)(SI*1)
	JMP          done512

// func dwRowAVX2(out *float32, taps **float32, w *float32, kk, n int, bias float32)
TEXT ·dwRowAVX2(SB), NOSPLIT, $0-44
	MOVQ         out+0(FP), DI
	MOVQ         taps+8(FP), R8
	MOVQ         w+16(FP), DX
	VBROADCASTSS bias+40(FP), Y6
	XORQ         SI, SI
	MOVQ         kk+24(FP), CX
	CMPQ         CX, $9
	JNE          general2

	VBROADCASTSS 0(DX), Y7
	VBROADCASTSS 4(DX), Y8
	VBROADCASTSS 8(DX), Y9
	VBROADCASTSS 12(DX), Y10
	VBROADCASTSS 16(DX), Y11
	VBROADCASTSS 20(DX), Y12
	VBROADCASTSS 24(DX), Y13
	VBROADCASTSS 28(DX), Y14
	VBROADCASTSS 32(DX), Y15
	MOVQ         0(R8), R9
	MOVQ         8(R8), R10
	MOVQ         16(R8), R11
	MOVQ         24(R8), R12
	MOVQ         32(R8), R13
	MOVQ         40(R8), AX
	MOVQ         48(R8), BX
	MOVQ         56(R8), CX
	MOVQ         64(R8), DX
	MOVQ         n+32(FP), R8
	SHLQ         $2, R8 // bytes left

#define FMA4Y(p, w) \
	VFMADD231PS 0(p)(SI*1), w, Y0; \
	VFMADD231PS 32(p)(SI*1), w, Y1; \
	VFMADD231PS 64(p)(SI*1), w, Y2; \
	VFMADD231PS 96(p)(SI*1), w, Y3

loop32:
	CMPQ    R8, $128
	JLT     loop8
	VMOVAPS Y6, Y0
	VMOVAPS Y6, Y1
	VMOVAPS Y6, Y2
	VMOVAPS Y6, Y3
	FMA4Y(R9, Y7)
	FMA4Y(R10, Y8)
	FMA4Y(R11, Y9)
	FMA4Y(R12, Y10)
	FMA4Y(R13, Y11)
	FMA4Y(AX, Y12)
	FMA4Y(BX, Y13)
	FMA4Y(CX, Y14)
	FMA4Y(DX, Y15)
	VMOVUPS Y0, 0(DI)(SI*1)
	VMOVUPS Y1, 32(DI)(SI*1)
	VMOVUPS Y2, 64(DI)(SI*1)
	VMOVUPS Y3, 96(DI)(SI*1)
	ADDQ    $128, SI
	SUBQ    $128, R8
	JMP     loop32

#define FMA1Y(p, w) \
	VFMADD231PS 0(p)(SI*1), w, Y0

loop8:
	CMPQ    R8, $32
	JLT     done2
	VMOVAPS Y6, Y0
	FMA1Y(R9, Y7)
	FMA1Y(R10, Y8)
	FMA1Y(R11, Y9)
	FMA1Y(R12, Y10)
	FMA1Y(R13, Y11)
	FMA1Y(AX, Y12)
	FMA1Y(BX, Y13)
	FMA1Y(CX, Y14)
	FMA1Y(DX, Y15)
	VMOVUPS Y0, 0(DI)(SI*1)
	ADDQ    $32, SI
	SUBQ    $32, R8
	JMP     loop8

done2:
	VZEROUPPER
	RET

	// Any kk: one vector at a time, the taps in a loop.
general2:
	MOVQ n+32(FP), R9
	SHLQ $2, R9

gloop2:
	CMPQ    R9, $32
	JLT     done2
	VMOVAPS Y6, Y0
	XORQ    R10, R10

gtap2:
	MOVQ         (R8)(R10*8), R11
	VBROADCASTSS (DX)(R10*4), Y1
	VFMADD231PS  (R11)(SI*1), Y1, Y0
	INCQ         R10
	CMPQ         R10, CX
	JLT          gtap2
	VMOVUPS      Y0, (DI)(SI*1)
	ADDQ         $32, SI
	SUBQ         $32, R9
	JMP          gloop2
