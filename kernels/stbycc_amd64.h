// The constants of stbycc_amd64.s and stbycc_vbmi_amd64.s (file-local
// symbols: each file that includes this has its own copy). STBRGB's
// coefficients, 8 dwords each so that AVX2 code can use them as operands.

DATA stbByteMask<>+0(SB)/4, $0xff
GLOBL stbByteMask<>(SB), RODATA|NOPTR, $4

#define STBCONST(name, v) \
	DATA name+0(SB)/4, v; DATA name+4(SB)/4, v; DATA name+8(SB)/4, v; DATA name+12(SB)/4, v; \
	DATA name+16(SB)/4, v; DATA name+20(SB)/4, v; DATA name+24(SB)/4, v; DATA name+28(SB)/4, v; \
	GLOBL name(SB), RODATA|NOPTR, $32

STBCONST(stbHalf<>, $2048)
STBCONST(stb128<>, $128)
STBCONST(stbCrR<>, $5743)
STBCONST(stbNegCrG<>, $-2925)
STBCONST(stbNegCbG<>, $-1410)
STBCONST(stbCbB<>, $7258)
