package preprocess

import (
	"image"
	"sync"

	"github.com/darkgo/darkgo/kernels"
	"github.com/darkgo/darkgo/yuv"
)

// This file is the fast path of Scratch.NetworkInput: it computes exactly
// the values of the reference pipeline (toFloat, then resizeInto or
// letterboxInto) without building the full-resolution float image.
//
// resize_image is separable and corner-aligned: output column c reads only
// input columns ix and ix+1 (ix = int(c*ws)), and output row r reads only
// the horizontally resized rows iy and iy+1. So the fast path
//
//   - gathers, for each input row some output row needs, the 8-bit samples
//     of only the input columns some output column reads (for a
//     1920×1280 photo and a 416×416 network: 830 of 1920 columns of 830 of
//     1280 rows), converting YCbCr, RGBA, gray or palette pixels straight
//     from the decoded image's planes;
//   - resizes that gathered row horizontally with the same float32
//     operations as resizeRow, keeping the last two rows resized;
//   - combines the two rows vertically with the operations of resizeCol,
//     writing straight into the caller's buffer (at the letterbox offset,
//     clipped like embed).
//
// Every output value goes through the same float32 operations, in the same
// order, on the same operands as in the reference, so the results are
// bit-identical (TestFastMatchesReference checks every image type, odd and
// extreme sizes, c=1 and c=3, plain and letterboxed).

// colTap is how one output column is computed from a gathered row g:
// float32(w0*f(g[a0])) + float32(w1*f(g[a1])) with f = byteToFloat.
type colTap struct {
	a0, a1 int32
	w0, w1 float32
}

// rowTap is how one output row is computed from the horizontally resized
// rows: float32(w0*A) + float32(w1*B) with A of input row iy and B of row
// iy+1, or w0*A alone when single.
type rowTap struct {
	iy     int
	w0, w1 float32
	single bool
}

// planCols fills taps (one per output column) and cols (the input columns
// they read, ascending, each once) for resizeRow from inW to outW columns.
// An unchanged width is an exact copy (weights 1 and 0), as resizeInto's
// copy is.
func planCols(taps []colTap, cols []int32, inW, outW int, same bool) ([]colTap, []int32) {
	taps = grow(taps, outW)
	cols = cols[:0]
	// index returns the position of input column x in cols, adding it if
	// needed. Requests come in non-decreasing order of ix, so x is either
	// one of the last two entries or new.
	index := func(x int) int32 {
		for j := len(cols) - 1; j >= 0 && j >= len(cols)-2; j-- {
			if cols[j] == int32(x) {
				return int32(j)
			}
		}
		cols = append(cols, int32(x))
		return int32(len(cols) - 1)
	}
	if same {
		for c := range taps {
			j := index(c)
			taps[c] = colTap{a0: j, a1: j, w0: 1, w1: 0}
		}
		return taps, cols
	}
	ws, _ := resizeScales(inW, 1, outW, 1)
	for c := 0; c < outW-1; c++ {
		if inW == 1 {
			j := index(0)
			taps[c] = colTap{a0: j, a1: j, w0: 1, w1: 0}
			continue
		}
		// As in resizeRow.
		sx := float32(float32(c) * ws) // rounded: sx - float32(ix) must not fuse
		ix := int(sx)
		dx := sx - float32(ix)
		ix1 := ix + 1
		if ix1 >= inW {
			ix, ix1 = inW-1, inW-1
		}
		a0 := index(ix)
		taps[c] = colTap{a0: a0, a1: index(ix1), w0: 1 - dx, w1: dx}
	}
	// The last output column copies the last input column: 1*v + 0*v == v
	// for the finite non-negative v = byteToFloat[...].
	j := index(inW - 1)
	taps[outW-1] = colTap{a0: j, a1: j, w0: 1, w1: 0}
	return taps, cols
}

