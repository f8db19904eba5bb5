//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// hasVBMI: VPERMB (AVX-512 VBMI: Ice Lake, Zen 4 and later; not
// Skylake-X), on top of the AVX-512 level.
var hasVBMI = hasAVX512 && cpu.X86.HasAVX512VBMI

// yuvBlocksRun: YUVColumns.Set plans the blocks only where they can run
// (Set runs once per video frame).
var yuvBlocksRun = hasVBMI

// yuvGatherVBMI converts nb planned blocks of 16 pixels (yuv_vbmi_amd64.s);
// wide: one 64-byte window of each row past the first, for blocks that
// span up to 128 bytes. Its loads are masked to ylen / clen bytes after
// the bases, so they read nothing past the rows.
//
//go:noescape
func yuvGatherVBMI(R, G, B, yrow, cb, cr *uint8, ylen, clen int, plan *int32, nb int, k *YUVCoef, wide bool)

// yuvGatherBlocks converts the columns of c's block plan at the AVX-512
// level on a CPU with VBMI and returns how many; 0 otherwise.
func yuvGatherBlocks(l isa, R, G, B, yrow, cb, cr []uint8, c *YUVColumns, k *YUVCoef) int {
	if l != isaAVX512 || !hasVBMI || c.blocks == nil {
		return 0
	}
	nb := len(c.blocks) / yuvBlockInts
	n := 16 * nb
	clen := min(len(cb), len(cr))
	// The columns ascend: the last block's last ones are the largest.
	if int(c.Cols[n-1]) >= len(yrow) || int(c.CCols[n-1]) >= clen {
		return 0 // out of range: the Go code reports it
	}
	yuvGatherVBMI(&R[0], &G[0], &B[0], &yrow[0], &cb[0], &cr[0], len(yrow), clen, &c.blocks[0], nb, k, c.wide)
	return n
}
