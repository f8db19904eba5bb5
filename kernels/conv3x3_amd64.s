//go:build !purego

#include "textflag.h"

// func conv3x3AVX2(out *float32, ldo int, in *float32, taps *int, chs, nch int, w *float32, flags int, bias *float32)
//
// One 4-filter × 24-position tile of a convolution with 9 taps (3×3)
// whose taps read runs of consecutive floats: tap t of channel c of
// position j is in[c·chs + taps[t]/4 + j] (taps are byte offsets). With
// the zero-bordered input of convolutional_direct.go this is a 3×3
// convolution:
//
//	out[f·ldo + j] = s + Σ_c Σ_t w[(c·9 + t)·4 + f] · in[c·chs + taps[t]/4 + j]
//
// for f < 4, j < 24, summed in that order (c, then t) with one FMA per
// term, from s = 0, or from s = out[f·ldo + j] when flags&1 (a later
// block of channels). With flags&2 the epilogue follows, exactly as the
// kernels package's vector epilogue computes it: v = sum + bias[f], then
// flags>>2 = 0: v; 1: max(v, 0.1·v) (leaky); 2: v·(v > 0 ? 1 : 0) (relu).
//
// Requires AVX2 and FMA.
TEXT ·conv3x3AVX2(SB), NOSPLIT, $0-72
	MOVQ out+0(FP), DI
	MOVQ ldo+8(FP), R8
	SHLQ $2, R8
	MOVQ in+16(FP), SI
	MOVQ taps+24(FP), R13
	MOVQ chs+32(FP), R10
	SHLQ $2, R10
	MOVQ nch+40(FP), CX
	MOVQ w+48(FP), DX
	MOVQ flags+56(FP), BX
	TESTQ $1, BX
	JZ   zero
	MOVQ    DI, R11
	VMOVUPS 0(R11), Y0
	VMOVUPS 32(R11), Y1
	VMOVUPS 64(R11), Y2
	ADDQ    R8, R11
	VMOVUPS 0(R11), Y3
	VMOVUPS 32(R11), Y4
	VMOVUPS 64(R11), Y5
	ADDQ    R8, R11
	VMOVUPS 0(R11), Y6
	VMOVUPS 32(R11), Y7
	VMOVUPS 64(R11), Y8
	ADDQ    R8, R11
	VMOVUPS 0(R11), Y9
	VMOVUPS 32(R11), Y10
	VMOVUPS 64(R11), Y11
	JMP     start

zero:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11

start:
	TESTQ CX, CX
	JLE   store

#define TAP(t) \
	MOVQ         (t*8)(R13), R12; \
	VMOVUPS      0(SI)(R12*1), Y12; \
	VMOVUPS      32(SI)(R12*1), Y13; \
	VMOVUPS      64(SI)(R12*1), Y14; \
	VBROADCASTSS (t*16+0)(DX), Y15; \
	VFMADD231PS  Y15, Y12, Y0; \
	VFMADD231PS  Y15, Y13, Y1; \
	VFMADD231PS  Y15, Y14, Y2; \
	VBROADCASTSS (t*16+4)(DX), Y15; \
	VFMADD231PS  Y15, Y12, Y3; \
	VFMADD231PS  Y15, Y13, Y4; \
	VFMADD231PS  Y15, Y14, Y5; \
	VBROADCASTSS (t*16+8)(DX), Y15; \
	VFMADD231PS  Y15, Y12, Y6; \
	VFMADD231PS  Y15, Y13, Y7; \
	VFMADD231PS  Y15, Y14, Y8; \
	VBROADCASTSS (t*16+12)(DX), Y15; \
	VFMADD231PS  Y15, Y12, Y9; \
	VFMADD231PS  Y15, Y13, Y10; \
	VFMADD231PS  Y15, Y14, Y11

channel:
	TAP(0)
	TAP(1)
	TAP(2)
	TAP(3)
	TAP(4)
	TAP(5)
	TAP(6)
	TAP(7)
	TAP(8)
	ADDQ $144, DX
	ADDQ R10, SI
	DECQ CX
	JNZ  channel

	// Epilogue: bias, then the activation.
	TESTQ $2, BX
	JZ    store
	MOVQ  bias+64(FP), AX
	SHRQ  $2, BX

