//go:build purego || !(amd64 || arm64)

package kernels

// Only amd64 (AVX-512 VBMI) and arm64 (NEON TBL) have the byte-permute
// form of STBGather.
func stbGatherBlocks(l isa, R, G, B, yrow, cbNear, cbFar, crNear, crFar []uint8, c *STBColumns, v *STBChroma, lc int) int {
	return 0
}

const stbBlocksRun = false
