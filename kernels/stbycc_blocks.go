package kernels

// The byte-permute form of STBGather (AVX-512 VBMI, stbycc_vbmi_amd64.s),
// as yuv_blocks.go is of YUVGather: 16 consecutive outputs of a resize
// usually read luma within 64 bytes of the row and chroma within 64 bytes
// of each chroma row, so one 64-byte load per row and VPERMB pick the
// samples the AVX2 code gathers one by one (9 gathers per 8 pixels);
// within 128 bytes, two loads and a two-table permute.

// stbBlockInts is the size of one block of the plan in int32s: luma base,
// chroma base, then 16 byte offsets each (4 per int32) for the luma, the
// first and the second chroma taps, and the 16 first and second weights as
// bytes.
const stbBlockInts = 2 + 5*4

// stbBlocks plans the leading whole blocks of 16 outputs in buf (grown as
// needed, returned for reuse), or returns a nil plan when some block spans
// 128 bytes or more of a row or has a weight outside a byte (then the
// gathers do all). wide: some block spans 64 bytes or more (a downscale
// from a 4000-pixel-wide photo), so the kernels read two 64-byte windows
// of each row.
func stbBlocks(buf []int32, c *STBColumns) (_, plan []int32, wide bool) {
	nb := len(c.Cols) / 16
	if nb == 0 {
		return buf, nil, false
	}
	buf = grow32(buf, nb*stbBlockInts)
	plan = buf[:nb*stbBlockInts]
	clear(plan)
	for b := 0; b < nb; b++ {
		lo, hi := 16*b, 16*b+16
		cols, i0, i1, h0, h1 := c.Cols[lo:hi], c.I0[lo:hi], c.I1[lo:hi], c.H0[lo:hi], c.H1[lo:hi]
		cbase, cend := i0[0], i0[0]
		for j := range 16 {
			cbase = min(cbase, i0[j], i1[j])
			cend = max(cend, i0[j], i1[j])
			if h0[j] < 0 || h0[j] > 255 || h1[j] < 0 || h1[j] > 255 {
				return buf, nil, false
			}
		}
		if cols[15]-cols[0] >= 128 || cend-cbase >= 128 {
			return buf, nil, false
		}
		wide = wide || cols[15]-cols[0] >= 64 || cend-cbase >= 64
		p := plan[b*stbBlockInts : (b+1)*stbBlockInts]
		p[0], p[1] = cols[0], cbase
		for j := range 16 {
			sh := 8 * (j % 4)
			p[2+j/4] |= (cols[j] - cols[0]) << sh
			p[6+j/4] |= (i0[j] - cbase) << sh
			p[10+j/4] |= (i1[j] - cbase) << sh
			p[14+j/4] |= h0[j] << sh
			p[18+j/4] |= h1[j] << sh
		}
	}
	return buf, plan, wide
}
