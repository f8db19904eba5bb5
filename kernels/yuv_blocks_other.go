//go:build purego || !amd64

package kernels

// Only amd64 (AVX-512 VBMI) has the byte-permute form of YUVGather.
func yuvGatherBlocks(l isa, R, G, B, yrow, cb, cr []uint8, c *YUVColumns, k *YUVCoef) int {
	return 0
}

const yuvBlocksRun = false
