//go:build !purego

#include "textflag.h"

// Constants, four (or eight) copies each for 256-bit memory operands.
#define Q4(name, v) \
	DATA name<>+0(SB)/8, v; \
	DATA name<>+8(SB)/8, v; \
	DATA name<>+16(SB)/8, v; \
	DATA name<>+24(SB)/8, v; \
	GLOBL name<>(SB), RODATA|NOPTR, $32

#define L8(name, v) \
	DATA name<>+0(SB)/4, v; \
	DATA name<>+4(SB)/4, v; \
	DATA name<>+8(SB)/4, v; \
	DATA name<>+12(SB)/4, v; \
	DATA name<>+16(SB)/4, v; \
	DATA name<>+20(SB)/4, v; \
	DATA name<>+24(SB)/4, v; \
	DATA name<>+28(SB)/4, v; \
	GLOBL name<>(SB), RODATA|NOPTR, $32

Q4(c64, $0x40571547652b82fe)     // 64/ln2
Q4(shifter, $0x4338000000000000) // 0x1.8p52
Q4(ln2hi, $0x3f862e42fef00000)   // ln2/64 to 33 bits
Q4(ln2lo, $0x3d7473de6af278ed)
Q4(half, $0x3fe0000000000000)
Q4(sixth, $0x3fc5555555555555)
Q4(c24, $0x3fa5555555555555)
Q4(mask63, $63)
Q4(low29, $0x1fffffff)
Q4(guardlo, $0x0ffffc01)         // 2^28 - 1023
Q4(guardspan, $2047)
Q4(minus1, $-1)
L8(absmask, $0x7fffffff)
L8(lim87, $0x42ae0000)           // 87.0f
L8(signbit, $0x80000000)
L8(one, $0x3f800000)

// EXPD computes e = exp(d) for four doubles d as expfFast does (n =
// round(d·64/ln2), r = d - n·ln2/64, s = 2^((n mod 64)/64) from the table,
// e = (s + s·p(r))·2^(n div 64)) and jumps to fallback if any lane lies
// within 1023 float64 ulps of a rounding midpoint of float32; out gets
// the four float32 values. Clobbers Y3-Y11.
#define EXPD(d, out) \
	VMULPD       c64<>(SB), d, Y3; \
	VADDPD       shifter<>(SB), Y3, Y3; \
	VSUBPD       shifter<>(SB), Y3, Y4; \
	VPSUBQ       shifter<>(SB), Y3, Y3; \
	VMOVAPD      d, Y5; \
	VFNMADD231PD ln2hi<>(SB), Y4, Y5; \
	VFNMADD231PD ln2lo<>(SB), Y4, Y5; \
	VMULPD       Y5, Y5, Y6; \
	VMOVUPD      sixth<>(SB), Y7; \
	VFMADD213PD  half<>(SB), Y5, Y7; \
	VMULPD       Y6, Y6, Y8; \
	VMULPD       c24<>(SB), Y8, Y8; \
	VFMADD213PD  Y8, Y6, Y7; \
	VADDPD       Y5, Y7, Y7; \
	VPAND        mask63<>(SB), Y3, Y9; \
	VPCMPEQQ     Y10, Y10, Y10; \
	VGATHERQPD   Y10, (R8)(Y9*8), Y11; \
	VFMADD231PD  Y7, Y11, Y11; \
	VPSUBQ       Y9, Y3, Y3; \
	VPSLLQ       $46, Y3, Y3; \
	VPADDQ       Y3, Y11, Y11; \
	VPAND        low29<>(SB), Y11, Y9; \
	VPSUBQ       guardlo<>(SB), Y9, Y9; \
	VPCMPGTQ     minus1<>(SB), Y9, Y10; \
	VMOVDQU      guardspan<>(SB), Y8; \
	VPCMPGTQ     Y9, Y8, Y8; \
	VPAND        Y8, Y10, Y10; \
	VPTEST       Y10, Y10; \
	JNZ          fallback; \
	VCVTPD2PSY   Y11, out

// func logisticAVX2(dst, src *float32, n int, table *float64) int
//
// dst[i] = 1 / (1 + expf(-src[i])) for i < n (a multiple of 8), bit for
// bit logisticFast; it stops before the first group of 8 with an input
// outside [-87, 87] (or NaN) or a value expfFast would defer to expf, and
// returns how many it did. table is exp2by64. Requires AVX2 and FMA.
TEXT ·logisticAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ table+24(FP), R8
	XORQ DX, DX

