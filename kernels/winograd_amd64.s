//go:build !purego

#include "textflag.h"

// The element-wise transforms of F(4×4, 3×3) Winograd and the gather and
// scatter of tile phases (see convolutional_winograd.go), 8 floats or
// tiles at a time. They require n ≥ 8: the last n%8 are done by one more
// vector that overlaps the previous one. Go's versions (used for n < 8 and
// without AVX2) are in convolutional_winograd.go.

// WINOB_STEP computes one vector of winoB's outputs at byte offset R14
// (pointers as in the functions); v0… name the vector registers, ymm or
// zmm, so the AVX2 and AVX-512 versions share one text.
#define WINOB_STEP(v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v12, v13, v14) \
	VMOVUPS (AX)(R14*1), v0; \
	VMOVUPS (BX)(R14*1), v1; \
	VMOVUPS (CX)(R14*1), v2; \
	VMOVUPS (DX)(R14*1), v3; \
	VMOVUPS (SI)(R14*1), v4; \
	VMOVUPS (DI)(R14*1), v5; \
	VMOVAPS v4, v6; \
	VFNMADD231PS v13, v2, v6; \
	VFMADD231PS v12, v0, v6; \
	VMOVUPS v6, (R8)(R14*1); \
	VMOVAPS v5, v7; \
	VFNMADD231PS v13, v3, v7; \
	VFMADD231PS v12, v1, v7; \
	VMOVUPS v7, (R13)(R14*1); \
	VADDPS v3, v4, v8; \
	VADDPS v1, v2, v9; \
	VFNMADD231PS v12, v9, v8; \
	VMOVUPS v8, (R9)(R14*1); \
	VSUBPS v3, v4, v8; \
	VSUBPS v2, v1, v9; \
	VFMADD231PS v12, v9, v8; \
	VMOVUPS v8, (R10)(R14*1); \
	VSUBPS v2, v4, v8; \
	VSUBPS v1, v3, v9; \
	VMOVAPS v8, v10; \
	VFMADD231PS v14, v9, v8; \
	VFNMADD231PS v14, v9, v10; \
	VMOVUPS v8, (R11)(R14*1); \
	VMOVUPS v10, (R12)(R14*1)

// WINOA_STEP computes one vector of winoA's outputs at byte offset R14
// (pointers as in the functions); v0… name the vector registers, ymm or
// zmm, so the AVX2 and AVX-512 versions share one text.
#define WINOA_STEP(v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14) \
	VMOVUPS (AX)(R14*1), v0; \
	VMOVUPS (BX)(R14*1), v1; \
	VMOVUPS (CX)(R14*1), v2; \
	VMOVUPS (DX)(R14*1), v3; \
	VMOVUPS (SI)(R14*1), v4; \
	VMOVUPS (DI)(R14*1), v5; \
	VADDPS v2, v1, v6; \
	VSUBPS v2, v1, v7; \
	VADDPS v4, v3, v8; \
	VSUBPS v4, v3, v9; \
	VADDPS v6, v0, v10; \
	VADDPS v8, v10, v10; \
	VMOVUPS v10, (R8)(R14*1); \
	VMOVAPS v7, v11; \
	VFMADD231PS v14, v9, v11; \
	VMOVUPS v11, (R9)(R14*1); \
	VFMADD231PS v12, v8, v6; \
	VMOVUPS v6, (R10)(R14*1); \
	VADDPS v5, v7, v7; \
	VFMADD231PS v13, v9, v7; \
	VMOVUPS v7, (R11)(R14*1)

