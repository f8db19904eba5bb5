//go:build !purego

#include "textflag.h"
#include "stbycc_amd64.h"

// func stbGatherVBMI(R, G, B, yrow, cbNear, cbFar, crNear, crFar *uint8, ylen, clen int, plan *int32, nb int, v *STBChroma)
//
// 16 pixels a block (stbycc_blocks.go's plan): a 64-byte load of the luma
// row at the block's base and one of each of the four chroma rows at its
// chroma base (the bytes past the rows masked off, so nothing beyond them
// is read); VPERMB picks the luma and, from each chroma row, the samples
// at the first and the second taps; then stbycc_amd64.s's int32 sums,
// >>12, clamped to [0, 255] (max with 0, then the unsigned saturating
// dword→byte narrowing).
TEXT ·stbGatherVBMI(SB), NOSPLIT, $0-104
	MOVQ v+96(FP), AX
	VPBROADCASTD 0(AX), Z26      // V0
	VPBROADCASTD 4(AX), Z27      // V1
	VPBROADCASTD 8(AX), Z28      // Rnd
	VMOVD 12(AX), X12            // Shift
	VPBROADCASTD stbByteMask<>(SB), Z29
	VPXORD Z30, Z30, Z30         // 0 for the lower clamp
	VPBROADCASTD stbHalf<>(SB), Z16
	VPBROADCASTD stb128<>(SB), Z17
	VPBROADCASTD stbCrR<>(SB), Z18
	VPBROADCASTD stbNegCrG<>(SB), Z19
	VPBROADCASTD stbNegCbG<>(SB), Z20
	VPBROADCASTD stbCbB<>(SB), Z21
	MOVQ R+0(FP), DI
	MOVQ G+8(FP), R8
	MOVQ B+16(FP), R9
	MOVQ yrow+24(FP), SI
	MOVQ cbNear+32(FP), R10
	MOVQ cbFar+40(FP), R11
	MOVQ crNear+48(FP), AX
	MOVQ crFar+56(FP), R13
	MOVQ plan+80(FP), R12
	MOVQ nb+88(FP), CX
	MOVQ $-1, R14
	XORQ BX, BX                  // output offset

loop:
	// Luma: mask = the bytes of [base, min(base+64, ylen)).
	MOVLQSX 0(R12), DX
	MOVQ ylen+64(FP), R15
	SUBQ DX, R15
	CMPQ R15, $64
	JGE  yfull
	BZHIQ R15, R14, R15
	KMOVQ R15, K1
	JMP  yload
yfull:
	KMOVQ R14, K1
yload:
	VMOVDQU8.Z (SI)(DX*1), K1, Z0
	VMOVDQU 8(R12), X1
	VPERMB Z0, Z1, Z0
	VPMOVZXBD X0, Z1             // y

	// Chroma: one mask for the four rows.
	MOVLQSX 4(R12), DX
	MOVQ clen+72(FP), R15
	SUBQ DX, R15
	CMPQ R15, $64
	JGE  cfull
	BZHIQ R15, R14, R15
	KMOVQ R15, K2
	JMP  cload
cfull:
	KMOVQ R14, K2
cload:
	VMOVDQU 24(R12), X8          // first taps
	VMOVDQU 40(R12), X9          // second taps
	VPMOVZXBD 56(R12), Z22       // first weights
	VPMOVZXBD 72(R12), Z23       // second weights

	// Cb into Z24
	VMOVDQU8.Z (R10)(DX*1), K2, Z2 // near row
	VMOVDQU8.Z (R11)(DX*1), K2, Z3 // far row
	VPERMB Z2, Z8, Z4
	VPERMB Z3, Z8, Z5
	VPMOVZXBD X4, Z4
	VPMOVZXBD X5, Z5
	VPMULLD Z26, Z4, Z4
	VPMULLD Z27, Z5, Z5
	VPADDD Z5, Z4, Z4            // T0
	VPMULLD Z22, Z4, Z4          // H0·T0
	VPERMB Z2, Z9, Z5
	VPERMB Z3, Z9, Z6
	VPMOVZXBD X5, Z5
	VPMOVZXBD X6, Z6
	VPMULLD Z26, Z5, Z5
	VPMULLD Z27, Z6, Z6
	VPADDD Z6, Z5, Z5            // T1
	VPMULLD Z23, Z5, Z5          // H1·T1
	VPADDD Z5, Z4, Z4
	VPADDD Z28, Z4, Z4
	VPSRAD X12, Z4, Z4
	VPANDD Z29, Z4, Z24          // a byte, as the Go code's uint8

	// Cr into Z25
	VMOVDQU8.Z (AX)(DX*1), K2, Z2
	VMOVDQU8.Z (R13)(DX*1), K2, Z3
	VPERMB Z2, Z8, Z4
	VPERMB Z3, Z8, Z5
	VPMOVZXBD X4, Z4
	VPMOVZXBD X5, Z5
	VPMULLD Z26, Z4, Z4
	VPMULLD Z27, Z5, Z5
	VPADDD Z5, Z4, Z4
	VPMULLD Z22, Z4, Z4
	VPERMB Z2, Z9, Z5
	VPERMB Z3, Z9, Z6
	VPMOVZXBD X5, Z5
	VPMOVZXBD X6, Z6
	VPMULLD Z26, Z5, Z5
	VPMULLD Z27, Z6, Z6
	VPADDD Z6, Z5, Z5
	VPMULLD Z23, Z5, Z5
	VPADDD Z5, Z4, Z4
	VPADDD Z28, Z4, Z4
	VPSRAD X12, Z4, Z4
	VPANDD Z29, Z4, Z25

	VPSLLD $12, Z1, Z1           // y<<12 + 2048
	VPADDD Z16, Z1, Z1
	VPSUBD Z17, Z24, Z24         // cb - 128
	VPSUBD Z17, Z25, Z25         // cr - 128

	VPMULLD Z18, Z25, Z4         // R
	VPADDD Z1, Z4, Z4
	VPSRAD $12, Z4, Z4
	VPMAXSD Z30, Z4, Z4
	VPMOVUSDB Z4, X4
	VMOVDQU X4, (DI)(BX*1)

	VPMULLD Z20, Z24, Z4         // G: ((-cb·1410) >> 8) << 8 - cr·2925
	VPSRAD $8, Z4, Z4
	VPSLLD $8, Z4, Z4
	VPMULLD Z19, Z25, Z5
	VPADDD Z5, Z4, Z4
	VPADDD Z1, Z4, Z4
	VPSRAD $12, Z4, Z4
	VPMAXSD Z30, Z4, Z4
	VPMOVUSDB Z4, X4
	VMOVDQU X4, (R8)(BX*1)

	VPMULLD Z21, Z24, Z4         // B
	VPADDD Z1, Z4, Z4
	VPSRAD $12, Z4, Z4
	VPMAXSD Z30, Z4, Z4
	VPMOVUSDB Z4, X4
	VMOVDQU X4, (R9)(BX*1)

	ADDQ $88, R12
	ADDQ $16, BX
	DECQ CX
	JNZ  loop
	VZEROUPPER
	RET
