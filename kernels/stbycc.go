package kernels

// STBColumns are the pixels STBGather converts in each row of a JPEG's
// Y'CbCr planes: output j is luma column Cols[j] with its chroma
// upsampled the way stb_image (Darknet's image loader) does, from two
// horizontal taps: chroma columns I0[j] and I1[j] with weights H0[j] and
// H1[j] (see STBGather). Cols ascend, every index is non-negative (as a
// resize's columns and their chroma are). Set checks them once and lays
// them out for the vector code, so that a row checks only lengths.
type STBColumns struct {
	Cols, I0, I1, H0, H1 []int32

	ok     bool
	cmax   []int32 // cmax[j]: the largest chroma index of outputs 0..j
	packed []int32 // blocks of 8 outputs: cols, i0, i1, h0, h1 (8 each)
	blocks []int32 // the byte-permute plan of 16-output blocks (stbBlocks), or nil
	wide   bool    // some block spans 64 bytes or more: two windows a row
	bbuf   []int32 // its storage, reused by the next Set
}

// Set takes the columns and taps (all of len(cols); kept, not copied).
func (c *STBColumns) Set(cols, i0, i1, h0, h1 []int32) {
	n := len(cols)
	c.Cols, c.I0, c.I1, c.H0, c.H1 = cols, i0[:n], i1[:n], h0[:n], h1[:n]
	c.ok, c.blocks, c.wide = true, nil, false
	c.cmax = grow32(c.cmax, n)
	m := int32(0)
	for j := range cols {
		if cols[j] < 0 || i0[j] < 0 || i1[j] < 0 || j > 0 && cols[j] < cols[j-1] {
			c.ok = false
			return
		}
		m = max(m, i0[j], i1[j])
		c.cmax[j] = m
	}
	c.packed = grow32(c.packed, 5*(n&^7))
	for b := 0; b+8 <= n; b += 8 {
		p := c.packed[5*b : 5*b+40]
		copy(p[0:8], cols[b:b+8])
		copy(p[8:16], i0[b:b+8])
		copy(p[16:24], i1[b:b+8])
		copy(p[24:32], h0[b:b+8])
		copy(p[32:40], h1[b:b+8])
	}
	if stbBlocksRun {
		c.bbuf, c.blocks, c.wide = stbBlocks(c.bbuf, c)
	}
}

func grow32(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	return s[:n]
}

// STBChroma is the vertical half of stb_image's chroma upsampling for one
// output row: the row's chroma sample at chroma column i is
// T(i) = V0·near[i] + V1·far[i] (near and far: the chroma rows nearest to
// the luma row and the next one on its side), and output j's chroma is
// (H0[j]·T(I0[j]) + H1[j]·T(I1[j]) + Rnd) >> Shift. Every case of
// stb_image's upsampling (copy, nearest, h2, v2, hv2) has this form.
type STBChroma struct {
	V0, V1, Rnd, Shift int32
}

// STBGather converts the pixels c describes of one row of a JPEG's planes
// to R[j], G[j], B[j]: luma yrow[c.Cols[j]], chroma upsampled from the
// near and far rows of each chroma plane as v says, then stb_image's
// fixed-point Y'CbCr → RGB (STBRGB). Photos' preprocessing reads only the
// pixels its resize needs, as video frames' does (YUVGather). It is the
// operation OpSTB; on amd64 with AVX2 it gathers 8 pixels at a time and
// computes the same int32 sums, with AVX-512 VBMI it picks 16 from one
// 64-byte load per row with VPERMB (stbycc_blocks.go), and on arm64 NEON
// does the same with TBL (stbycc_arm64.s).
func STBGather(R, G, B, yrow, cbNear, cbFar, crNear, crFar []uint8, c *STBColumns, v *STBChroma) {
	stbGatherAt(level(opSTB), R, G, B, yrow, cbNear, cbFar, crNear, crFar, c, v)
}

