//go:build !purego

#include "textflag.h"

// Depthwise row kernels (depthwise_amd64.go has the contract):
//
//	out[j] = fma(w[kk−1], taps[kk−1][j], … fma(w[0], taps[0][j], bias))
//
// taps are kk pointers to runs of consecutive floats (Depthwise's row
// buffers), one FMA per tap in tap order, so every lane computes the Go
// reference's fma32 chain; then the next of rows rows: out continues
// (rows are n apart) and every tap pointer moves pitch bytes. For kk == 9
// (3×3) the weights stay in registers and the tap pointers in general
// registers, and each step does 4 vectors (independent FMA chains); other
// kk loop over the taps. The last n mod 16 (8) positions of a row are
// masked. rows ≥ 1.

// DW_TAPS9 loads the 9 tap pointers of a 3×3 kernel from the array at R8.
#define DW_TAPS9 \
	MOVQ 0(R8), R9;   \
	MOVQ 8(R8), R10;  \
	MOVQ 16(R8), R11; \
	MOVQ 24(R8), R12; \
	MOVQ 32(R8), R13; \
	MOVQ 40(R8), AX;  \
	MOVQ 48(R8), BX;  \
	MOVQ 56(R8), CX;  \
	MOVQ 64(R8), DX

// DW_NEXT_ROW9 moves out (DI) past a row of n and the 9 tap pointers down
// pitch bytes, and counts the row off (the flags are DECQ's).
#define DW_NEXT_ROW9 \
	MOVQ n+32(FP), R8;     \
	SHLQ $2, R8;           \
	ADDQ R8, DI;           \
	MOVQ pitch+56(FP), R8; \
	ADDQ R8, R9;           \
	ADDQ R8, R10;          \
	ADDQ R8, R11;          \
	ADDQ R8, R12;          \
	ADDQ R8, R13;          \
	ADDQ R8, AX;           \
	ADDQ R8, BX;           \
	ADDQ R8, CX;           \
	ADDQ R8, DX;           \
	DECQ rows+48(FP)

// func dwRowAVX512(out *float32, taps **float32, w *float32, kk, n int, bias float32, rows, pitch int)
TEXT ·dwRowAVX512(SB), NOSPLIT, $0-64
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
	DW_TAPS9

row512:
	MOVQ n+32(FP), R8
	SHLQ $2, R8       // bytes left in this row
	XORQ SI, SI

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
	JEQ     next512
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

next512:
	// The next row: out continues, the taps move down by pitch bytes.
	DW_NEXT_ROW9
	JNZ  row512

done512:
	VZEROUPPER
	RET

	// Any kk: one vector at a time, the taps in a loop.
general512:
	XORQ R12, R12 // the row's offset from the taps (bytes)

grow512:
	MOVQ n+32(FP), R9
	SHLQ $2, R9
	XORQ SI, SI

gloop512:
	CMPQ    R9, $64
	JLT     glast512
	VMOVAPS Z31, Z0
	XORQ    R10, R10

gtap512:
	MOVQ         (R8)(R10*8), R11
	ADDQ         R12, R11
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
	JEQ     gnext512
	VMOVAPS Z31, Z0
	XORQ    R10, R10

gtapm512:
	MOVQ         (R8)(R10*8), R11
	ADDQ         R12, R11
	VBROADCASTSS (DX)(R10*4), Z1
	VFMADD231PS  (R11)(SI*1), Z1, K1, Z0
	INCQ         R10
	CMPQ         R10, CX
	JLT          gtapm512
	VMOVUPS      Z0, K1, (DI)(SI*1)

gnext512:
	MOVQ n+32(FP), R9
	SHLQ $2, R9
	ADDQ R9, DI
	ADDQ pitch+56(FP), R12
	DECQ rows+48(FP)
	JNZ  grow512
	JMP  done512

// dwTailMask: 8 lanes of −1 then 8 of 0; the 8 int32 at byte 4·(8−r)
// enable the first r lanes.
DATA dwTailMask<>+0(SB)/8, $-1
DATA dwTailMask<>+8(SB)/8, $-1
DATA dwTailMask<>+16(SB)/8, $-1
DATA dwTailMask<>+24(SB)/8, $-1
DATA dwTailMask<>+32(SB)/8, $0
DATA dwTailMask<>+40(SB)/8, $0
DATA dwTailMask<>+48(SB)/8, $0
DATA dwTailMask<>+56(SB)/8, $0
GLOBL dwTailMask<>(SB), RODATA|NOPTR, $64

