package jpeg

// A block holds the 64 coefficients of an 8×8 block in natural (row-major)
// order; int32 leaves room for the products of dequantization.
type block [blockSize]int32

const blockSize = 8 * 8
