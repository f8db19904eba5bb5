//go:build !purego

#include "textflag.h"
#include "stbycc_amd64.h"

// func stbGatherAVX2(R, G, B, yrow, cbNear, cbFar, crNear, crFar *uint8, taps *int32, n int, v *STBChroma)
//
// 8 pixels a step, as stbGatherGo: dword gathers (the sample in each
// dword's low byte) of the luma and of both chroma rows at both taps, the
// chroma sums T = V0·near + V1·far, (H0·T0 + H1·T1 + Rnd) >> Shift, then
// STBRGB's int32 sums, >>12, and the signed dword→word and unsigned
// word→byte saturating packs, which clamp to [0, 255] exactly (the sums
// shifted right by 12 lie within int16). taps holds blocks of 8 columns,
// 8 first taps, 8 second taps, 8 first weights, 8 second weights.
TEXT ·stbGatherAVX2(SB), NOSPLIT, $0-88
	MOVQ R+0(FP), DI
	MOVQ G+8(FP), R8
	MOVQ B+16(FP), R9
	MOVQ yrow+24(FP), SI
	MOVQ cbNear+32(FP), R10
	MOVQ cbFar+40(FP), R11
	MOVQ crNear+48(FP), R12
	MOVQ crFar+56(FP), R13
	MOVQ taps+64(FP), DX
	MOVQ n+72(FP), CX
	MOVQ v+80(FP), AX
	VPBROADCASTD 0(AX), Y14      // V0
	VPBROADCASTD 4(AX), Y13      // V1
	VPBROADCASTD 8(AX), Y12      // Rnd
	VMOVD 12(AX), X11            // Shift
	VPBROADCASTD stbByteMask<>(SB), Y15
	XORQ BX, BX

loop:
	VMOVDQU 0(DX), Y0            // luma columns
	VPCMPEQD Y10, Y10, Y10
	VPGATHERDD Y10, (SI)(Y0*1), Y1
	VPAND Y15, Y1, Y1            // y
	VMOVDQU 32(DX), Y2           // first chroma taps
	VMOVDQU 64(DX), Y3           // second chroma taps

	// Cb into Y4
	VPCMPEQD Y10, Y10, Y10
	VPGATHERDD Y10, (R10)(Y2*1), Y6
	VPCMPEQD Y10, Y10, Y10
	VPGATHERDD Y10, (R11)(Y2*1), Y7
	VPCMPEQD Y10, Y10, Y10
	VPGATHERDD Y10, (R10)(Y3*1), Y8
	VPCMPEQD Y10, Y10, Y10
	VPGATHERDD Y10, (R11)(Y3*1), Y9
	VPAND Y15, Y6, Y6
	VPAND Y15, Y7, Y7
	VPAND Y15, Y8, Y8
	VPAND Y15, Y9, Y9
	VPMULLD Y14, Y6, Y6
	VPMULLD Y13, Y7, Y7
	VPADDD Y7, Y6, Y6            // T0
	VPMULLD Y14, Y8, Y8
	VPMULLD Y13, Y9, Y9
	VPADDD Y9, Y8, Y8            // T1
	VPMULLD 96(DX), Y6, Y6       // H0·T0
	VPMULLD 128(DX), Y8, Y8      // H1·T1
	VPADDD Y8, Y6, Y6
	VPADDD Y12, Y6, Y6
	VPSRAD X11, Y6, Y4
	VPAND Y15, Y4, Y4            // a byte, as the Go code's uint8

	// Cr into Y5
	VPCMPEQD Y10, Y10, Y10
	VPGATHERDD Y10, (R12)(Y2*1), Y6
	VPCMPEQD Y10, Y10, Y10
	VPGATHERDD Y10, (R13)(Y2*1), Y7
	VPCMPEQD Y10, Y10, Y10
	VPGATHERDD Y10, (R12)(Y3*1), Y8
	VPCMPEQD Y10, Y10, Y10
	VPGATHERDD Y10, (R13)(Y3*1), Y9
	VPAND Y15, Y6, Y6
	VPAND Y15, Y7, Y7
	VPAND Y15, Y8, Y8
	VPAND Y15, Y9, Y9
	VPMULLD Y14, Y6, Y6
	VPMULLD Y13, Y7, Y7
	VPADDD Y7, Y6, Y6
	VPMULLD Y14, Y8, Y8
	VPMULLD Y13, Y9, Y9
	VPADDD Y9, Y8, Y8
	VPMULLD 96(DX), Y6, Y6
	VPMULLD 128(DX), Y8, Y8
	VPADDD Y8, Y6, Y6
	VPADDD Y12, Y6, Y6
	VPSRAD X11, Y6, Y5
	VPAND Y15, Y5, Y5

	VPSLLD $12, Y1, Y1           // y<<12 + 2048
	VPADDD stbHalf<>(SB), Y1, Y1
	VPSUBD stb128<>(SB), Y4, Y4  // cb - 128
	VPSUBD stb128<>(SB), Y5, Y5  // cr - 128

	VPMULLD stbCrR<>(SB), Y5, Y6 // R
	VPADDD Y1, Y6, Y6
	VPSRAD $12, Y6, Y6
	VEXTRACTI128 $1, Y6, X7
	VPACKSSDW X7, X6, X6
	VPACKUSWB X6, X6, X6
	VMOVQ X6, (DI)(BX*1)

	VPMULLD stbNegCbG<>(SB), Y4, Y6 // G: ((-cb·1410) >> 8) << 8 - cr·2925
	VPSRAD $8, Y6, Y6
	VPSLLD $8, Y6, Y6
	VPMULLD stbNegCrG<>(SB), Y5, Y7
	VPADDD Y7, Y6, Y6
	VPADDD Y1, Y6, Y6
	VPSRAD $12, Y6, Y6
	VEXTRACTI128 $1, Y6, X7
	VPACKSSDW X7, X6, X6
	VPACKUSWB X6, X6, X6
	VMOVQ X6, (R8)(BX*1)

	VPMULLD stbCbB<>(SB), Y4, Y6 // B
	VPADDD Y1, Y6, Y6
	VPSRAD $12, Y6, Y6
	VEXTRACTI128 $1, Y6, X7
	VPACKSSDW X7, X6, X6
	VPACKUSWB X6, X6, X6
	VMOVQ X6, (R9)(BX*1)

	ADDQ $160, DX
	ADDQ $8, BX
	CMPQ BX, CX
	JLT loop
	VZEROUPPER
	RET
