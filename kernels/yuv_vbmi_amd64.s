//go:build !purego

#include "textflag.h"
#include "vbmi_amd64.h"

// func yuvGatherVBMI(R, G, B, yrow, cb, cr *uint8, ylen, clen int, plan *int32, nb int, k *YUVCoef, wide bool)
//
// 16 pixels a block (yuv_blocks.go's plan): a 64-byte load of the luma row
// at the block's base and one of each chroma row at its chroma base (the
// bytes past the row masked off, so nothing beyond it is read), VPERMB
// picks the 16 samples of each, then the int32 sums of YUVGather as in
// yuv_amd64.s, >>16, clamped to [0, 255] (max with 0, then the unsigned
// saturating dword→byte narrowing). wide: a second window of each row,
// the 64 bytes after the first (masked the same way; an empty mask reads
// nothing), and VPERMT2B picks from the 128.
TEXT ·yuvGatherVBMI(SB), NOSPLIT, $0-89
	MOVQ R+0(FP), DI
	MOVQ G+8(FP), R8
	MOVQ B+16(FP), R9
	MOVQ yrow+24(FP), SI
	MOVQ cb+32(FP), R10
	MOVQ cr+40(FP), R11
	MOVQ ylen+48(FP), R13
	MOVQ clen+56(FP), AX
	MOVQ plan+64(FP), R12
	MOVQ nb+72(FP), CX
	MOVQ k+80(FP), DX
	VPBROADCASTD 0(DX), Z8   // CY
	VPBROADCASTD 4(DX), Z9   // CrR
	VPBROADCASTD 8(DX), Z10  // CbG
	VPBROADCASTD 12(DX), Z11 // CrG
	VPBROADCASTD 16(DX), Z12 // CbB
	VPBROADCASTD 20(DX), Z13 // BR
	VPBROADCASTD 24(DX), Z14 // BG
	VPBROADCASTD 28(DX), Z15 // BB
	VPXORD Z7, Z7, Z7        // 0 for the lower clamp
	MOVQ $-1, R14
	XORQ BX, BX              // output offset

loop:
	// Luma: mask = the bytes of [base, min(base+64, ylen)).
	MOVLQSX 0(R12), DX
	VBMI_WINDOW(K1, 0, R13, yfull, yempty, yload)
	VMOVDQU8.Z (SI)(DX*1), K1, Z0
	VMOVDQU 8(R12), X1
	CMPB wide+88(FP), $0
	JNE  ywide
	VPERMB Z0, Z1, Z0
	JMP  ydone
ywide:
	// The second window: mask = the bytes of [base+64, min(base+128, ylen)).
	VBMI_WINDOW(K3, 64, R13, yfull2, yempty2, yload2)
	VMOVDQU8.Z 64(SI)(DX*1), K3, Z5
	VPERMT2B Z5, Z1, Z0
ydone:
	VPMOVZXBD X0, Z1           // y
	VPMULLD Z8, Z1, Z1         // CY·y

	// Chroma: one mask for both rows.
	MOVLQSX 4(R12), DX
	VBMI_WINDOW(K2, 0, AX, cfull, cempty, cload)
	VMOVDQU 24(R12), X4
	VMOVDQU8.Z (R10)(DX*1), K2, Z2
	VMOVDQU8.Z (R11)(DX*1), K2, Z3
	CMPB wide+88(FP), $0
	JNE  cwide
	VPERMB Z2, Z4, Z2
	VPERMB Z3, Z4, Z3
	JMP  cdone
cwide:
	VBMI_WINDOW(K3, 64, AX, cfull2, cempty2, cload2)
	VMOVDQU8.Z 64(R10)(DX*1), K3, Z5
	VPERMT2B Z5, Z4, Z2
	VMOVDQU8.Z 64(R11)(DX*1), K3, Z5
	VPERMT2B Z5, Z4, Z3
cdone:
	VPMOVZXBD X2, Z2           // cb
	VPMOVZXBD X3, Z3           // cr

	VPMULLD Z9, Z3, Z4         // R
	VPADDD Z1, Z4, Z4
	VPADDD Z13, Z4, Z4
	VPSRAD $16, Z4, Z4
	VPMAXSD Z7, Z4, Z4
	VPMOVUSDB Z4, X4
	VMOVDQU X4, (DI)(BX*1)

	VPMULLD Z10, Z2, Z4        // G
	VPMULLD Z11, Z3, Z5
	VPADDD Z5, Z4, Z4
	VPADDD Z1, Z4, Z4
	VPADDD Z14, Z4, Z4
	VPSRAD $16, Z4, Z4
	VPMAXSD Z7, Z4, Z4
	VPMOVUSDB Z4, X4
	VMOVDQU X4, (R8)(BX*1)

	VPMULLD Z12, Z2, Z4        // B
	VPADDD Z1, Z4, Z4
	VPADDD Z15, Z4, Z4
	VPSRAD $16, Z4, Z4
	VPMAXSD Z7, Z4, Z4
	VPMOVUSDB Z4, X4
	VMOVDQU X4, (R9)(BX*1)

	ADDQ $40, R12
	ADDQ $16, BX
	DECQ CX
	JNZ  loop
	VZEROUPPER
	RET