// func winoBAVX2(src, dst *[6]*float32, n int)
//
// For x < n, with d_i = src[i][x]:
//
//	dst[0][x] = 4·d0 − 5·d2 + d4
//	dst[1][x] = (d3 + d4) − 4·(d1 + d2)
//	dst[2][x] = (d4 − d3) + 4·(d1 − d2)
//	dst[3][x] = (d4 − d2) + 2·(d3 − d1)
//	dst[4][x] = (d4 − d2) − 2·(d3 − d1)
//	dst[5][x] = 4·d1 − 5·d3 + d5
//
// Requires AVX2 and FMA.
TEXT ·winoBAVX2(SB), NOSPLIT, $0-24
	MOVL $0x40800000, R14 // 4
	VMOVD R14, X12
	VBROADCASTSS X12, Y12
	MOVL $0x40a00000, R14 // 5
	VMOVD R14, X13
	VBROADCASTSS X13, Y13
	MOVL $0x40000000, R14 // 2
	VMOVD R14, X14
	VBROADCASTSS X14, Y14
	MOVQ src+0(FP), R14
	MOVQ 0(R14), AX
	MOVQ 8(R14), BX
	MOVQ 16(R14), CX
	MOVQ 24(R14), DX
	MOVQ 32(R14), SI
	MOVQ 40(R14), DI
	MOVQ dst+8(FP), R14
	MOVQ 0(R14), R8
	MOVQ 8(R14), R9
	MOVQ 16(R14), R10
	MOVQ 24(R14), R11
	MOVQ 32(R14), R12
	MOVQ 40(R14), R13
	MOVQ n+16(FP), R15
	ANDQ $-8, R15
	SHLQ $2, R15
	XORQ R14, R14

bvec:
	CMPQ R14, R15
	JGE  btail
	WINOB_STEP(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y12, Y13, Y14)
	ADDQ $32, R14
	JMP  bvec

btail:
	// A last, overlapping vector for the n%8 remaining elements: it
	// recomputes a few done ones with the same result (dst and src never
	// overlap).
	MOVQ n+16(FP), R15
	SHLQ $2, R15
	CMPQ R14, R15
	JGE  bdone
	LEAQ -32(R15), R14
	JMP  bvec

bdone:
	VZEROUPPER
	RET

// func winoAAVX2(src *[6]*float32, dst *[4]*float32, n int)
//
// For x < n, with m_i = src[i][x], s12 = m1 + m2, d12 = m1 − m2,
// s34 = m3 + m4, d34 = m3 − m4:
//
//	dst[0][x] = (m0 + s12) + s34
//	dst[1][x] = d12 + 2·d34
//	dst[2][x] = s12 + 4·s34
//	dst[3][x] = (d12 + m5) + 8·d34
//
// Requires AVX2 and FMA.
TEXT ·winoAAVX2(SB), NOSPLIT, $0-24
	MOVL $0x40800000, R14 // 4
	VMOVD R14, X12
	VBROADCASTSS X12, Y12
	MOVL $0x41000000, R14 // 8
	VMOVD R14, X13
	VBROADCASTSS X13, Y13
	MOVL $0x40000000, R14 // 2
	VMOVD R14, X14
	VBROADCASTSS X14, Y14
	MOVQ src+0(FP), R14
	MOVQ 0(R14), AX
	MOVQ 8(R14), BX
	MOVQ 16(R14), CX
	MOVQ 24(R14), DX
	MOVQ 32(R14), SI
	MOVQ 40(R14), DI
	MOVQ dst+8(FP), R14
	MOVQ 0(R14), R8
	MOVQ 8(R14), R9
	MOVQ 16(R14), R10
	MOVQ 24(R14), R11
	MOVQ n+16(FP), R15
	ANDQ $-8, R15
	SHLQ $2, R15
	XORQ R14, R14

avec:
	CMPQ R14, R15
	JGE  atail
	WINOA_STEP(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14)
	ADDQ $32, R14
	JMP  avec

atail:
	MOVQ n+16(FP), R15
	SHLQ $2, R15
	CMPQ R14, R15
	JGE  adone
	LEAQ -32(R15), R14
	JMP  avec

adone:
	VZEROUPPER
	RET

// func winoGatherAVX2(row *float32, q *[6]*float32, n int)
//
// q[j][t] = row[4t+j] for j < 6, t < n (n ≥ 8): the 4×4 transposes of 8
// tiles' columns (and of the columns 4 further for j = 4, 5) in both
// 128-bit lanes. Reads row[0 : 4n+4].
TEXT ·winoGatherAVX2(SB), NOSPLIT, $0-24
	MOVQ row+0(FP), SI
	MOVQ q+8(FP), R14
	MOVQ 0(R14), AX
	MOVQ 8(R14), BX
	MOVQ 16(R14), CX
	MOVQ 24(R14), DX
	MOVQ 32(R14), R8
	MOVQ 40(R14), R9
	MOVQ n+16(FP), R15
	ANDQ $-8, R15
	SHLQ $2, R15
	XORQ R14, R14

