package kernels

// The byte-permute form of YUVGather (AVX-512 VBMI, yuv_vbmi_amd64.s):
// the columns a resize reads are dense (a 1920 → 416 downscale takes 832
// of 1920), so 16 consecutive ones usually lie within 64 bytes of the row
// and one 64-byte load plus one VPERMB picks them, where the AVX2 code
// gathers each sample. A 4K frame's (3840 → 416: 16 columns span 66
// bytes) lie within 128: then two loads and VPERMT2B, which picks from
// both. The plan is made once per column set.

// yuvBlockInts is the size of one block of the plan in int32s: luma base,
// chroma base, then the 16 luma and the 16 chroma byte offsets from the
// bases (4 bytes per int32).
const yuvBlockInts = 2 + 4 + 4

// yuvBlocks plans the leading whole blocks of 16 columns in buf (grown
// as needed, returned for reuse), or returns a nil plan when some block
// spans 128 bytes or more (then the gathers do all). wide: some block
// spans 64 bytes or more, so the kernel loads two windows of each row.
func yuvBlocks(buf []int32, cols, ccols []int32) (_, plan []int32, wide bool) {
	nb := len(cols) / 16
	if nb == 0 {
		return buf, nil, false
	}
	if cap(buf) < nb*yuvBlockInts {
		buf = make([]int32, nb*yuvBlockInts)
	}
	plan = buf[:nb*yuvBlockInts]
	clear(plan)
	for b := 0; b < nb; b++ {
		c, cc := cols[16*b:16*b+16], ccols[16*b:16*b+16]
		if c[15]-c[0] >= 128 || cc[15]-cc[0] >= 128 {
			return buf, nil, false
		}
		wide = wide || c[15]-c[0] >= 64 || cc[15]-cc[0] >= 64
		p := plan[b*yuvBlockInts : (b+1)*yuvBlockInts]
		p[0], p[1] = c[0], cc[0]
		for j := 0; j < 16; j++ {
			p[2+j/4] |= (c[j] - c[0]) << (8 * (j % 4))
			p[6+j/4] |= (cc[j] - cc[0]) << (8 * (j % 4))
		}
	}
	return buf, plan, wide
}