#define BIAS(off, a, b, c) \
	VBROADCASTSS off(AX), Y15; \
	VADDPS       Y15, a, a; \
	VADDPS       Y15, b, b; \
	VADDPS       Y15, c, c

	BIAS(0, Y0, Y1, Y2)
	BIAS(4, Y3, Y4, Y5)
	BIAS(8, Y6, Y7, Y8)
	BIAS(12, Y9, Y10, Y11)
	CMPQ BX, $1
	JEQ  leaky
	CMPQ BX, $2
	JEQ  relu
	JMP  store

#define LEAKY(r) \
	VMULPS Y15, r, Y14; \
	VMAXPS Y14, r, r

leaky:
	MOVL         $0x3dcccccd, R12 // 0.1f
	MOVQ         R12, X15
	VBROADCASTSS X15, Y15
	LEAKY(Y0)
	LEAKY(Y1)
	LEAKY(Y2)
	LEAKY(Y3)
	LEAKY(Y4)
	LEAKY(Y5)
	LEAKY(Y6)
	LEAKY(Y7)
	LEAKY(Y8)
	LEAKY(Y9)
	LEAKY(Y10)
	LEAKY(Y11)
	JMP store

#define RELU(r) \
	VCMPPS $0x0e, Y13, r, Y14; \
	VANDPS Y15, Y14, Y14; \
	VMULPS Y14, r, r

relu:
	MOVL         $0x3f800000, R12 // 1.0f
	MOVQ         R12, X15
	VBROADCASTSS X15, Y15
	VXORPS       Y13, Y13, Y13
	RELU(Y0)
	RELU(Y1)
	RELU(Y2)
	RELU(Y3)
	RELU(Y4)
	RELU(Y5)
	RELU(Y6)
	RELU(Y7)
	RELU(Y8)
	RELU(Y9)
	RELU(Y10)
	RELU(Y11)

store:
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	ADDQ    R8, DI
	VMOVUPS Y3, 0(DI)
	VMOVUPS Y4, 32(DI)
	VMOVUPS Y5, 64(DI)
	ADDQ    R8, DI
	VMOVUPS Y6, 0(DI)
	VMOVUPS Y7, 32(DI)
	VMOVUPS Y8, 64(DI)
	ADDQ    R8, DI
	VMOVUPS Y9, 0(DI)
	VMOVUPS Y10, 32(DI)
	VMOVUPS Y11, 64(DI)
	VZEROUPPER
	RET

// func conv3x3AVX512(out *float32, ldo int, in *float32, taps *int, chs, nch int, w *float32, flags int, bias *float32)
//
// conv3x3AVX2 with 16 lanes: one 4-filter × 48-position tile, the same
// sums in the same order and the same epilogue (per lane, so the same
// bits). 12 zmm accumulators, 3 input vectors per tap, and the four
// filters' weights broadcast into four registers so that their loads run
// ahead of the FMAs. Requires AVX-512F.
TEXT ·conv3x3AVX512(SB), NOSPLIT, $0-72
	MOVQ out+0(FP), DI
	MOVQ ldo+8(FP), R8
	SHLQ $2, R8
	MOVQ in+16(FP), SI
	MOVQ taps+24(FP), R13
	MOVQ chs+32(FP), R10
	SHLQ $2, R10
	MOVQ nch+40(FP), CX
	MOVQ w+48(FP), DX
	MOVQ flags+56(FP), BX
	TESTQ $1, BX
	JZ   zero512
	MOVQ    DI, R11
	VMOVUPS 0(R11), Z0
	VMOVUPS 64(R11), Z1
	VMOVUPS 128(R11), Z2
	ADDQ    R8, R11
	VMOVUPS 0(R11), Z3
	VMOVUPS 64(R11), Z4
	VMOVUPS 128(R11), Z5
	ADDQ    R8, R11
	VMOVUPS 0(R11), Z6
	VMOVUPS 64(R11), Z7
	VMOVUPS 128(R11), Z8
	ADDQ    R8, R11
	VMOVUPS 0(R11), Z9
	VMOVUPS 64(R11), Z10
	VMOVUPS 128(R11), Z11
	JMP     start512

zero512:
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11

start512:
	TESTQ CX, CX
	JLE   store512