// planRows fills one rowTap per output row for resizeCol from inH to outH
// rows; an unchanged height is an exact copy.
func planRows(rows []rowTap, inH, outH int, same bool) []rowTap {
	rows = grow(rows, outH)
	if same {
		for r := range rows {
			rows[r] = rowTap{iy: r, w0: 1, single: true}
		}
		return rows
	}
	_, hs := resizeScales(1, inH, 1, outH)
	for r := range rows {
		// As in resizeCol.
		sy := float32(float32(r) * hs) // rounded: sy - float32(iy) must not fuse
		iy := int(sy)
		dy := sy - float32(iy)
		if iy > inH-1 {
			iy = inH - 1
		}
		single := r == outH-1 || inH == 1 || iy+1 >= inH
		rows[r] = rowTap{iy: iy, w0: 1 - dy, w1: dy, single: single}
	}
	return rows
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// srcKind selects the row gatherer of a source image.
type srcKind int

const (
	kindGeneric srcKind = iota
	kindYCbCr
	kindRGBA
	kindNRGBA
	kindRGBA64 // RGBA64 and NRGBA64: high byte of each sample
	kindGray
	kindGray16
	kindPaletted
	kindYUV // *yuv.Image: video frames
)

// source reads the 8-bit samples of selected columns of an image row the
// way toRGB8 (c=3) or toGray8 (c=1) would produce them.
type source struct {
	kind   srcKind
	img    image.Image
	b      image.Rectangle
	c      int
	pix    []uint8 // first sample of the image's top-left pixel
	stride int
	bpp    int // bytes per pixel of pix
	hi     int // byte step between channels (RGBA64: 2)
	lut    [256][3]uint8

	// YCbCr
	ycc                *image.YCbCr
	hs, vs             int
	cy0, cy1           int
	vert               kernels.STBChroma // the vertical half of the chroma upsampling
	stb                kernels.STBColumns
	ti0, ti1, th0, th1 []int32 // the chroma taps of the gathered columns (stb's storage)

	// yuv.Image
	yuv   *yuv.Image
	conv  *yuv.Converter
	ccols []int32 // chroma column of each gathered column, relative to the row's
	ycols kernels.YUVColumns
}

// init prepares s for img with c output channels; cols are the columns
// (0-based within img.Bounds()) that will be gathered.
func (s *source) init(img image.Image, c int, cols []int32) {
	b := img.Bounds()
	s.img, s.b, s.c = img, b, c
	s.kind = kindGeneric
	s.ycc, s.yuv = nil, nil
	switch m := img.(type) {
	case *yuv.Image:
		s.initYUV(m, cols)
	case *image.YCbCr:
		s.initYCbCr(m, cols)
	case *image.NYCbCrA:
		s.initYCbCr(&m.YCbCr, cols)
	case *image.RGBA:
		s.kind, s.bpp, s.hi = kindRGBA, 4, 1
		s.pix, s.stride = m.Pix[(b.Min.Y-m.Rect.Min.Y)*m.Stride+4*(b.Min.X-m.Rect.Min.X):], m.Stride
	case *image.NRGBA:
		s.kind, s.bpp, s.hi = kindNRGBA, 4, 1
		s.pix, s.stride = m.Pix[(b.Min.Y-m.Rect.Min.Y)*m.Stride+4*(b.Min.X-m.Rect.Min.X):], m.Stride
	case *image.RGBA64:
		s.kind, s.bpp, s.hi = kindRGBA64, 8, 2
		s.pix, s.stride = m.Pix[(b.Min.Y-m.Rect.Min.Y)*m.Stride+8*(b.Min.X-m.Rect.Min.X):], m.Stride
	case *image.NRGBA64:
		s.kind, s.bpp, s.hi = kindRGBA64, 8, 2
		s.pix, s.stride = m.Pix[(b.Min.Y-m.Rect.Min.Y)*m.Stride+8*(b.Min.X-m.Rect.Min.X):], m.Stride
	case *image.Gray:
		s.kind, s.bpp = kindGray, 1
		s.pix, s.stride = m.Pix[(b.Min.Y-m.Rect.Min.Y)*m.Stride+b.Min.X-m.Rect.Min.X:], m.Stride
	case *image.Gray16:
		s.kind, s.bpp = kindGray16, 2
		s.pix, s.stride = m.Pix[(b.Min.Y-m.Rect.Min.Y)*m.Stride+2*(b.Min.X-m.Rect.Min.X):], m.Stride
	case *image.Paletted:
		s.kind, s.bpp = kindPaletted, 1
		s.pix, s.stride = m.Pix[(b.Min.Y-m.Rect.Min.Y)*m.Stride+b.Min.X-m.Rect.Min.X:], m.Stride
		// As in toRGB8: the stored palette color, alpha dropped.
		s.lut = [256][3]uint8{}
		for i, col := range m.Palette {
			if i == 256 {
				break
			}
			s.lut[i] = straightRGB(col)
		}
	}
}

// release drops the references to the image, so that a Scratch kept for
// later does not keep the last image alive.
func (s *source) release() {
	s.img, s.ycc, s.yuv, s.pix = nil, nil, nil, nil
}

// initYCbCr prepares the chroma taps of the gathered columns, reproducing
// the index arithmetic of ycbcrToRGB8 (resampleH2, resampleHV2 and the
// vertical choice of the near and far chroma rows).
func (s *source) initYCbCr(m *image.YCbCr, cols []int32) {
	s.kind, s.ycc = kindYCbCr, m
	if s.c == 1 {
		return // toGray8 keeps the Y plane only
	}
	b := m.Rect
	hs, vs := subsampling(m.SubsampleRatio)
	s.hs, s.vs = hs, vs
	cx0, cx1 := floorDiv(b.Min.X, hs), floorDiv(b.Max.X-1, hs)
	s.cy0, s.cy1 = floorDiv(b.Min.Y, vs), floorDiv(b.Max.Y-1, vs)
	cw := cx1 - cx0 + 1
	x0 := b.Min.X - 2*cx0 // output column 0 of resampleH2/HV2
	n := len(cols)
	s.ti0, s.ti1 = grow(s.ti0, n), grow(s.ti1, n)
	s.th0, s.th1 = grow(s.th0, n), grow(s.th1, n)
	tap := func(j int, i0, i1, h0, h1 int) {
		s.ti0[j], s.ti1[j], s.th0[j], s.th1[j] = int32(i0), int32(i1), int32(h0), int32(h1)
	}
	switch {
	case hs == 1 && vs == 1, hs == 4: // copy, or nearest from the near row
		s.vert = kernels.STBChroma{V0: 1}
		for j, x := range cols {
			i := floorDiv(b.Min.X+int(x), hs) - cx0
			tap(j, i, i, 1, 0)
		}
	case hs == 1 && vs == 2: // (3*near + far + 2) >> 2
		s.vert = kernels.STBChroma{V0: 3, V1: 1, Rnd: 2, Shift: 2}
		for j, x := range cols {
			tap(j, int(x), int(x), 1, 0)
		}
	case hs == 2 && vs == 1: // resampleH2
		s.vert = kernels.STBChroma{V0: 1, Rnd: 2, Shift: 2}
		for j, x := range cols {
			p := x0 + int(x)
			i := p >> 1
			switch {
			case cw == 1, p == 0:
				tap(j, 0, 0, 4, 0)
			case p == 2*cw-1:
				tap(j, cw-1, cw-1, 4, 0)
			case p == 2*(cw-1):
				tap(j, cw-2, cw-1, 3, 1)
			case p&1 == 1:
				tap(j, i, i+1, 3, 1)
			default:
				tap(j, i, i-1, 3, 1)
			}
		}
	default: // 2×2: resampleHV2 of t = 3*near + far; (t+2)>>2 == (4t+8)>>4
		s.vert = kernels.STBChroma{V0: 3, V1: 1, Rnd: 8, Shift: 4}
		for j, x := range cols {
			p := x0 + int(x)
			i := p >> 1
			switch {
			case p == 0:
				tap(j, 0, 0, 4, 0)
			case p == 2*cw-1:
				tap(j, cw-1, cw-1, 4, 0)
			case p&1 == 1:
				tap(j, i, i+1, 3, 1)
			default:
				tap(j, i, i-1, 3, 1)
			}
		}
	}
	s.stb.Set(cols, s.ti0, s.ti1, s.th0, s.th1)
}

// gather writes the samples of row y (0-based) at cols into g, planar:
// channel k of column j at g[k*len(cols)+j].
func (s *source) gather(g []uint8, y int, cols []int32) {
	n := len(cols)
	if s.c == 1 {
		g = g[:n]
		switch s.kind {
		case kindYCbCr:
			row := s.ycc.Y[y*s.ycc.YStride:]
			for j, x := range cols {
				g[j] = row[x]
			}
			return
		case kindGray:
			row := s.pix[y*s.stride:]
			for j, x := range cols {
				g[j] = row[x]
			}
			return
		}
		// stb_image's luma of the 8-bit RGB, as in toGray8.
		var rgb [3]uint8
		for j, x := range cols {
			s.pixel(&rgb, int(x), y)
			g[j] = uint8((77*int(rgb[0]) + 150*int(rgb[1]) + 29*int(rgb[2])) >> 8)
		}
		return
	}
	R, G, B := g[:n], g[n:2*n], g[2*n:3*n]
	switch s.kind {
	case kindYCbCr:
		s.gatherYCbCr(R, G, B, y)
	case kindYUV:
		s.gatherYUV(R, G, B, y, cols)
	case kindRGBA:
		row := s.pix[y*s.stride:]
		for j, x := range cols {
			p := row[4*int(x) : 4*int(x)+4 : 4*int(x)+4]
			if a := p[3]; a == 0xff || a == 0 {
				R[j], G[j], B[j] = p[0], p[1], p[2]
			} else {
				R[j], G[j], B[j] = unpremul(p[0], a), unpremul(p[1], a), unpremul(p[2], a)
			}
		}
	case kindNRGBA, kindRGBA64:
		row := s.pix[y*s.stride:]
		bpp, hi := s.bpp, s.hi
		for j, x := range cols {
			p := row[int(x)*bpp:]
			R[j], G[j], B[j] = p[0], p[hi], p[2*hi]
		}
	case kindGray:
		row := s.pix[y*s.stride:]
		for j, x := range cols {
			v := row[x]
			R[j], G[j], B[j] = v, v, v
		}
	case kindPaletted:
		row := s.pix[y*s.stride:]
		for j, x := range cols {
			c := &s.lut[row[x]]
			R[j], G[j], B[j] = c[0], c[1], c[2]
		}
	default:
		var rgb [3]uint8
		for j, x := range cols {
			s.pixel(&rgb, int(x), y)
			R[j], G[j], B[j] = rgb[0], rgb[1], rgb[2]
		}
	}
}

// pixel is the 8-bit RGB toRGB8 produces for pixel (x, y) of any source
// but YCbCr.
func (s *source) pixel(rgb *[3]uint8, x, y int) {
	switch s.kind {
	case kindRGBA:
		p := s.pix[y*s.stride+4*x:]
		p = p[:4:4]
		if a := p[3]; a == 0xff || a == 0 {
			rgb[0], rgb[1], rgb[2] = p[0], p[1], p[2]
		} else {
			rgb[0], rgb[1], rgb[2] = unpremul(p[0], a), unpremul(p[1], a), unpremul(p[2], a)
		}
	case kindNRGBA, kindRGBA64:
		p := s.pix[y*s.stride+x*s.bpp:]
		rgb[0], rgb[1], rgb[2] = p[0], p[s.hi], p[2*s.hi]
	case kindGray, kindGray16:
		v := s.pix[y*s.stride+x*s.bpp]
		rgb[0], rgb[1], rgb[2] = v, v, v
	case kindPaletted:
		*rgb = s.lut[s.pix[y*s.stride+x]]
	case kindYUV:
		rgb[0], rgb[1], rgb[2] = s.yuv.RGB(s.b.Min.X+x, s.b.Min.Y+y)
	default:
		*rgb = straightRGB(s.img.At(s.b.Min.X+x, s.b.Min.Y+y))
	}
}

// gatherYCbCr is ycbcrToRGB8 for the pixels (cols[j], y).
func (s *source) gatherYCbCr(R, G, B []uint8, y int) {
	m := s.ycc
	// The near and far chroma rows, as in ycbcrToRGB8.
	yy := m.Rect.Min.Y + y
	near := floorDiv(yy, s.vs)
	far := near
	if s.vs == 2 {
		if yy&1 == 1 {
			far = near + 1
		} else {
			far = near - 1
		}
		far = min(max(far, s.cy0), s.cy1)
	}
	no, fo := (near-s.cy0)*m.CStride, (far-s.cy0)*m.CStride
	kernels.STBGather(R, G, B, m.Y[y*m.YStride:], m.Cb[no:], m.Cb[fo:], m.Cr[no:], m.Cr[fo:], &s.stb, &s.vert)
}

// hrow is one horizontally resized input row (all channels), kept while
// output rows still need it.
type hrow struct {
	y    int // input row, -1 when empty
	data []float32
}

// networkInputFast is NetworkInput's fast path; the arguments are checked.
func (s *Scratch) networkInputFast(dst []float32, img image.Image, w, h, c int, letterbox bool) {
	b := img.Bounds()
	inW, inH := b.Dx(), b.Dy()
	nw, nh, ox, oy := w, h, 0, 0
	if letterbox {
		nw, nh = LetterboxSize(inW, inH, w, h)
		nw, nh = max(nw, 1), max(nh, 1) // as letterboxInto
		ox, oy = (w-nw)/2, (h-nh)/2
	}
	same := inW == nw && inH == nh
	s.taps, s.cols = planCols(s.taps, s.cols, inW, nw, same)
	s.planPairs()
	s.rows = planRows(s.rows, inH, nh, same)
	s.src.init(img, c, s.cols)
	n := len(s.cols)
	s.gath = grow(s.gath, c*n)
	for i := range s.hrows {
		s.hrows[i].y = -1
		s.hrows[i].data = grow(s.hrows[i].data, c*nw)
	}

	defer s.src.release()

	// The part of the nw×nh image that lands inside dst (embed's clipping).
	c0, c1 := max(0, -ox), min(nw, w-ox)
	r0, r1 := max(0, -oy), min(nh, h-oy)
	if c0 >= c1 || r0 >= r1 {
		fill(dst, 0.5) // nothing visible (only for letterbox)
		return
	}
	if letterbox {
		// The gray border around [oy+r0, oy+r1) × [ox+c0, ox+c1).
		for k := 0; k < c; k++ {
			plane := dst[k*h*w : (k+1)*h*w]
			fill(plane[:(oy+r0)*w], 0.5)
			fill(plane[(oy+r1)*w:], 0.5)
			for y := oy + r0; y < oy+r1; y++ {
				fill(plane[y*w:y*w+ox+c0], 0.5)
				fill(plane[y*w+ox+c1:(y+1)*w], 0.5)
			}
		}
	}
	// Output rows in parts of at least minPartRows, one per goroutine
	// (SetParts); each part has its own gather buffers and row cache, the
	// plan is shared read-only. Every row is computed the same way
	// whatever the split.
	parts := max(1, min(s.parts, (r1-r0)/minPartRows))
	if parts == 1 {
		s.resizeRows(dst, w, h, c, nw, ox, oy, c0, c1, r0, r1)
		return
	}
	s.splitRows(dst, img, w, h, c, nw, ox, oy, c0, c1, r0, r1, parts)
}

// splitRows is resizeRows over parts goroutines (a function of its own:
// the goroutines' captures would put networkInputFast's arguments on the
// heap on every call, split or not).
func (s *Scratch) splitRows(dst []float32, img image.Image, w, h, c, nw, ox, oy, c0, c1, r0, r1, parts int) {
	for len(s.helpers) < parts-1 {
		s.helpers = append(s.helpers, new(Scratch))
	}
	var wg sync.WaitGroup
	for i := 1; i < parts; i++ {
		hs := s.helpers[i-1]
		hs.shareFrom(s, img, c, nw)
		p0, p1 := r0+(r1-r0)*i/parts, r0+(r1-r0)*(i+1)/parts
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer hs.src.release()
			hs.resizeRows(dst, w, h, c, nw, ox, oy, c0, c1, p0, p1)
		}()
	}
	s.resizeRows(dst, w, h, c, nw, ox, oy, c0, c1, r0, r0+(r1-r0)/parts)
	wg.Wait()
}

