//go:build !purego

#include "textflag.h"

DATA yuvByteMask<>+0(SB)/4, $0xff
GLOBL yuvByteMask<>(SB), RODATA, $4

// func yuvGatherAVX2(R, G, B, yrow, cb, cr *uint8, cols, ccols *int32, n int, k *YUVCoef)
//
// 8 pixels a step: three dword gathers (the sample in each dword's low
// byte), the int32 sums of YUVGather, >>16, then the signed dword→word and
// unsigned word→byte saturating packs, which clamp to [0, 255] exactly
// (an int32 shifted right by 16 lies within int16).
TEXT ·yuvGatherAVX2(SB), NOSPLIT, $0-80
	MOVQ R+0(FP), DI
	MOVQ G+8(FP), R8
	MOVQ B+16(FP), R9
	MOVQ yrow+24(FP), SI
	MOVQ cb+32(FP), R10
	MOVQ cr+40(FP), R11
	MOVQ cols+48(FP), R12
	MOVQ ccols+56(FP), R13
	MOVQ n+64(FP), CX
	MOVQ k+72(FP), AX
	VPBROADCASTD 0(AX), Y8   // CY
	VPBROADCASTD 4(AX), Y9   // CrR
	VPBROADCASTD 8(AX), Y10  // CbG
	VPBROADCASTD 12(AX), Y11 // CrG
	VPBROADCASTD 16(AX), Y12 // CbB
	VPBROADCASTD 20(AX), Y13 // BR
	VPBROADCASTD 24(AX), Y14 // BG
	VPBROADCASTD 28(AX), Y15 // BB
	VPBROADCASTD yuvByteMask<>(SB), Y7
	XORQ BX, BX

loop:
	VMOVDQU (R12)(BX*4), Y0    // cols
	VPCMPEQD Y6, Y6, Y6
	VPGATHERDD Y6, (SI)(Y0*1), Y1
	VMOVDQU (R13)(BX*4), Y0    // ccols
	VPCMPEQD Y6, Y6, Y6
	VPGATHERDD Y6, (R10)(Y0*1), Y2
	VPCMPEQD Y6, Y6, Y6
	VPGATHERDD Y6, (R11)(Y0*1), Y3
	VPAND Y7, Y1, Y1           // y
	VPAND Y7, Y2, Y2           // cb
	VPAND Y7, Y3, Y3           // cr
	VPMULLD Y8, Y1, Y1         // CY·y

	VPMULLD Y9, Y3, Y4         // R
	VPADDD Y1, Y4, Y4
	VPADDD Y13, Y4, Y4
	VPSRAD $16, Y4, Y4
	VEXTRACTI128 $1, Y4, X5
	VPACKSSDW X5, X4, X4
	VPACKUSWB X4, X4, X4
	VMOVQ X4, (DI)(BX*1)

	VPMULLD Y10, Y2, Y4        // G
	VPMULLD Y11, Y3, Y5
	VPADDD Y5, Y4, Y4
	VPADDD Y1, Y4, Y4
	VPADDD Y14, Y4, Y4
	VPSRAD $16, Y4, Y4
	VEXTRACTI128 $1, Y4, X5
	VPACKSSDW X5, X4, X4
	VPACKUSWB X4, X4, X4
	VMOVQ X4, (R8)(BX*1)

	VPMULLD Y12, Y2, Y4        // B
	VPADDD Y1, Y4, Y4
	VPADDD Y15, Y4, Y4
	VPSRAD $16, Y4, Y4
	VEXTRACTI128 $1, Y4, X5
	VPACKSSDW X5, X4, X4
	VPACKUSWB X4, X4, X4
	VMOVQ X4, (R9)(BX*1)

	ADDQ $8, BX
	CMPQ BX, CX
	JLT loop
	VZEROUPPER
	RET
