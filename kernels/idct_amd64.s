//go:build !purego

#include "textflag.h"

// stb_image's JPEG IDCT (stbi__idct_block) on 8 lanes of int32: see
// IDCT8x8STB in idct.go, whose Go version idctSTBGo this must equal bit for
// bit (TestIDCT8x8STBAVX2). The column pass works on the rows of the
// block as vectors (lane = column), the row pass on the transposed result
// (lane = row); a second transpose gives the output rows, packed to bytes
// with signed (int32->int16) then unsigned (int16->uint8) saturation,
// which together clamp to [0, 255] exactly like stbi__clamp.

// IDCT1D runs STBI__IDCT_1D on s0..s7 in Y0..Y7 and leaves
// (x0+t3)>>SH, (x1+t2)>>SH, (x2+t1)>>SH, (x3+t0)>>SH, (x3-t0)>>SH,
// (x2-t1)>>SH, (x1-t2)>>SH, (x0-t3)>>SH in Y0..Y7, BIAS added to x0..x3.
// Y8..Y15 are clobbered. Additions, subtractions and multiplications wrap
// mod 2^32 like C int, so their order does not change the result.
#define IDCT1D(BIAS, SH) \
	VPADDD   Y6, Y2, Y8                   \ // s2+s6
	VPMULLD  idctC0v<>(SB), Y8, Y8        \ // p1
	VPMULLD  idctC1v<>(SB), Y6, Y9        \
	VPADDD   Y8, Y9, Y9                   \ // t2 = p1 + s6*C1
	VPMULLD  idctC2v<>(SB), Y2, Y10       \
	VPADDD   Y8, Y10, Y10                 \ // t3 = p1 + s2*C2
	VPADDD   Y4, Y0, Y11                  \
	VPSLLD   $12, Y11, Y11                \ // t0 = (s0+s4)*4096
	VPSUBD   Y4, Y0, Y12                  \
	VPSLLD   $12, Y12, Y12                \ // t1 = (s0-s4)*4096
	VPADDD   BIAS, Y11, Y11               \
	VPADDD   BIAS, Y12, Y12               \
	VPADDD   Y10, Y11, Y0                 \ // x0 (+bias)
	VPSUBD   Y10, Y11, Y4                 \ // x3
	VPADDD   Y9, Y12, Y2                  \ // x1
	VPSUBD   Y9, Y12, Y6                  \ // x2
	VPADDD   Y3, Y7, Y8                   \ // p3 = s7+s3
	VPADDD   Y1, Y5, Y9                   \ // p4 = s5+s1
	VPADDD   Y1, Y7, Y10                  \ // p1 = s7+s1
	VPADDD   Y3, Y5, Y11                  \ // p2 = s5+s3
	VPADDD   Y9, Y8, Y12                  \
	VPMULLD  idctC3v<>(SB), Y12, Y12      \ // p5
	VPMULLD  idctC8v<>(SB), Y10, Y10      \
	VPADDD   Y12, Y10, Y10                \ // p1 = p5 + p1*C8
	VPMULLD  idctC9v<>(SB), Y11, Y11      \
	VPADDD   Y12, Y11, Y11                \ // p2 = p5 + p2*C9
	VPMULLD  idctCAv<>(SB), Y8, Y8        \ // p3 *= CA
	VPMULLD  idctCBv<>(SB), Y9, Y9        \ // p4 *= CB
	VPMULLD  idctC4v<>(SB), Y7, Y7        \
	VPADDD   Y10, Y7, Y7                  \
	VPADDD   Y8, Y7, Y7                   \ // t0 = s7*C4 + p1 + p3
	VPMULLD  idctC5v<>(SB), Y5, Y5        \
	VPADDD   Y11, Y5, Y5                  \
	VPADDD   Y9, Y5, Y5                   \ // t1 = s5*C5 + p2 + p4
	VPMULLD  idctC6v<>(SB), Y3, Y3        \
	VPADDD   Y11, Y3, Y3                  \
	VPADDD   Y8, Y3, Y3                   \ // t2 = s3*C6 + p2 + p3
	VPMULLD  idctC7v<>(SB), Y1, Y1        \
	VPADDD   Y10, Y1, Y1                  \
	VPADDD   Y9, Y1, Y1                   \ // t3 = s1*C7 + p1 + p4
	VPADDD   Y1, Y0, Y8                   \ // x0+t3
	VPSUBD   Y1, Y0, Y9                   \ // x0-t3
	VPADDD   Y3, Y2, Y10                  \ // x1+t2
	VPSUBD   Y3, Y2, Y11                  \ // x1-t2
	VPADDD   Y5, Y6, Y12                  \ // x2+t1
	VPSUBD   Y5, Y6, Y13                  \ // x2-t1
	VPADDD   Y7, Y4, Y14                  \ // x3+t0
	VPSUBD   Y7, Y4, Y15                  \ // x3-t0
	VPSRAD   $SH, Y8, Y0                  \
	VPSRAD   $SH, Y10, Y1                 \
	VPSRAD   $SH, Y12, Y2                 \
	VPSRAD   $SH, Y14, Y3                 \
	VPSRAD   $SH, Y15, Y4                 \
	VPSRAD   $SH, Y13, Y5                 \
	VPSRAD   $SH, Y11, Y6                 \
	VPSRAD   $SH, Y9, Y7