// minPartRows is the fewest output rows a part of a split input gets.
const minPartRows = 16

// shareFrom prepares hs to compute rows of the input s has planned for
// img: s's plan (read only), its own source state and buffers.
func (hs *Scratch) shareFrom(s *Scratch, img image.Image, c, nw int) {
	hs.taps, hs.cols, hs.rows = s.taps, s.cols, s.rows
	hs.pairs, hs.w0, hs.w1 = s.pairs, s.w0, s.w1
	hs.src.init(img, c, s.cols)
	hs.gath = grow(hs.gath, c*len(s.cols))
	for i := range hs.hrows {
		hs.hrows[i].y = -1
		hs.hrows[i].data = grow(hs.hrows[i].data, c*nw)
	}
}

// resizeRows computes output rows [r0, r1) of the nw-wide resized image
// into dst (placed at ox, oy, columns [c0, c1) visible).
func (s *Scratch) resizeRows(dst []float32, w, h, c, nw, ox, oy, c0, c1, r0, r1 int) {
	for r := r0; r < r1; r++ {
		t := s.rows[r]
		var a, bRow []float32
		if t.single {
			a = s.resizedRow(t.iy, -1)
		} else {
			bRow = s.resizedRow(t.iy+1, t.iy)
			a = s.resizedRow(t.iy, t.iy+1)
		}
		for k := 0; k < c; k++ {
			out := dst[(k*h+r+oy)*w+ox+c0 : (k*h+r+oy)*w+ox+c1]
			A := a[k*nw+c0 : k*nw+c1]
			if t.single {
				for i := range out {
					out[i] = t.w0 * A[i]
				}
				continue
			}
			kernels.BlendRows(out, A, bRow[k*nw+c0:k*nw+c1], t.w0, t.w1)
		}
	}
}

