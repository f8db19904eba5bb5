//go:build !purego

#include "textflag.h"

// func conv3x3Direct(out *float32, ldo int, in *float32, wp, chs, nch int, w, bias *float32, acc int)
//
// One 4-filter × 24-position tile of a 3×3 stride-1 convolution over a
// zero-padded input whose rows are wp floats apart and channels chs
// floats apart. Positions are consecutive floats of the padded grid: with
// in pointing at channel 0 of the tile's first window corner,
//
//	out[f·ldo + j] = s + Σ_c Σ_ky,kx w[(c·9 + ky·3 + kx)·4 + f] ·
//	                 in[c·chs + ky·wp + kx + j]        (f < 4, j < 24)
//
// where s is bias[f], or out[f·ldo + j] itself when acc != 0 (a later
// block of channels).
//
// Requires AVX2 and FMA.
TEXT ·conv3x3Direct(SB), NOSPLIT, $0-72
	MOVQ out+0(FP), DI
	MOVQ ldo+8(FP), R8
	SHLQ $2, R8
	MOVQ in+16(FP), SI
	MOVQ wp+24(FP), R9
	SHLQ $2, R9
	MOVQ chs+32(FP), R10
	SHLQ $2, R10
	MOVQ nch+40(FP), CX
	MOVQ w+48(FP), DX
	MOVQ bias+56(FP), AX
	LEAQ (R9)(R9*1), R11
	MOVQ acc+64(FP), BX
	TESTQ BX, BX
	JZ   initbias
	MOVQ    DI, BX
	VMOVUPS 0(BX), Y0
	VMOVUPS 32(BX), Y1
	VMOVUPS 64(BX), Y2
	ADDQ    R8, BX
	VMOVUPS 0(BX), Y3
	VMOVUPS 32(BX), Y4
	VMOVUPS 64(BX), Y5
	ADDQ    R8, BX
	VMOVUPS 0(BX), Y6
	VMOVUPS 32(BX), Y7
	VMOVUPS 64(BX), Y8
	ADDQ    R8, BX
	VMOVUPS 0(BX), Y9
	VMOVUPS 32(BX), Y10
	VMOVUPS 64(BX), Y11
	JMP     initdone

initbias:
	VBROADCASTSS 0(AX), Y0
	VMOVAPS      Y0, Y1
	VMOVAPS      Y0, Y2
	VBROADCASTSS 4(AX), Y3
	VMOVAPS      Y3, Y4
	VMOVAPS      Y3, Y5
	VBROADCASTSS 8(AX), Y6
	VMOVAPS      Y6, Y7
	VMOVAPS      Y6, Y8
	VBROADCASTSS 12(AX), Y9
	VMOVAPS      Y9, Y10
	VMOVAPS      Y9, Y11

initdone:
	TESTQ        CX, CX
	JLE          store

#define TAP(addr0, addr1, addr2, woff) \
	VMOVUPS      addr0, Y12; \
	VMOVUPS      addr1, Y13; \
	VMOVUPS      addr2, Y14; \
	VBROADCASTSS woff+0(DX), Y15; \
	VFMADD231PS  Y15, Y12, Y0; \
	VFMADD231PS  Y15, Y13, Y1; \
	VFMADD231PS  Y15, Y14, Y2; \
	VBROADCASTSS woff+4(DX), Y15; \
	VFMADD231PS  Y15, Y12, Y3; \
	VFMADD231PS  Y15, Y13, Y4; \
	VFMADD231PS  Y15, Y14, Y5; \
	VBROADCASTSS woff+8(DX), Y15; \
	VFMADD231PS  Y15, Y12, Y6; \
	VFMADD231PS  Y15, Y13, Y7; \
	VFMADD231PS  Y15, Y14, Y8; \
	VBROADCASTSS woff+12(DX), Y15; \
	VFMADD231PS  Y15, Y12, Y9; \
	VFMADD231PS  Y15, Y13, Y10; \
	VFMADD231PS  Y15, Y14, Y11

channel:
	TAP(0(SI), 32(SI), 64(SI), 0)
	TAP(4(SI), 36(SI), 68(SI), 16)
	TAP(8(SI), 40(SI), 72(SI), 32)
	TAP(0(SI)(R9*1), 32(SI)(R9*1), 64(SI)(R9*1), 48)
	TAP(4(SI)(R9*1), 36(SI)(R9*1), 68(SI)(R9*1), 64)
	TAP(8(SI)(R9*1), 40(SI)(R9*1), 72(SI)(R9*1), 80)
	TAP(0(SI)(R11*1), 32(SI)(R11*1), 64(SI)(R11*1), 96)
	TAP(4(SI)(R11*1), 36(SI)(R11*1), 68(SI)(R11*1), 112)
	TAP(8(SI)(R11*1), 40(SI)(R11*1), 72(SI)(R11*1), 128)
	ADDQ $144, DX
	ADDQ R10, SI
	DECQ CX
	JNZ  channel

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