// TRANSPOSE transposes the 8x8 int32 matrix whose rows are Y0..Y7 into
// Y8..Y15 (Y8 = column 0); Y0..Y7 are clobbered.
#define TRANSPOSE \
	VPUNPCKLDQ  Y1, Y0, Y8             \
	VPUNPCKHDQ  Y1, Y0, Y9             \
	VPUNPCKLDQ  Y3, Y2, Y10            \
	VPUNPCKHDQ  Y3, Y2, Y11            \
	VPUNPCKLDQ  Y5, Y4, Y12            \
	VPUNPCKHDQ  Y5, Y4, Y13            \
	VPUNPCKLDQ  Y7, Y6, Y14            \
	VPUNPCKHDQ  Y7, Y6, Y15            \
	VPUNPCKLQDQ Y10, Y8, Y0            \
	VPUNPCKHQDQ Y10, Y8, Y1            \
	VPUNPCKLQDQ Y11, Y9, Y2            \
	VPUNPCKHQDQ Y11, Y9, Y3            \
	VPUNPCKLQDQ Y14, Y12, Y4           \
	VPUNPCKHQDQ Y14, Y12, Y5           \
	VPUNPCKLQDQ Y15, Y13, Y6           \
	VPUNPCKHQDQ Y15, Y13, Y7           \
	VPERM2I128  $0x20, Y4, Y0, Y8      \
	VPERM2I128  $0x20, Y5, Y1, Y9      \
	VPERM2I128  $0x20, Y6, Y2, Y10     \
	VPERM2I128  $0x20, Y7, Y3, Y11     \
	VPERM2I128  $0x31, Y4, Y0, Y12     \
	VPERM2I128  $0x31, Y5, Y1, Y13     \
	VPERM2I128  $0x31, Y6, Y2, Y14     \
	VPERM2I128  $0x31, Y7, Y3, Y15

#define MOVEDOWN \
	VMOVDQA Y8, Y0   \
	VMOVDQA Y9, Y1   \
	VMOVDQA Y10, Y2  \
	VMOVDQA Y11, Y3  \
	VMOVDQA Y12, Y4  \
	VMOVDQA Y13, Y5  \
	VMOVDQA Y14, Y6  \
	VMOVDQA Y15, Y7