gloop:
	CMPQ R14, R15
	JGE  gtail
	LEAQ (SI)(R14*4), DI // row + 4t floats
	VMOVUPS    0(DI), X0
	VINSERTF128 $1, 64(DI), Y0, Y0
	VMOVUPS    16(DI), X1
	VINSERTF128 $1, 80(DI), Y1, Y1
	VMOVUPS    32(DI), X2
	VINSERTF128 $1, 96(DI), Y2, Y2
	VMOVUPS    48(DI), X3
	VINSERTF128 $1, 112(DI), Y3, Y3
	VUNPCKLPS  Y1, Y0, Y4
	VUNPCKHPS  Y1, Y0, Y5
	VUNPCKLPS  Y3, Y2, Y6
	VUNPCKHPS  Y3, Y2, Y7
	VUNPCKLPD  Y6, Y4, Y8
	VUNPCKHPD  Y6, Y4, Y9
	VUNPCKLPD  Y7, Y5, Y10
	VUNPCKHPD  Y7, Y5, Y11
	VMOVUPS    Y8, (AX)(R14*1)
	VMOVUPS    Y9, (BX)(R14*1)
	VMOVUPS    Y10, (CX)(R14*1)
	VMOVUPS    Y11, (DX)(R14*1)
	// Columns 4t+4 and 4t+5: the first two columns of the next tiles.
	VMOVUPS    16(DI), X0
	VINSERTF128 $1, 80(DI), Y0, Y0
	VMOVUPS    32(DI), X1
	VINSERTF128 $1, 96(DI), Y1, Y1
	VMOVUPS    48(DI), X2
	VINSERTF128 $1, 112(DI), Y2, Y2
	VMOVUPS    64(DI), X3
	VINSERTF128 $1, 128(DI), Y3, Y3
	VUNPCKLPS  Y1, Y0, Y4
	VUNPCKLPS  Y3, Y2, Y6
	VUNPCKLPD  Y6, Y4, Y8
	VUNPCKHPD  Y6, Y4, Y9
	VMOVUPS    Y8, (R8)(R14*1)
	VMOVUPS    Y9, (R9)(R14*1)
	ADDQ $32, R14
	JMP  gloop

gtail:
	MOVQ n+16(FP), R15
	SHLQ $2, R15
	CMPQ R14, R15
	JGE  gdone
	LEAQ -32(R15), R14
	JMP  gloop

gdone:
	VZEROUPPER
	RET

// func winoScatterAVX2(y *[4]*float32, dst *float32, n int)
//
// dst[4t+j] = y[j][t] for j < 4, t < n (n ≥ 8): the inverse of the
// gather's transposes.
TEXT ·winoScatterAVX2(SB), NOSPLIT, $0-24
	MOVQ y+0(FP), R14
	MOVQ 0(R14), AX
	MOVQ 8(R14), BX
	MOVQ 16(R14), CX
	MOVQ 24(R14), DX
	MOVQ dst+8(FP), DI
	MOVQ n+16(FP), R15
	ANDQ $-8, R15
	SHLQ $2, R15
	XORQ R14, R14

sloop:
	CMPQ R14, R15
	JGE  stail
	VMOVUPS   (AX)(R14*1), Y0
	VMOVUPS   (BX)(R14*1), Y1
	VMOVUPS   (CX)(R14*1), Y2
	VMOVUPS   (DX)(R14*1), Y3
	VUNPCKLPS Y1, Y0, Y4
	VUNPCKHPS Y1, Y0, Y5
	VUNPCKLPS Y3, Y2, Y6
	VUNPCKHPS Y3, Y2, Y7
	VUNPCKLPD Y6, Y4, Y8
	VUNPCKHPD Y6, Y4, Y9
	VUNPCKLPD Y7, Y5, Y10
	VUNPCKHPD Y7, Y5, Y11
	LEAQ      (DI)(R14*4), SI // dst + 4t floats
	VMOVUPS   X8, 0(SI)
	VEXTRACTF128 $1, Y8, 64(SI)
	VMOVUPS   X9, 16(SI)
	VEXTRACTF128 $1, Y9, 80(SI)
	VMOVUPS   X10, 32(SI)
	VEXTRACTF128 $1, Y10, 96(SI)
	VMOVUPS   X11, 48(SI)
	VEXTRACTF128 $1, Y11, 112(SI)
	ADDQ $32, R14
	JMP  sloop