func stbGatherAt(l isa, R, G, B, yrow, cbNear, cbFar, crNear, crFar []uint8, c *STBColumns, v *STBChroma) {
	n := len(c.Cols)
	R, G, B = R[:n], G[:n], B[:n]
	done := 0
	if c.ok && v.Shift >= 0 && v.Shift < 32 {
		lc := min(len(cbNear), len(cbFar), len(crNear), len(crFar))
		// The byte-permute blocks first (AVX-512 VBMI), then the gathers
		// for the outputs they leave.
		done = stbGatherBlocks(l, R, G, B, yrow, cbNear, cbFar, crNear, crFar, c, v, lc)
		done += stbGatherArch(l, R, G, B, yrow, cbNear, cbFar, crNear, crFar, c, v, done, stbSafe(c, len(yrow), lc))
	}
	stbGatherGo(R[done:], G[done:], B[done:], yrow, cbNear, cbFar, crNear, crFar,
		c.Cols[done:], c.I0[done:], c.I1[done:], c.H0[done:], c.H1[done:], v)
}

// stbSafe is how many leading outputs the vector code may take: its
// gathers load 4 bytes at each sample, so each sample must have 3 more
// bytes after it within its row (ly luma, lc chroma bytes).
func stbSafe(c *STBColumns, ly, lc int) int {
	n := len(c.Cols)
	for n > 0 && (int(c.Cols[n-1])+4 > ly || int(c.cmax[n-1])+4 > lc) {
		n--
	}
	return n
}

// stbGatherGo is the reference.
func stbGatherGo(R, G, B, yrow, cbNear, cbFar, crNear, crFar []uint8, cols, i0, i1, h0, h1 []int32, v *STBChroma) {
	up := func(near, far []uint8, j int) uint8 {
		a, b := i0[j], i1[j]
		t0 := v.V0*int32(near[a]) + v.V1*int32(far[a])
		t1 := v.V0*int32(near[b]) + v.V1*int32(far[b])
		return uint8((h0[j]*t0 + h1[j]*t1 + v.Rnd) >> v.Shift)
	}
	R, G, B = R[:len(cols)], G[:len(cols)], B[:len(cols)]
	for j, x := range cols {
		R[j], G[j], B[j] = stbLUT.rgb(yrow[x], up(cbNear, cbFar, j), up(crNear, crFar, j))
	}
}

// stb_image's stbi__float2fixed(x) = (int)(x*4096.0f + 0.5f) << 8 for the
// four conversion coefficients, without the << 8 (see STBRGB).
const (
	stbCrR = 5743 // 1.40200
	stbCrG = 2925 // 0.71414
	stbCbG = 1410 // 0.34414
	stbCbB = 7258 // 1.77200
)

// STBRGB is stb_image's stbi__YCbCr_to_RGB_row for one pixel. stb_image
// computes in 20-bit fixed point with coefficients that are multiples of
// 256 and masks green's Cb product to its high 16 bits; dividing every
// term by 256 (exact: each is a multiple of it) gives the same results in
// 12 bits, where the mask becomes ((-cb·1410) >> 8) << 8 (checked for all
// 2^24 inputs in TestSTBRGB).
func STBRGB(y, cb, cr uint8) (r, g, b uint8) {
	yf := int32(y)<<12 + 1<<11
	icr, icb := int32(cr)-128, int32(cb)-128
	return clampShift12(yf + icr*stbCrR),
		clampShift12(yf - icr*stbCrG + (-icb*stbCbG)>>8<<8),
		clampShift12(yf + icb*stbCbB)
}

func clampShift12(v int32) uint8 {
	return uint8(min(max(v>>12, 0), 255))
}

// stbTables is STBRGB split into per-sample terms for the Go code: the
// chroma products, and a clamp table indexed by the 10 low bits of the
// shifted sum (every sum lies in [-512, 511]; negative ones wrap to the
// upper half, which holds 0). Same int32 sums, so the same results.
type stbTables struct {
	crR, crG, cbG, cbB [256]int32
	clamp              [1024]uint8
}

var stbLUT = func() *stbTables {
	t := new(stbTables)
	for i := range 256 {
		c := int32(i) - 128
		t.crR[i] = c * stbCrR
		t.crG[i] = -c * stbCrG
		t.cbG[i] = (-c * stbCbG) >> 8 << 8
		t.cbB[i] = c * stbCbB
	}
	for i := range 512 {
		t.clamp[i] = uint8(min(i, 255))
	}
	return t
}()

func (t *stbTables) rgb(y, cb, cr uint8) (uint8, uint8, uint8) {
	yf := int32(y)<<12 + 1<<11
	r := t.clamp[uint32((yf+t.crR[cr])>>12)&1023]
	g := t.clamp[uint32((yf+t.crG[cr]+t.cbG[cb])>>12)&1023]
	b := t.clamp[uint32((yf+t.cbB[cb])>>12)&1023]
	return r, g, b
}
