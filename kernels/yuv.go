package kernels

// YUVCoef is a Y'CbCr → RGB conversion in 16.16 fixed point (package yuv
// makes them for each range and matrix):
//
//	R = clamp((CY·y + CrR·cr + BR) >> 16)
//	G = clamp((CY·y + CbG·cb + CrG·cr + BG) >> 16)
//	B = clamp((CY·y + CbB·cb + BB) >> 16)
//
// clamp to [0, 255], >> arithmetic, int32 sums (the caller's coefficients
// must not overflow them; a real conversion's are far from it); the biases
// hold the sample offsets (16 and 128) and the rounding.
type YUVCoef struct {
	CY, CrR, CbG, CrG, CbB int32
	BR, BG, BB             int32
}

// YUVColumns are the columns YUVGather converts: luma column Cols[j] and
// chroma column CCols[j] for output j, both ascending and non-negative
// (as a resize's columns are). Set checks them once, so that a row's
// conversion checks only its slices' lengths.
type YUVColumns struct {
	Cols, CCols []int32
	ok          bool    // ascending and non-negative: the vector code may run
	blocks      []int32 // the byte-permute plan of 16-column blocks (yuvBlocks), or nil
	wide        bool    // some block spans 64 bytes or more
	blockBuf    []int32 // its storage, reused by the next Set
}

// Set takes cols and ccols (same length; kept, not copied).
func (c *YUVColumns) Set(cols, ccols []int32) {
	c.Cols, c.CCols = cols, ccols[:len(cols)]
	c.ok = true
	c.blocks, c.wide = nil, false
	for j := range cols {
		if cols[j] < 0 || ccols[j] < 0 || j > 0 && (cols[j] < cols[j-1] || ccols[j] < ccols[j-1]) {
			c.ok = false
			return
		}
	}
	if yuvBlocksRun {
		c.blockBuf, c.blocks, c.wide = yuvBlocks(c.blockBuf, c.Cols, c.CCols)
	}
}

// YUVGather converts the pixels at columns c of one row of a planar
// Y'CbCr image, luma yrow[c.Cols[j]] and chroma cb[c.CCols[j]],
// cr[c.CCols[j]], to R[j], G[j], B[j]. A network's preprocessing reads
// only the columns its resize needs, straight from a video decoder's
// planes. It is the operation OpYUV; on amd64 with AVX2 it gathers 8
// pixels at a time and computes the same int32 sums, with AVX-512 VBMI it
// picks 16 from one 64-byte load per plane with VPERMB (yuv_blocks.go),
// on arm64 with NEON it loads them with byte loads (NEON has no gather)
// and does the same.
func YUVGather(R, G, B, yrow, cb, cr []uint8, c *YUVColumns, k *YUVCoef) {
	yuvGatherAt(level(opYUV), R, G, B, yrow, cb, cr, c, k)
}

func yuvGatherAt(l isa, R, G, B, yrow, cb, cr []uint8, c *YUVColumns, k *YUVCoef) {
	cols, ccols := c.Cols, c.CCols
	n := len(cols)
	R, G, B = R[:n], G[:n], B[:n]
	done := 0
	if c.ok {
		// The byte-permute blocks first (AVX-512 VBMI), then the gathers
		// for the columns they leave.
		done = yuvGatherBlocks(l, R, G, B, yrow, cb, cr, c, k)
		safe := max(done, yuvSafe(yrow, cb, cr, cols, ccols))
		done += yuvGatherArch(l, R[done:], G[done:], B[done:], yrow, cb, cr, cols[done:safe], ccols[done:], k)
	}
	yuvGatherGo(R[done:], G[done:], B[done:], yrow, cb, cr, cols[done:], ccols[done:], k)
}

// RGB converts one sample triple: the definition every implementation
// (the vector code, package yuv's At and ToRGBA) computes.
func (k *YUVCoef) RGB(y, cb, cr uint8) (r, g, b uint8) {
	l := k.CY * int32(y)
	u, v := int32(cb), int32(cr)
	return clampShift16(l + k.CrR*v + k.BR), clampShift16(l + k.CbG*u + k.CrG*v + k.BG), clampShift16(l + k.CbB*u + k.BB)
}

// yuvGatherGo is the reference.
func yuvGatherGo(R, G, B, yrow, cb, cr []uint8, cols, ccols []int32, k *YUVCoef) {
	for j, x := range cols {
		c := ccols[j]
		R[j], G[j], B[j] = k.RGB(yrow[x], cb[c], cr[c])
	}
}

func clampShift16(v int32) uint8 {
	return uint8(min(max(v>>16, 0), 255))
}

// yuvSafe is how many leading columns the vector code may take: its
// gathers load 4 bytes at each sample, so each sample must have 3 more
// bytes after it within its slice. The columns ascend, so only the last
// ones can fail that.
func yuvSafe(yrow, cb, cr []uint8, cols, ccols []int32) int {
	n := len(cols)
	lc := min(len(cb), len(cr))
	for n > 0 && (int(cols[n-1])+4 > len(yrow) || int(ccols[n-1])+4 > lc) {
		n--
	}
	return n
}