// func idctSTBAVX2(dst *byte, stride int, b *[64]int32)
TEXT ·idctSTBAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ stride+8(FP), SI
	MOVQ b+16(FP), AX
	VMOVDQU 0(AX), Y0
	VMOVDQU 32(AX), Y1
	VMOVDQU 64(AX), Y2
	VMOVDQU 96(AX), Y3
	VMOVDQU 128(AX), Y4
	VMOVDQU 160(AX), Y5
	VMOVDQU 192(AX), Y6
	VMOVDQU 224(AX), Y7
	IDCT1D(idctColBiasv<>(SB), 10)
	TRANSPOSE
	MOVEDOWN
	IDCT1D(idctRowBiasv<>(SB), 17)
	TRANSPOSE
	// Y8..Y15: output rows 0..7 as int32; clamp and pack to bytes.
	VPACKSSDW Y9, Y8, Y0      // rows 0,1 as int16 (per 128-bit lane)
	VPACKSSDW Y11, Y10, Y1    // rows 2,3
	VPACKSSDW Y13, Y12, Y2    // rows 4,5
	VPACKSSDW Y15, Y14, Y3    // rows 6,7
	VPACKUSWB Y1, Y0, Y0      // rows 0..3 as bytes, dwords (r0 lo, r1 lo, r2 lo, r3 lo, r0 hi, ...)
	VPACKUSWB Y3, Y2, Y2      // rows 4..7
	VMOVDQU idctRowOrder<>(SB), Y4
	VPERMD  Y0, Y4, Y0        // qword k = row k
	VPERMD  Y2, Y4, Y2
	VMOVQ   X0, 0(DI)
	VPEXTRQ $1, X0, 0(DI)(SI*1)
	LEAQ    0(DI)(SI*2), R8
	VEXTRACTI128 $1, Y0, X1
	VMOVQ   X1, 0(R8)
	VPEXTRQ $1, X1, 0(R8)(SI*1)
	LEAQ    0(R8)(SI*2), R8
	VMOVQ   X2, 0(R8)
	VPEXTRQ $1, X2, 0(R8)(SI*1)
	LEAQ    0(R8)(SI*2), R8
	VEXTRACTI128 $1, Y2, X3
	VMOVQ   X3, 0(R8)
	VPEXTRQ $1, X3, 0(R8)(SI*1)
	VZEROUPPER
	RET