stail:
	MOVQ n+16(FP), R15
	SHLQ $2, R15
	CMPQ R14, R15
	JGE  sdone
	LEAQ -32(R15), R14
	JMP  sloop

sdone:
	VZEROUPPER
	RET

// func winoBAVX512(src, dst *[6]*float32, n int)
//
// winoBAVX2 16 floats at a time (the same operations, so the same bits),
// for n ≥ 16: the last n%16 by one more vector overlapping the previous
// one. Requires AVX-512F.
TEXT ·winoBAVX512(SB), NOSPLIT, $0-24
	MOVL $0x40800000, R14 // 4
	VMOVD R14, X12
	VBROADCASTSS X12, Z12
	MOVL $0x40a00000, R14 // 5
	VMOVD R14, X13
	VBROADCASTSS X13, Z13
	MOVL $0x40000000, R14 // 2
	VMOVD R14, X14
	VBROADCASTSS X14, Z14
	MOVQ src+0(FP), R14
	MOVQ 0(R14), AX
	MOVQ 8(R14), BX
	MOVQ 16(R14), CX
	MOVQ 24(R14), DX
	MOVQ 32(R14), SI
	MOVQ 40(R14), DI
	MOVQ dst+8(FP), R14
	MOVQ 0(R14), R8
	MOVQ 8(R14), R9
	MOVQ 16(R14), R10
	MOVQ 24(R14), R11
	MOVQ 32(R14), R12
	MOVQ 40(R14), R13
	MOVQ n+16(FP), R15
	ANDQ $-16, R15
	SHLQ $2, R15
	XORQ R14, R14

bvec16:
	CMPQ R14, R15
	JGE  btail16
	WINOB_STEP(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z12, Z13, Z14)
	ADDQ $64, R14
	JMP  bvec16

btail16:
	MOVQ n+16(FP), R15
	SHLQ $2, R15
	CMPQ R14, R15
	JGE  bdone16
	LEAQ -64(R15), R14
	JMP  bvec16

bdone16:
	VZEROUPPER
	RET

// func winoAAVX512(src *[6]*float32, dst *[4]*float32, n int)
//
// winoAAVX2 16 floats at a time (the same bits), for n ≥ 16. Requires
// AVX-512F.
TEXT ·winoAAVX512(SB), NOSPLIT, $0-24
	MOVL $0x40800000, R14 // 4
	VMOVD R14, X12
	VBROADCASTSS X12, Z12
	MOVL $0x41000000, R14 // 8
	VMOVD R14, X13
	VBROADCASTSS X13, Z13
	MOVL $0x40000000, R14 // 2
	VMOVD R14, X14
	VBROADCASTSS X14, Z14
	MOVQ src+0(FP), R14
	MOVQ 0(R14), AX
	MOVQ 8(R14), BX
	MOVQ 16(R14), CX
	MOVQ 24(R14), DX
	MOVQ 32(R14), SI
	MOVQ 40(R14), DI
	MOVQ dst+8(FP), R14
	MOVQ 0(R14), R8
	MOVQ 8(R14), R9
	MOVQ 16(R14), R10
	MOVQ 24(R14), R11
	MOVQ n+16(FP), R15
	ANDQ $-16, R15
	SHLQ $2, R15
	XORQ R14, R14

avec16:
	CMPQ R14, R15
	JGE  atail16
	WINOA_STEP(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14)
	ADDQ $64, R14
	JMP  avec16

atail16:
	MOVQ n+16(FP), R15
	SHLQ $2, R15
	CMPQ R14, R15
	JGE  adone16
	LEAQ -64(R15), R14
	JMP  avec16

adone16:
	VZEROUPPER
	RET
