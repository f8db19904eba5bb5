// Package preprocess turns image files into the network input Darknet's
// `detector test` computes: decode, 8-bit RGB, float CHW v/255, then
// resize_image (separable bilinear, corner-aligned) or letterbox_image.
//
// # Pipeline
//
// Decode reads JPEG, PNG, GIF (first frame), BMP and WebP, checks the pixel
// count with image.DecodeConfig before decoding, and applies the EXIF
// orientation of JPEGs. NetworkInput (or a reusable Scratch, which allocates
// nothing in steady state) converts an image.Image into a caller-provided
// []float32; FromImage, Resize and Letterbox are the same steps one at a
// time on the planar Image type.
//
// # Agreement with Darknet
//
// Darknet loads images with stb_image. From the same 8-bit pixels this
// package is bit-identical to Darknet: the float conversion, resize_image
// and letterbox_image are reproduced operation for operation in float32
// (checked against every full/*/dog/input_image.f32 of the golden data,
// plain and letterboxed: 0 of 519168 values differ).
//
// The 8-bit pixels are stb_image's too. JPEGs are decoded by internal/jpeg
// (image/jpeg's parser and Huffman decoder with stb_image's integer IDCT
// and 16-bit dequantization) and converted with stb_image's chroma
// upsampling ("fancy" triangle filter, nearest for 4:1:1) and 12-bit
// fixed-point YCbCr→RGB (jpegycc.go); RGB, CMYK and YCCK JPEGs follow
// stb_image's rules too (jpegcmyk.go), and so do sampling factors no
// image.YCbCr layout describes (jpeggeneric.go: stb_image's per-component
// resampler). Checked against stb_image on every subsampling, progressive,
// restart markers, odd sizes, gray, RGB, CMYK, YCCK, quality 5 to 100 and
// 1920×1280 photos, and against Darknet's own decoded pixels (golden
// map/images/*.stb.png): 0 levels of difference; dog.jpg gives every
// golden input_image.f32 bit for bit. stb_image refuses 12-bit,
// arithmetic-coded and lossless JPEGs, and so does Decode. PNG, BMP and GIF
// pixels are exact as well (BMPs with 16-bit bitfields, which stb_image
// reads, are refused by Go's BMP decoder). Alpha is dropped without
// premultiplication and 16-bit samples keep their high byte, as stb_image
// does. stb_image cannot read WebP (Darknet cannot load it); Go's decoder
// is used for it.
//
// Darknet ignores EXIF orientation; Decode applies it unless
// DecodeOptions.IgnoreOrientation is set, so rotated phone photos reach the
// network upright (and differ from Darknet's input by design).
//
// # Speed
//
// NetworkInput does not build the full-resolution float image: resize_image
// only ever reads two input columns per output column and two input rows
// per output row, so it converts just those 8-bit samples straight from the
// decoded image's planes (direct.go; about 830×830 of the 1920×1280 pixels
// of a photo for a 416×416 network), with the same float32 operations as
// the reference pipeline (FromImage, Resize, Letterbox), which stays in the
// tree and which the tests compare it with bit for bit. internal/jpeg
// decodes a 1920×1280 photo in about 8 ms with the AVX2 IDCT, 11 ms
// without (image/jpeg: 24 ms).
//
// # Security considerations
//
// Images are untrusted input. Decode rejects files over
// DecodeOptions.MaxBytes (default 512 MiB) and images over MaxPixels
// (default 100 megapixels) from their header, before pixel buffers are
// allocated, and returns errors (never panics) on truncated or corrupt data.
// The EXIF reader bounds-checks every offset and stops at the first scan.
package preprocess