DATA idctC0v<>+0(SB)/4, $0x000008a9
DATA idctC0v<>+4(SB)/4, $0x000008a9
DATA idctC0v<>+8(SB)/4, $0x000008a9
DATA idctC0v<>+12(SB)/4, $0x000008a9
DATA idctC0v<>+16(SB)/4, $0x000008a9
DATA idctC0v<>+20(SB)/4, $0x000008a9
DATA idctC0v<>+24(SB)/4, $0x000008a9
DATA idctC0v<>+28(SB)/4, $0x000008a9
GLOBL idctC0v<>(SB), RODATA|NOPTR, $32
DATA idctC1v<>+0(SB)/4, $0xffffe271
DATA idctC1v<>+4(SB)/4, $0xffffe271
DATA idctC1v<>+8(SB)/4, $0xffffe271
DATA idctC1v<>+12(SB)/4, $0xffffe271
DATA idctC1v<>+16(SB)/4, $0xffffe271
DATA idctC1v<>+20(SB)/4, $0xffffe271
DATA idctC1v<>+24(SB)/4, $0xffffe271
DATA idctC1v<>+28(SB)/4, $0xffffe271
GLOBL idctC1v<>(SB), RODATA|NOPTR, $32
DATA idctC2v<>+0(SB)/4, $0x00000c3f
DATA idctC2v<>+4(SB)/4, $0x00000c3f
DATA idctC2v<>+8(SB)/4, $0x00000c3f
DATA idctC2v<>+12(SB)/4, $0x00000c3f
DATA idctC2v<>+16(SB)/4, $0x00000c3f
DATA idctC2v<>+20(SB)/4, $0x00000c3f
DATA idctC2v<>+24(SB)/4, $0x00000c3f
DATA idctC2v<>+28(SB)/4, $0x00000c3f
GLOBL idctC2v<>(SB), RODATA|NOPTR, $32
DATA idctC3v<>+0(SB)/4, $0x000012d0
DATA idctC3v<>+4(SB)/4, $0x000012d0
DATA idctC3v<>+8(SB)/4, $0x000012d0
DATA idctC3v<>+12(SB)/4, $0x000012d0
DATA idctC3v<>+16(SB)/4, $0x000012d0
DATA idctC3v<>+20(SB)/4, $0x000012d0
DATA idctC3v<>+24(SB)/4, $0x000012d0
DATA idctC3v<>+28(SB)/4, $0x000012d0
GLOBL idctC3v<>(SB), RODATA|NOPTR, $32
DATA idctC4v<>+0(SB)/4, $0x000004c7
DATA idctC4v<>+4(SB)/4, $0x000004c7
DATA idctC4v<>+8(SB)/4, $0x000004c7
DATA idctC4v<>+12(SB)/4, $0x000004c7
DATA idctC4v<>+16(SB)/4, $0x000004c7
DATA idctC4v<>+20(SB)/4, $0x000004c7
DATA idctC4v<>+24(SB)/4, $0x000004c7
DATA idctC4v<>+28(SB)/4, $0x000004c7
GLOBL idctC4v<>(SB), RODATA|NOPTR, $32
DATA idctC5v<>+0(SB)/4, $0x000020da
DATA idctC5v<>+4(SB)/4, $0x000020da
DATA idctC5v<>+8(SB)/4, $0x000020da
DATA idctC5v<>+12(SB)/4, $0x000020da
DATA idctC5v<>+16(SB)/4, $0x000020da
DATA idctC5v<>+20(SB)/4, $0x000020da
DATA idctC5v<>+24(SB)/4, $0x000020da
DATA idctC5v<>+28(SB)/4, $0x000020da
GLOBL idctC5v<>(SB), RODATA|NOPTR, $32
DATA idctC6v<>+0(SB)/4, $0x0000312a
DATA idctC6v<>+4(SB)/4, $0x0000312a
DATA idctC6v<>+8(SB)/4, $0x0000312a
DATA idctC6v<>+12(SB)/4, $0x0000312a
DATA idctC6v<>+16(SB)/4, $0x0000312a
DATA idctC6v<>+20(SB)/4, $0x0000312a
DATA idctC6v<>+24(SB)/4, $0x0000312a
DATA idctC6v<>+28(SB)/4, $0x0000312a
GLOBL idctC6v<>(SB), RODATA|NOPTR, $32
DATA idctC7v<>+0(SB)/4, $0x00001805
DATA idctC7v<>+4(SB)/4, $0x00001805
DATA idctC7v<>+8(SB)/4, $0x00001805
DATA idctC7v<>+12(SB)/4, $0x00001805
DATA idctC7v<>+16(SB)/4, $0x00001805
DATA idctC7v<>+20(SB)/4, $0x00001805
DATA idctC7v<>+24(SB)/4, $0x00001805
DATA idctC7v<>+28(SB)/4, $0x00001805
GLOBL idctC7v<>(SB), RODATA|NOPTR, $32
DATA idctC8v<>+0(SB)/4, $0xfffff19b
DATA idctC8v<>+4(SB)/4, $0xfffff19b
DATA idctC8v<>+8(SB)/4, $0xfffff19b
DATA idctC8v<>+12(SB)/4, $0xfffff19b
DATA idctC8v<>+16(SB)/4, $0xfffff19b
DATA idctC8v<>+20(SB)/4, $0xfffff19b
DATA idctC8v<>+24(SB)/4, $0xfffff19b
DATA idctC8v<>+28(SB)/4, $0xfffff19b
GLOBL idctC8v<>(SB), RODATA|NOPTR, $32
DATA idctC9v<>+0(SB)/4, $0xffffd6ff
DATA idctC9v<>+4(SB)/4, $0xffffd6ff
DATA idctC9v<>+8(SB)/4, $0xffffd6ff
DATA idctC9v<>+12(SB)/4, $0xffffd6ff
DATA idctC9v<>+16(SB)/4, $0xffffd6ff
DATA idctC9v<>+20(SB)/4, $0xffffd6ff
DATA idctC9v<>+24(SB)/4, $0xffffd6ff
DATA idctC9v<>+28(SB)/4, $0xffffd6ff
GLOBL idctC9v<>(SB), RODATA|NOPTR, $32
DATA idctCAv<>+0(SB)/4, $0xffffe09e
DATA idctCAv<>+4(SB)/4, $0xffffe09e
DATA idctCAv<>+8(SB)/4, $0xffffe09e
DATA idctCAv<>+12(SB)/4, $0xffffe09e
DATA idctCAv<>+16(SB)/4, $0xffffe09e
DATA idctCAv<>+20(SB)/4, $0xffffe09e
DATA idctCAv<>+24(SB)/4, $0xffffe09e
DATA idctCAv<>+28(SB)/4, $0xffffe09e
GLOBL idctCAv<>(SB), RODATA|NOPTR, $32
DATA idctCBv<>+0(SB)/4, $0xfffff9c3
DATA idctCBv<>+4(SB)/4, $0xfffff9c3
DATA idctCBv<>+8(SB)/4, $0xfffff9c3
DATA idctCBv<>+12(SB)/4, $0xfffff9c3
DATA idctCBv<>+16(SB)/4, $0xfffff9c3
DATA idctCBv<>+20(SB)/4, $0xfffff9c3
DATA idctCBv<>+24(SB)/4, $0xfffff9c3
DATA idctCBv<>+28(SB)/4, $0xfffff9c3
GLOBL idctCBv<>(SB), RODATA|NOPTR, $32
DATA idctColBiasv<>+0(SB)/4, $0x00000200
DATA idctColBiasv<>+4(SB)/4, $0x00000200
DATA idctColBiasv<>+8(SB)/4, $0x00000200
DATA idctColBiasv<>+12(SB)/4, $0x00000200
DATA idctColBiasv<>+16(SB)/4, $0x00000200
DATA idctColBiasv<>+20(SB)/4, $0x00000200
DATA idctColBiasv<>+24(SB)/4, $0x00000200
DATA idctColBiasv<>+28(SB)/4, $0x00000200
GLOBL idctColBiasv<>(SB), RODATA|NOPTR, $32
DATA idctRowBiasv<>+0(SB)/4, $0x01010000
DATA idctRowBiasv<>+4(SB)/4, $0x01010000
DATA idctRowBiasv<>+8(SB)/4, $0x01010000
DATA idctRowBiasv<>+12(SB)/4, $0x01010000
DATA idctRowBiasv<>+16(SB)/4, $0x01010000
DATA idctRowBiasv<>+20(SB)/4, $0x01010000
DATA idctRowBiasv<>+24(SB)/4, $0x01010000
DATA idctRowBiasv<>+28(SB)/4, $0x01010000
GLOBL idctRowBiasv<>(SB), RODATA|NOPTR, $32
DATA idctRowOrder<>+0(SB)/4, $0
DATA idctRowOrder<>+4(SB)/4, $4
DATA idctRowOrder<>+8(SB)/4, $1
DATA idctRowOrder<>+12(SB)/4, $5
DATA idctRowOrder<>+16(SB)/4, $2
DATA idctRowOrder<>+20(SB)/4, $6
DATA idctRowOrder<>+24(SB)/4, $3
DATA idctRowOrder<>+28(SB)/4, $7
GLOBL idctRowOrder<>(SB), RODATA|NOPTR, $32
