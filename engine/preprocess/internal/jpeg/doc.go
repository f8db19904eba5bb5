// This file, block.go, fast.go, idct.go, planes.go and the _test.go files
// but stdidct_test.go are darkgo's; reader.go, scan.go, huffman.go and
// stdidct_test.go are the Go standard library's image/jpeg decoder (Go
// 1.26, BSD licence in LICENSE) with the changes listed below, each marked
// "darkgo:" where it is made.

package jpeg

import "errors"

// Why a copy: Darknet loads images with stb_image, and for the network to
// see exactly Darknet's input the JPEG pixels must be stb_image's, which
// image/jpeg's IDCT does not give (up to 3 levels off). The copy keeps
// image/jpeg's parsing and entropy decoding and reconstructs blocks as
// stb_image does. It is also faster: block reconstruction was three
// quarters of image/jpeg's time.
//
// Changes from image/jpeg:
//   - reconstructBlock (scan.go) dequantizes into 16 bits as stb_image's
//     shorts do, only up to the last non-zero coefficient of a sequential
//     block, and runs stb_image's integer IDCT with level shift and clamp
//     (kernels.IDCT8x8STB: stbi__idct_block in Go, AVX2 and NEON; idct.go adds
//     the DC-only block). image/jpeg's IDCT is in stdidct_test.go: with it
//     (decoder.reconstruct) the tests require this copy to reproduce
//     image/jpeg bit for bit, which checks everything but the IDCT.
//   - Restart intervals count coded blocks in non-interleaved scans
//     (image/jpeg counted interleaved MCUs and failed on progressive files
//     with subsampling and restart markers).
//   - Huffman decoding of AC coefficients inlines the common case (fast.go).
//   - DecodePlanes returns the components with stb_image's reading of the
//     color transform (RGB, CMYK, YCCK, or YCbCr with an ignored fourth
//     component); the caller converts them. Decode keeps image/jpeg's
//     choices for the tests (ErrCMYK for 4 components).
//   - No encoder, no DecodeConfig, no image.RegisterFormat.
//
//   - DecodePlanes (and DecodeConfig) also accept the sampling factors
//     image/jpeg refuses but stb_image decodes (3, V = 4, Cb and Cr sampled
//     differently, chroma finer than luma: every factor must divide the
//     largest), into one plane per component; the MCU size comes from the
//     largest factors, not the first component's.
//   - Non-interleaved scans code the blocks of the component's own size
//     (image/jpeg used the image size and failed on e.g. progressive Y 4×1
//     with 2×1 chroma).
//
// Known differences from stb_image: corrupt streams fail or decode
// differently (stb_image is more lenient, e.g. on truncated data); a
// progressive refinement of a coefficient beyond 16 bits and stb_image's
// SSE2 saturation of column results beyond 16 bits only arise from corrupt
// data.

// ErrCMYK is returned by Decode for 4-component JPEGs; DecodePlanes reads
// them.
var ErrCMYK = errors.New("jpeg: 4-component image (decode with image/jpeg)")