// func dwRowAVX2(out *float32, taps **float32, w *float32, kk, n int, bias float32, rows, pitch int)
//
// The last n mod 8 positions of a row go through VMASKMOVPS loads and
// stores (Y5 holds their mask).
TEXT ·dwRowAVX2(SB), NOSPLIT, $0-64
	MOVQ         out+0(FP), DI
	MOVQ         taps+8(FP), R8
	MOVQ         w+16(FP), DX
	VBROADCASTSS bias+40(FP), Y6
	MOVQ         n+32(FP), CX
	ANDQ         $7, CX
	SHLQ         $2, CX
	LEAQ         dwTailMask<>+32(SB), AX
	SUBQ         CX, AX
	VMOVDQU      (AX), Y5
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
	DW_TAPS9

row2:
	MOVQ n+32(FP), R8
	SHLQ $2, R8       // bytes left in this row
	XORQ SI, SI

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
	JLT     last8
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

#define FMAMY(p, w) \
	VMASKMOVPS  0(p)(SI*1), Y5, Y4; \
	VFMADD231PS Y4, w, Y0

last8:
	TESTQ   R8, R8
	JEQ     next2
	VMOVAPS Y6, Y0
	FMAMY(R9, Y7)
	FMAMY(R10, Y8)
	FMAMY(R11, Y9)
	FMAMY(R12, Y10)
	FMAMY(R13, Y11)
	FMAMY(AX, Y12)
	FMAMY(BX, Y13)
	FMAMY(CX, Y14)
	FMAMY(DX, Y15)
	VMASKMOVPS Y0, Y5, 0(DI)(SI*1)

next2:
	// The next row: out continues, the taps move down by pitch bytes.
	DW_NEXT_ROW9
	JNZ  row2

done2:
	VZEROUPPER
	RET

	// Any kk: one vector at a time, the taps in a loop; R12 is the row's
	// offset from the taps (bytes).
general2:
	XORQ R12, R12

grow2:
	MOVQ n+32(FP), R9
	SHLQ $2, R9
	XORQ SI, SI

gloop2:
	CMPQ    R9, $32
	JLT     glast2
	VMOVAPS Y6, Y0
	XORQ    R10, R10

gtap2:
	MOVQ         (R8)(R10*8), R11
	ADDQ         R12, R11
	VBROADCASTSS (DX)(R10*4), Y1
	VFMADD231PS  (R11)(SI*1), Y1, Y0
	INCQ         R10
	CMPQ         R10, CX
	JLT          gtap2
	VMOVUPS      Y0, (DI)(SI*1)
	ADDQ         $32, SI
	SUBQ         $32, R9
	JMP          gloop2

glast2:
	TESTQ   R9, R9
	JEQ     gnext2
	VMOVAPS Y6, Y0
	XORQ    R10, R10

gtapm2:
	MOVQ         (R8)(R10*8), R11
	ADDQ         R12, R11
	VBROADCASTSS (DX)(R10*4), Y1
	VMASKMOVPS   (R11)(SI*1), Y5, Y4
	VFMADD231PS  Y4, Y1, Y0
	INCQ         R10
	CMPQ         R10, CX
	JLT          gtapm2
	VMASKMOVPS   Y0, Y5, (DI)(SI*1)

gnext2:
	MOVQ n+32(FP), R9
	SHLQ $2, R9
	ADDQ R9, DI
	ADDQ pitch+56(FP), R12
	DECQ rows+48(FP)
	JNZ  grow2
	JMP  done2

