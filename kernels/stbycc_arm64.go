//go:build !purego

package kernels

// On arm64 STBGather's vector form is the byte-permute blocks: NEON has no
// gather (stbGatherArch does nothing), but TBL picks 16 bytes from a
// 64-byte table as VPERMB does (stbycc_arm64.s, generated).
const stbBlocksRun = true

// stbGatherNEON converts nb planned blocks of 16 pixels; each block's
// luma and chroma bases have 64 readable bytes after them.
//
//go:noescape
func stbGatherNEON(R, G, B, yrow, cbNear, cbFar, crNear, crFar *uint8, plan *int32, nb int, v *STBChroma)

// stbGatherWideNEON is stbGatherNEON for wide plans (blocks spanning up to
// 128 bytes): 128 readable bytes after each base.
//
//go:noescape
func stbGatherWideNEON(R, G, B, yrow, cbNear, cbFar, crNear, crFar *uint8, plan *int32, nb int, v *STBChroma)

// stbGatherBlocks converts the leading blocks of c's plan whose 64-byte
// (wide plans: 128-byte) loads lie within the rows (NEON has no masked load; the Go code does the
// rest) and returns how many outputs that is. lc is the shortest chroma
// row.
func stbGatherBlocks(l isa, R, G, B, yrow, cbNear, cbFar, crNear, crFar []uint8, c *STBColumns, v *STBChroma, lc int) int {
	if l != isaNEON || c.blocks == nil {
		return 0
	}
	window := 64
	if c.wide {
		window = 128
	}
	nb := 0
	for p := c.blocks; len(p) >= stbBlockInts; p = p[stbBlockInts:] {
		if int(p[0])+window > len(yrow) || int(p[1])+window > lc {
			break
		}
		nb++
	}
	if nb == 0 {
		return 0
	}
	// Direct calls: through a func value the arguments would escape.
	if c.wide {
		stbGatherWideNEON(&R[0], &G[0], &B[0], &yrow[0], &cbNear[0], &cbFar[0], &crNear[0], &crFar[0], &c.blocks[0], nb, v)
	} else {
		stbGatherNEON(&R[0], &G[0], &B[0], &yrow[0], &cbNear[0], &cbFar[0], &crNear[0], &crFar[0], &c.blocks[0], nb, v)
	}
	return 16 * nb
}
