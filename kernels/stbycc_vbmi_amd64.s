//go:build !purego

#include "textflag.h"
#include "stbycc_amd64.h"
#include "vbmi_amd64.h"

// STB_PICKS_NARROW picks one chroma plane's samples from its rows' 64-byte
// windows at DX (masked with K2): near and far at the first taps (X8) into
// Z4, Z5 and at the second taps (X9) into Z13, Z14.
#define STB_PICKS_NARROW(near, far) \
	VMOVDQU8.Z (near)(DX*1), K2, Z2 \
	VMOVDQU8.Z (far)(DX*1), K2, Z3 \
	VPERMB Z2, Z8, Z4 \
	VPERMB Z3, Z8, Z5 \
	VPERMB Z2, Z9, Z13 \
	VPERMB Z3, Z9, Z14

// STB_PICKS_WIDE is STB_PICKS_NARROW for wide plans: each row's next 64
// bytes too (masked with K4), and VPERMI2B picks from the 128 (it
// overwrites its indices, so it takes copies of the taps).
#define STB_PICKS_WIDE(near, far) \
	VMOVDQU8.Z (near)(DX*1), K2, Z2 \
	VMOVDQU8.Z (far)(DX*1), K2, Z3 \
	VMOVDQU8.Z 64(near)(DX*1), K4, Z10 \
	VMOVDQU8.Z 64(far)(DX*1), K4, Z11 \
	VMOVDQA64 Z8, Z4 \
	VPERMI2B Z10, Z2, Z4 \
	VMOVDQA64 Z8, Z5 \
	VPERMI2B Z11, Z3, Z5 \
	VMOVDQA64 Z9, Z13 \
	VPERMI2B Z10, Z2, Z13 \
	VMOVDQA64 Z9, Z14 \
	VPERMI2B Z11, Z3, Z14

// STB_SUMS turns the picked samples into the plane's chroma in out:
// uint8((H0·(V0·near0 + V1·far0) + H1·(V0·near1 + V1·far1) + Rnd) >> Shift).
#define STB_SUMS(out) \
	VPMOVZXBD X4, Z4 \
	VPMOVZXBD X5, Z5 \
	VPMULLD Z26, Z4, Z4 \
	VPMULLD Z27, Z5, Z5 \
	VPADDD Z5, Z4, Z4 \
	VPMULLD Z22, Z4, Z4 \
	VPMOVZXBD X13, Z5 \
	VPMOVZXBD X14, Z6 \
	VPMULLD Z26, Z5, Z5 \
	VPMULLD Z27, Z6, Z6 \
	VPADDD Z6, Z5, Z5 \
	VPMULLD Z23, Z5, Z5 \
	VPADDD Z5, Z4, Z4 \
	VPADDD Z28, Z4, Z4 \
	VPSRAD X12, Z4, Z4 \
	VPANDD Z29, Z4, out

// func stbGatherVBMI(R, G, B, yrow, cbNear, cbFar, crNear, crFar *uint8, ylen, clen int, plan *int32, nb int, v *STBChroma, wide bool)
//
// 16 pixels a block (stbycc_blocks.go's plan): a 64-byte load of the luma
// row at the block's base and one of each of the four chroma rows at its
// chroma base (the bytes past the rows masked off, so nothing beyond them
// is read); VPERMB picks the luma and, from each chroma row, the samples
// at the first and the second taps; then stbycc_amd64.s's int32 sums,
// >>12, clamped to [0, 255] (max with 0, then the unsigned saturating
// dword→byte narrowing). wide (some block spans 64 bytes or more, up to
// 128): each row's next 64 bytes too, and the two-table permutes
// (VPERMT2B, VPERMI2B) pick from the 128.
TEXT ·stbGatherVBMI(SB), NOSPLIT, $0-105
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
	// Luma: K1 = the bytes of [base, min(base+64, ylen)).
	MOVLQSX 0(R12), DX
	VBMI_WINDOW(K1, 0, ylen+64(FP), yfull, yempty, yload)
	VMOVDQU8.Z (SI)(DX*1), K1, Z0
	VMOVDQU 8(R12), X1
	CMPB wide+104(FP), $0
	JNE  ywide
	VPERMB Z0, Z1, Z0
	JMP  ydone
ywide:
	// K3 = the next 64 bytes' part within the row.
	VBMI_WINDOW(K3, 64, ylen+64(FP), yfull2, yempty2, yload2)
	VMOVDQU8.Z 64(SI)(DX*1), K3, Z5
	VPERMT2B Z5, Z1, Z0
ydone:
	VPMOVZXBD X0, Z1             // y

	// Chroma: K2 (and K4 for the next 64 bytes) for the four rows.
	MOVLQSX 4(R12), DX
	VBMI_WINDOW(K2, 0, clen+72(FP), cfull, cempty, cload)
	VMOVDQU 24(R12), X8          // first taps
	VMOVDQU 40(R12), X9          // second taps
	VPMOVZXBD 56(R12), Z22       // first weights
	VPMOVZXBD 72(R12), Z23       // second weights
	CMPB wide+104(FP), $0
	JNE  cwide
	STB_PICKS_NARROW(R10, R11)
	STB_SUMS(Z24)                // Cb
	STB_PICKS_NARROW(AX, R13)
	STB_SUMS(Z25)                // Cr
	JMP  cdone
cwide:
	VBMI_WINDOW(K4, 64, clen+72(FP), cfull2, cempty2, cload2)
	STB_PICKS_WIDE(R10, R11)
	STB_SUMS(Z24)
	STB_PICKS_WIDE(AX, R13)
	STB_SUMS(Z25)
cdone:

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
