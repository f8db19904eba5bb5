//go:build !purego

package kernels

// stbGatherAVX2 is STBGather for n a multiple of 8, every sample with 3
// readable bytes after it (stbycc_amd64.s). taps is STBColumns.packed.
//
//go:noescape
func stbGatherAVX2(R, G, B, yrow, cbNear, cbFar, crNear, crFar *uint8, taps *int32, n int, v *STBChroma)

// stbGatherArch converts the outputs it can from output from (a multiple
// of 8) on, of the first safe, and returns how many.
func stbGatherArch(l isa, R, G, B, yrow, cbNear, cbFar, crNear, crFar []uint8, c *STBColumns, v *STBChroma, from, safe int) int {
	n := (safe - from) &^ 7
	if l != isaAVX2 && l != isaAVX512 || n <= 0 {
		return 0
	}
	stbGatherAVX2(&R[from], &G[from], &B[from], &yrow[0], &cbNear[0], &cbFar[0], &crNear[0], &crFar[0], &c.packed[5*from], n, v)
	return n
}