#define TAP512(t) \
	MOVQ         (t*8)(R13), R12; \
	VMOVUPS      0(SI)(R12*1), Z12; \
	VMOVUPS      64(SI)(R12*1), Z13; \
	VMOVUPS      128(SI)(R12*1), Z14; \
	VBROADCASTSS (t*16+0)(DX), Z16; \
	VBROADCASTSS (t*16+4)(DX), Z17; \
	VBROADCASTSS (t*16+8)(DX), Z18; \
	VBROADCASTSS (t*16+12)(DX), Z19; \
	VFMADD231PS  Z16, Z12, Z0; \
	VFMADD231PS  Z16, Z13, Z1; \
	VFMADD231PS  Z16, Z14, Z2; \
	VFMADD231PS  Z17, Z12, Z3; \
	VFMADD231PS  Z17, Z13, Z4; \
	VFMADD231PS  Z17, Z14, Z5; \
	VFMADD231PS  Z18, Z12, Z6; \
	VFMADD231PS  Z18, Z13, Z7; \
	VFMADD231PS  Z18, Z14, Z8; \
	VFMADD231PS  Z19, Z12, Z9; \
	VFMADD231PS  Z19, Z13, Z10; \
	VFMADD231PS  Z19, Z14, Z11

channel512:
	TAP512(0)
	TAP512(1)
	TAP512(2)
	TAP512(3)
	TAP512(4)
	TAP512(5)
	TAP512(6)
	TAP512(7)
	TAP512(8)
	ADDQ $144, DX
	ADDQ R10, SI
	DECQ CX
	JNZ  channel512

	// Epilogue: bias, then the activation.
	TESTQ $2, BX
	JZ    store512
	MOVQ  bias+64(FP), AX
	SHRQ  $2, BX

#define BIAS512(off, a, b, c) \
	VBROADCASTSS off(AX), Z15; \
	VADDPS       Z15, a, a; \
	VADDPS       Z15, b, b; \
	VADDPS       Z15, c, c

	BIAS512(0, Z0, Z1, Z2)
	BIAS512(4, Z3, Z4, Z5)
	BIAS512(8, Z6, Z7, Z8)
	BIAS512(12, Z9, Z10, Z11)
	CMPQ BX, $1
	JEQ  leaky512
	CMPQ BX, $2
	JEQ  relu512
	JMP  store512

#define LEAKY512(r) \
	VMULPS Z15, r, Z14; \
	VMAXPS Z14, r, r

leaky512:
	MOVL         $0x3dcccccd, R12 // 0.1f
	MOVQ         R12, X15
	VBROADCASTSS X15, Z15
	LEAKY512(Z0)
	LEAKY512(Z1)
	LEAKY512(Z2)
	LEAKY512(Z3)
	LEAKY512(Z4)
	LEAKY512(Z5)
	LEAKY512(Z6)
	LEAKY512(Z7)
	LEAKY512(Z8)
	LEAKY512(Z9)
	LEAKY512(Z10)
	LEAKY512(Z11)
	JMP store512

// v·(v > 0 ? 1 : 0): the compare's mask selects 1.0 or (zeroing) 0.
#define RELU512(r) \
	VCMPPS    $0x0e, Z13, r, K1; \
	VMOVAPS.Z Z15, K1, Z14; \
	VMULPS    Z14, r, r

relu512:
	MOVL         $0x3f800000, R12 // 1.0f
	MOVQ         R12, X15
	VBROADCASTSS X15, Z15
	VPXORD       Z13, Z13, Z13
	RELU512(Z0)
	RELU512(Z1)
	RELU512(Z2)
	RELU512(Z3)
	RELU512(Z4)
	RELU512(Z5)
	RELU512(Z6)
	RELU512(Z7)
	RELU512(Z8)
	RELU512(Z9)
	RELU512(Z10)
	RELU512(Z11)

store512:
	VMOVUPS Z0, 0(DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	ADDQ    R8, DI
	VMOVUPS Z3, 0(DI)
	VMOVUPS Z4, 64(DI)
	VMOVUPS Z5, 128(DI)
	ADDQ    R8, DI
	VMOVUPS Z6, 0(DI)
	VMOVUPS Z7, 64(DI)
	VMOVUPS Z8, 128(DI)
	ADDQ    R8, DI
	VMOVUPS Z9, 0(DI)
	VMOVUPS Z10, 64(DI)
	VMOVUPS Z11, 128(DI)
	VZEROUPPER
	RET