// func dw3x3PairsAVX512(out *float32, in *float32, w *float32, n int, bias float32, pairs, pitch int)
//
// A 3×3, stride-1, undilated depthwise plane two output rows at a time:
// output rows 2p and 2p+1 read buffer rows 2p..2p+3 (in + row·pitch bytes,
// taps at +0, +4, +8 bytes), and each input vector loaded for buffer rows
// 1 and 2 of the four feeds both output rows (12 loads per 2 vectors of
// output instead of 18). Each output still gets bias, then its 9 taps in
// (ky, kx) order, one FMA each: dwRowAVX512's bits. Output rows are n
// apart; the last n mod 16 positions of a row are masked. pairs ≥ 1.
TEXT ·dw3x3PairsAVX512(SB), NOSPLIT, $0-56
	MOVQ         out+0(FP), DI
	MOVQ         in+8(FP), R9
	MOVQ         w+16(FP), DX
	VBROADCASTSS bias+32(FP), Z31
	MOVQ         n+24(FP), CX
	ANDQ         $15, CX
	MOVL         $1, AX
	SHLL         CX, AX
	DECL         AX
	KMOVW        AX, K1
	VBROADCASTSS 0(DX), Z16
	VBROADCASTSS 4(DX), Z17
	VBROADCASTSS 8(DX), Z18
	VBROADCASTSS 12(DX), Z19
	VBROADCASTSS 16(DX), Z20
	VBROADCASTSS 20(DX), Z21
	VBROADCASTSS 24(DX), Z22
	VBROADCASTSS 28(DX), Z23
	VBROADCASTSS 32(DX), Z24
	MOVQ         pitch+48(FP), AX
	MOVQ         pairs+40(FP), BX
	MOVQ         n+24(FP), DX
	SHLQ         $2, DX              // bytes per output row

pair:
	LEAQ (R9)(AX*1), R10
	LEAQ (R10)(AX*1), R11
	LEAQ (R11)(AX*1), R12
	LEAQ (DI)(DX*1), R13
	MOVQ DX, R8                      // bytes left in the rows
	XORQ SI, SI

// Buffer row 0 feeds output row 0 (Z0, Z1), row 3 output row 1 (Z2, Z3),
// rows 1 and 2 both (w0 with output row 0's weight, w1 with row 1's).
#define P2_FIRST(o, w) \
	VFMADD231PS o(R9)(SI*1), w, Z0; \
	VFMADD231PS o+64(R9)(SI*1), w, Z1
#define P2_MID(p, o, w0, w1) \
	VMOVUPS     o(p)(SI*1), Z25;    \
	VMOVUPS     o+64(p)(SI*1), Z26; \
	VFMADD231PS Z25, w0, Z0;        \
	VFMADD231PS Z26, w0, Z1;        \
	VFMADD231PS Z25, w1, Z2;        \
	VFMADD231PS Z26, w1, Z3
#define P2_LAST(o, w) \
	VFMADD231PS o(R12)(SI*1), w, Z2; \
	VFMADD231PS o+64(R12)(SI*1), w, Z3

loop32p:
	CMPQ    R8, $128
	JLT     loop16p
	VMOVAPS Z31, Z0
	VMOVAPS Z31, Z1
	VMOVAPS Z31, Z2
	VMOVAPS Z31, Z3
	P2_FIRST(0, Z16)
	P2_FIRST(4, Z17)
	P2_FIRST(8, Z18)
	P2_MID(R10, 0, Z19, Z16)
	P2_MID(R10, 4, Z20, Z17)
	P2_MID(R10, 8, Z21, Z18)
	P2_MID(R11, 0, Z22, Z19)
	P2_MID(R11, 4, Z23, Z20)
	P2_MID(R11, 8, Z24, Z21)
	P2_LAST(0, Z22)
	P2_LAST(4, Z23)
	P2_LAST(8, Z24)
	VMOVUPS Z0, 0(DI)(SI*1)
	VMOVUPS Z1, 64(DI)(SI*1)
	VMOVUPS Z2, 0(R13)(SI*1)
	VMOVUPS Z3, 64(R13)(SI*1)
	ADDQ    $128, SI
	SUBQ    $128, R8
	JMP     loop32p

#define P1_FIRST(o, w) \
	VFMADD231PS o(R9)(SI*1), w, Z0
#define P1_MID(p, o, w0, w1) \
	VMOVUPS     o(p)(SI*1), Z25; \
	VFMADD231PS Z25, w0, Z0;     \
	VFMADD231PS Z25, w1, Z2
#define P1_LAST(o, w) \
	VFMADD231PS o(R12)(SI*1), w, Z2

loop16p:
	CMPQ    R8, $64
	JLT     lastp
	VMOVAPS Z31, Z0
	VMOVAPS Z31, Z2
	P1_FIRST(0, Z16)
	P1_FIRST(4, Z17)
	P1_FIRST(8, Z18)
	P1_MID(R10, 0, Z19, Z16)
	P1_MID(R10, 4, Z20, Z17)
	P1_MID(R10, 8, Z21, Z18)
	P1_MID(R11, 0, Z22, Z19)
	P1_MID(R11, 4, Z23, Z20)
	P1_MID(R11, 8, Z24, Z21)
	P1_LAST(0, Z22)
	P1_LAST(4, Z23)
	P1_LAST(8, Z24)
	VMOVUPS Z0, 0(DI)(SI*1)
	VMOVUPS Z2, 0(R13)(SI*1)
	ADDQ    $64, SI
	SUBQ    $64, R8
	JMP     loop16p