func fill(s []float32, v float32) {
	for i := range s {
		s[i] = v
	}
}

// resizedRow returns input row y resized horizontally (c planes of nw),
// computing it unless it is cached; the cached row keep is not evicted.
func (s *Scratch) resizedRow(y, keep int) []float32 {
	for i := range s.hrows {
		if s.hrows[i].y == y {
			return s.hrows[i].data
		}
	}
	// Replace the older row (rows are requested in ascending order) unless
	// it is the one to keep.
	slot, other := &s.hrows[0], &s.hrows[1]
	if other.y < slot.y {
		slot, other = other, slot
	}
	if slot.y == keep {
		slot = other
	}
	slot.y = y
	n := len(s.cols)
	g := s.gath
	s.src.gather(g, y, s.cols)
	nw := len(s.taps)
	p := s.pairs
	for k := 0; k < s.src.c; k++ {
		gk := g[k*n : (k+1)*n]
		out := slot.data[k*nw : (k+1)*nw]
		if p > 0 {
			kernels.ResizePairs(out[:p], gk, s.w0, s.w1)
		}
		taps := s.taps[p:len(out)]
		for i, t := range taps {
			out[p+i] = float32(t.w0*byteToFloat[gk[t.a0]]) + float32(t.w1*byteToFloat[gk[t.a1]])
		}
	}
	return slot.data
}

// planPairs finds the leading taps that read gathered samples 2i and 2i+1
// (kernels.ResizePairs computes them with the same operations: f(v) =
// float32(v)/255 equals byteToFloat[v] for every byte).
func (s *Scratch) planPairs() {
	p := 0
	for p < len(s.taps) && s.taps[p].a0 == int32(2*p) && s.taps[p].a1 == int32(2*p+1) {
		p++
	}
	s.pairs = p
	s.w0, s.w1 = grow(s.w0, p), grow(s.w1, p)
	for i, t := range s.taps[:p] {
		s.w0[i], s.w1[i] = t.w0, t.w1
	}
}

// unpremul is one channel of straightRGB(color.RGBA{..., A: a}) for a
// translucent pixel (0 < a < 255): color.NRGBA64Model's 16-bit division,
// high byte kept, without boxing the color in an interface (which would
// allocate per pixel).
func unpremul(v, a uint8) uint8 {
	a16 := uint32(a) * 0x101
	return uint8((uint32(v) * 0x101 * 0xffff / a16) >> 8)
}
