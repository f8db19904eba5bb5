package jpeg

import "github.com/darkgo/darkgo/kernels"

// darkgo: block reconstruction as stb_image (Darknet's image loader) does
// it, so that decoded pixels equal Darknet's bit for bit.
//
// stb_image's stbi__idct_block is the IJG "islow" integer IDCT (jidctint.c)
// with 12-bit fixed-point constants: a column pass that keeps 2 extra bits
// (+512, >>10), then a row pass that removes the remaining 17 bits with
// rounding and adds the +128 level shift in the same constant
// (+65536 + 128<<17, >>17), then clamps to [0, 255]. Its SSE2 and NEON
// versions are written to give the same bytes. It lives in kernels
// (IDCT8x8STB: Go, AVX2 on amd64, NEON on arm64). Coefficients are dequantized into
// C shorts first: the product wraps to 16 bits (reconstructBlock).

// idctSTB is stbi__idct_block of the dequantized coefficients b into the
// 8×8 pixels at dst with the given stride.
func idctSTB(dst []byte, stride int, b *block) {
	kernels.IDCT8x8STB(dst, stride, (*[64]int32)(b))
}

// idctSTBFlat is idctSTB for a block whose AC coefficients are all zero:
// every column is its DC term times 4 and every row is DC-only, so the
// whole block is one value, clamp((dc*4*4096 + 65536 + 128<<17) >> 17)
// (TestIDCTFlat).
func idctSTBFlat(dst []byte, stride int, dc int32) {
	v := (dc*4*4096 + 65536 + 128<<17) >> 17
	c := byte(min(max(v, 0), 255))
	w := [8]byte{c, c, c, c, c, c, c, c}
	for r := 0; r < 8; r++ {
		*(*[8]byte)(dst[r*stride : r*stride+8]) = w
	}
}