// The masked last vector: every tap from memory under K1 (nothing past
// the lanes that exist is read or written).
#define PM(p, o, w, acc) \
	VFMADD231PS o(p)(SI*1), w, K1, acc

lastp:
	TESTQ   R8, R8
	JEQ     nextp
	VMOVAPS Z31, Z0
	VMOVAPS Z31, Z2
	PM(R9, 0, Z16, Z0)
	PM(R9, 4, Z17, Z0)
	PM(R9, 8, Z18, Z0)
	PM(R10, 0, Z19, Z0)
	PM(R10, 4, Z20, Z0)
	PM(R10, 8, Z21, Z0)
	PM(R11, 0, Z22, Z0)
	PM(R11, 4, Z23, Z0)
	PM(R11, 8, Z24, Z0)
	PM(R10, 0, Z16, Z2)
	PM(R10, 4, Z17, Z2)
	PM(R10, 8, Z18, Z2)
	PM(R11, 0, Z19, Z2)
	PM(R11, 4, Z20, Z2)
	PM(R11, 8, Z21, Z2)
	PM(R12, 0, Z22, Z2)
	PM(R12, 4, Z23, Z2)
	PM(R12, 8, Z24, Z2)
	VMOVUPS Z0, K1, 0(DI)(SI*1)
	VMOVUPS Z2, K1, 0(R13)(SI*1)

nextp:
	LEAQ (R13)(DX*1), DI             // two output rows down
	LEAQ (R11), R9                   // two buffer rows down
	DECQ BX
	JNZ  pair
	VZEROUPPER
	RET

// func dw3x3PairsAVX2(out *float32, in *float32, w *float32, n int, bias float32, pairs, pitch int)
//
// dw3x3PairsAVX512 with 8 lanes (16 ymm: 9 weights, the bias, 4
// accumulators, 2 loaded vectors); the last n mod 8 positions of a row go
// through VMASKMOVPS (the mask is loaded then, into a loaded-vector
// register). Requires AVX2 and FMA.
TEXT ·dw3x3PairsAVX2(SB), NOSPLIT, $0-56
	MOVQ         out+0(FP), DI
	MOVQ         in+8(FP), R9
	MOVQ         w+16(FP), DX
	VBROADCASTSS bias+32(FP), Y6
	MOVQ         n+24(FP), CX
	ANDQ         $7, CX
	SHLQ         $2, CX
	LEAQ         dwTailMask<>+32(SB), AX
	SUBQ         CX, AX
	MOVQ         AX, CX                  // the tail mask's address
	VBROADCASTSS 0(DX), Y7
	VBROADCASTSS 4(DX), Y8
	VBROADCASTSS 8(DX), Y9
	VBROADCASTSS 12(DX), Y10
	VBROADCASTSS 16(DX), Y11
	VBROADCASTSS 20(DX), Y12
	VBROADCASTSS 24(DX), Y13
	VBROADCASTSS 28(DX), Y14
	VBROADCASTSS 32(DX), Y15
	MOVQ         pitch+48(FP), AX
	MOVQ         pairs+40(FP), BX
	MOVQ         n+24(FP), DX
	SHLQ         $2, DX                  // bytes per output row

pair2:
	LEAQ (R9)(AX*1), R10
	LEAQ (R10)(AX*1), R11
	LEAQ (R11)(AX*1), R12
	LEAQ (DI)(DX*1), R13
	MOVQ DX, R8                          // bytes left in the rows
	XORQ SI, SI

#define Q2_FIRST(o, w) \
	VFMADD231PS o(R9)(SI*1), w, Y0; \
	VFMADD231PS o+32(R9)(SI*1), w, Y1
#define Q2_MID(p, o, w0, w1) \
	VMOVUPS     o(p)(SI*1), Y4;    \
	VMOVUPS     o+32(p)(SI*1), Y5; \
	VFMADD231PS Y4, w0, Y0;        \
	VFMADD231PS Y5, w0, Y1;        \
	VFMADD231PS Y4, w1, Y2;        \
	VFMADD231PS Y5, w1, Y3
#define Q2_LAST(o, w) \
	VFMADD231PS o(R12)(SI*1), w, Y2; \
	VFMADD231PS o+32(R12)(SI*1), w, Y3

loop16q:
	CMPQ    R8, $64
	JLT     loop8q
	VMOVAPS Y6, Y0
	VMOVAPS Y6, Y1
	VMOVAPS Y6, Y2
	VMOVAPS Y6, Y3
	Q2_FIRST(0, Y7)
	Q2_FIRST(4, Y8)
	Q2_FIRST(8, Y9)
	Q2_MID(R10, 0, Y10, Y7)
	Q2_MID(R10, 4, Y11, Y8)
	Q2_MID(R10, 8, Y12, Y9)
	Q2_MID(R11, 0, Y13, Y10)
	Q2_MID(R11, 4, Y14, Y11)
	Q2_MID(R11, 8, Y15, Y12)
	Q2_LAST(0, Y13)
	Q2_LAST(4, Y14)
	Q2_LAST(8, Y15)
	VMOVUPS Y0, 0(DI)(SI*1)
	VMOVUPS Y1, 32(DI)(SI*1)
	VMOVUPS Y2, 0(R13)(SI*1)
	VMOVUPS Y3, 32(R13)(SI*1)
	ADDQ    $64, SI
	SUBQ    $64, R8
	JMP     loop16q

#define Q1_FIRST(o, w) \
	VFMADD231PS o(R9)(SI*1), w, Y0
#define Q1_MID(p, o, w0, w1) \
	VMOVUPS     o(p)(SI*1), Y4; \
	VFMADD231PS Y4, w0, Y0;     \
	VFMADD231PS Y4, w1, Y2
#define Q1_LAST(o, w) \
	VFMADD231PS o(R12)(SI*1), w, Y2

loop8q:
	CMPQ    R8, $32
	JLT     lastq
	VMOVAPS Y6, Y0
	VMOVAPS Y6, Y2
	Q1_FIRST(0, Y7)
	Q1_FIRST(4, Y8)
	Q1_FIRST(8, Y9)
	Q1_MID(R10, 0, Y10, Y7)
	Q1_MID(R10, 4, Y11, Y8)
	Q1_MID(R10, 8, Y12, Y9)
	Q1_MID(R11, 0, Y13, Y10)
	Q1_MID(R11, 4, Y14, Y11)
	Q1_MID(R11, 8, Y15, Y12)
	Q1_LAST(0, Y13)
	Q1_LAST(4, Y14)
	Q1_LAST(8, Y15)
	VMOVUPS Y0, 0(DI)(SI*1)
	VMOVUPS Y2, 0(R13)(SI*1)
	ADDQ    $32, SI
	SUBQ    $32, R8
	JMP     loop8q

// The masked last vector: Y5 holds the mask, Y4 each masked load.
#define QM_FIRST(o, w) \
	VMASKMOVPS  o(R9)(SI*1), Y5, Y4; \
	VFMADD231PS Y4, w, Y0
#define QM_MID(p, o, w0, w1) \
	VMASKMOVPS  o(p)(SI*1), Y5, Y4; \
	VFMADD231PS Y4, w0, Y0;         \
	VFMADD231PS Y4, w1, Y2
#define QM_LAST(o, w) \
	VMASKMOVPS  o(R12)(SI*1), Y5, Y4; \
	VFMADD231PS Y4, w, Y2

lastq:
	TESTQ      R8, R8
	JEQ        nextq
	VMOVDQU    (CX), Y5
	VMOVAPS    Y6, Y0
	VMOVAPS    Y6, Y2
	QM_FIRST(0, Y7)
	QM_FIRST(4, Y8)
	QM_FIRST(8, Y9)
	QM_MID(R10, 0, Y10, Y7)
	QM_MID(R10, 4, Y11, Y8)
	QM_MID(R10, 8, Y12, Y9)
	QM_MID(R11, 0, Y13, Y10)
	QM_MID(R11, 4, Y14, Y11)
	QM_MID(R11, 8, Y15, Y12)
	QM_LAST(0, Y13)
	QM_LAST(4, Y14)
	QM_LAST(8, Y15)
	VMASKMOVPS Y0, Y5, 0(DI)(SI*1)
	VMASKMOVPS Y2, Y5, 0(R13)(SI*1)

nextq:
	LEAQ (R13)(DX*1), DI                 // two output rows down
	LEAQ (R11), R9                       // two buffer rows down
	DECQ BX
	JNZ  pair2
	VZEROUPPER
	RET
