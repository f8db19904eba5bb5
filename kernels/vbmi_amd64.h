// Shared by the AVX-512 VBMI byte-permute kernels (yuv_vbmi_amd64.s,
// stbycc_vbmi_amd64.s).

// VBMI_WINDOW sets mask register k to the bytes of a row's 64-byte window
// [base+off, base+off+64) that lie before the row's end: all of them, the
// first few (BZHI), or none (an empty mask reads nothing, so a masked
// load of the window never touches memory past the row). base is in DX,
// the row's length in len; R14 holds -1; R15 is clobbered. all, none and
// done are labels unique to each use.
#define VBMI_WINDOW(k, off, len, all, none, done) \
	MOVQ len, R15 \
	SUBQ DX, R15 \
	SUBQ $off, R15 \
	CMPQ R15, $64 \
	JGE  all \
	CMPQ R15, $0 \
	JLE  none \
	BZHIQ R15, R14, R15 \
	KMOVQ R15, k \
	JMP  done \
all: \
	KMOVQ R14, k \
	JMP  done \
none: \
	KXORQ k, k, k \
done:
