//go:build !purego

package kernels

// stbBlocksRun: STBColumns.Set plans the blocks only where they can run.
var stbBlocksRun = hasVBMI

// stbGatherVBMI converts nb planned blocks of 16 pixels
// (stbycc_vbmi_amd64.s), from two 64-byte windows of each row when wide.
// Its loads are masked to ylen / clen bytes after the bases, so they read
// nothing past the rows.
//
//go:noescape
func stbGatherVBMI(R, G, B, yrow, cbNear, cbFar, crNear, crFar *uint8, ylen, clen int, plan *int32, nb int, v *STBChroma, wide bool)

// stbGatherBlocks converts the outputs of c's block plan at the AVX-512
// level on a CPU with VBMI and returns how many; 0 otherwise. lc is the
// shortest chroma row.
func stbGatherBlocks(l isa, R, G, B, yrow, cbNear, cbFar, crNear, crFar []uint8, c *STBColumns, v *STBChroma, lc int) int {
	if l != isaAVX512 || !hasVBMI || c.blocks == nil {
		return 0
	}
	nb := len(c.blocks) / stbBlockInts
	n := 16 * nb
	// The columns ascend and cmax is a running maximum: the last block's
	// last output has the largest of each.
	if int(c.Cols[n-1]) >= len(yrow) || int(c.cmax[n-1]) >= lc {
		return 0 // out of range: the Go code reports it
	}
	stbGatherVBMI(&R[0], &G[0], &B[0], &yrow[0], &cbNear[0], &cbFar[0], &crNear[0], &crFar[0], len(yrow), lc, &c.blocks[0], nb, v, c.wide)
	return n
}