loop:
	CMPQ      DX, CX
	JGE       done
	VMOVUPS   (SI)(DX*4), Y0
	VANDPS    absmask<>(SB), Y0, Y1
	VCMPPS    $0x12, lim87<>(SB), Y1, Y1 // |x| <= 87, false for NaN
	VMOVMSKPS Y1, AX
	CMPQ      AX, $0xff
	JNE       fallback
	VXORPS    signbit<>(SB), Y0, Y0      // -x
	VCVTPS2PD X0, Y1
	VEXTRACTF128 $1, Y0, X2
	VCVTPS2PD X2, Y2
	EXPD(Y1, X12)
	EXPD(Y2, X13)
	VINSERTF128 $1, X13, Y12, Y12
	VMOVUPS   one<>(SB), Y13
	VADDPS    Y13, Y12, Y12
	VDIVPS    Y12, Y13, Y12
	VMOVUPS   Y12, (DI)(DX*4)
	ADDQ      $8, DX
	JMP       loop

fallback:
done:
	MOVQ DX, ret+32(FP)
	VZEROUPPER
	RET

// EXPD512 is EXPD for eight doubles in a zmm register, with the constants
// broadcast from their first copy and the gather and the guard on mask
// registers; out gets the eight float32 values. Clobbers Z3-Z11, K1-K3.
#define EXPD512(d, out) \
	VMULPD.BCST       c64<>(SB), d, Z3; \
	VADDPD.BCST       shifter<>(SB), Z3, Z3; \
	VSUBPD.BCST       shifter<>(SB), Z3, Z4; \
	VPSUBQ.BCST       shifter<>(SB), Z3, Z3; \
	VMOVAPD           d, Z5; \
	VFNMADD231PD.BCST ln2hi<>(SB), Z4, Z5; \
	VFNMADD231PD.BCST ln2lo<>(SB), Z4, Z5; \
	VMULPD            Z5, Z5, Z6; \
	VBROADCASTSD      sixth<>(SB), Z7; \
	VFMADD213PD.BCST  half<>(SB), Z5, Z7; \
	VMULPD            Z6, Z6, Z8; \
	VMULPD.BCST       c24<>(SB), Z8, Z8; \
	VFMADD213PD       Z8, Z6, Z7; \
	VADDPD            Z5, Z7, Z7; \
	VPANDQ.BCST       mask63<>(SB), Z3, Z9; \
	KXNORW            K1, K1, K1; \
	VGATHERQPD        (R8)(Z9*8), K1, Z11; \
	VFMADD231PD       Z7, Z11, Z11; \
	VPSUBQ            Z9, Z3, Z3; \
	VPSLLQ            $46, Z3, Z3; \
	VPADDQ            Z3, Z11, Z11; \
	VPANDQ.BCST       low29<>(SB), Z11, Z9; \
	VPSUBQ.BCST       guardlo<>(SB), Z9, Z9; \
	VPCMPGTQ.BCST     minus1<>(SB), Z9, K2; \
	VPBROADCASTQ      guardspan<>(SB), Z8; \
	VPCMPGTQ          Z9, Z8, K2, K3; \
	KORTESTW          K3, K3; \
	JNZ               fallback; \
	VCVTPD2PS         Z11, out

// func logisticAVX512(dst, src *float32, n int, table *float64) int
//
// logisticAVX2 16 at a time (n a multiple of 16): it stops before the
// first group of 16 the vector code cannot do and returns how many it did.
// Requires AVX-512F and DQ.
TEXT ·logisticAVX512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ table+24(FP), R8
	XORQ DX, DX

loop:
	CMPQ          DX, CX
	JGE           done
	VMOVUPS       (SI)(DX*4), Z0
	VPANDD.BCST   absmask<>(SB), Z0, Z1
	VCMPPS.BCST   $0x12, lim87<>(SB), Z1, K1 // |x| <= 87, false for NaN
	KMOVW         K1, AX
	CMPQ          AX, $0xffff
	JNE           fallback
	VPXORD.BCST   signbit<>(SB), Z0, Z0      // -x
	VCVTPS2PD     Y0, Z1
	VEXTRACTF64X4 $1, Z0, Y2
	VCVTPS2PD     Y2, Z2
	EXPD512(Z1, Y12)
	EXPD512(Z2, Y13)
	VINSERTF64X4  $1, Y13, Z12, Z12
	VBROADCASTSS  one<>(SB), Z13
	VADDPS        Z13, Z12, Z12
	VDIVPS        Z12, Z13, Z12
	VMOVUPS       Z12, (DI)(DX*4)
	ADDQ          $16, DX
	JMP           loop

fallback:
done:
	MOVQ DX, ret+32(FP)
	VZEROUPPER
	RET
