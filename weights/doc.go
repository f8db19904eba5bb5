// Package weights reads and writes Darknet .weights files.
//
// A .weights file is a small header followed by raw little-endian float32
// arrays, one after another, with no names, sizes or separators:
//
//	int32  major, minor, revision
//	uint64 seen            (uint32 when major*10+minor < 2)
//	float32 ...            every parameter array of every layer, in order
//
// Which arrays a layer owns, in which order and how long each is, follows
// from the cfg alone (for a convolutional layer: biases, then scales,
// rolling_mean, rolling_variance if batch_normalize=1, then weights). So the
// caller (the engine) describes the expected contents as []Layer with
// pre-allocated Tensors, and Read fills them, checking that the file holds
// exactly that many bytes.
//
// Unlike Darknet, which stops quietly at end of file and ignores trailing
// bytes, Read reports both: a short file is an *Error naming the layer,
// tensor and byte offset (wrapping io.ErrUnexpectedEOF), and extra bytes
// after the last tensor (usually a cfg/weights mismatch) are an *Error
// wrapping ErrTrailingData.
//
// # Security considerations
//
// Read never allocates from sizes found in the file: the only sizes are the
// caller's, and reading uses one fixed 64 KiB buffer. Trailing data is
// counted up to a bound (maxTrailingCount) so that an endless stream cannot
// hang Read.
package weights
