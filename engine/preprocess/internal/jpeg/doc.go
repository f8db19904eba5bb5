// This file, fast.go and the _test.go files are darkgo's; reader.go,
// scan.go, huffman.go and dct.go are the Go standard library's image/jpeg
// decoder (Go 1.26, BSD licence in LICENSE) with the changes listed below,
// each marked "darkgo:" where it is made.

package jpeg

import "errors"

// Why a copy: decoding a photo with image/jpeg took longer than resizing it
// to the network input and half as long as running a small network, and
// three quarters of that time is block reconstruction (dequantization,
// inverse DCT, level shift and clamp). The standard library cannot be asked
// to do it faster, so this copy does it faster while computing exactly the
// same pixels (the tests decode many JPEGs with both and compare every
// sample; the IDCT shortcuts are checked against the original transform).
//
// Changes from image/jpeg:
//   - reconstructBlock (scan.go) dequantizes only up to the last non-zero
//     coefficient of a sequential block, and uses idctFast and a fast clamp
//     (fast.go). idctFast skips the row transforms of rows without AC
//     coefficients (their result is the DC term shifted, as the original
//     computes) and the column transforms when only the first row is
//     non-zero (each column is then constant); these are exactly the
//     original operations with the terms that are zero left out.
//   - 4-component (CMYK, YCCK) images are not decoded: Decode returns
//     ErrCMYK and the caller uses image/jpeg (the conversion needs an
//     internal package of the standard library).
//   - No encoder, no DecodeConfig, no image.RegisterFormat.
//
// Keep the copy in step with the standard library: TestMatchesStdlib
// compares this decoder with image/jpeg of the Go version running the tests,
// so a change of image/jpeg's IDCT in a later Go release shows up as a test
// failure (then re-copy the files and re-apply the changes above).

// ErrCMYK is returned for 4-component JPEGs, which this copy leaves to
// image/jpeg.
var ErrCMYK = errors.New("jpeg: 4-component image (decode with image/jpeg)")
