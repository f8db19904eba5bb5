package preprocess

import (
	"image"

	"github.com/darkgo/darkgo/kernels"
	"github.com/darkgo/darkgo/yuv"
)

// Video frames (*yuv.Image: limited or full range, BT.601/709/2020) are
// converted with yuv's Converter tables, chroma taken from the sample that
// covers the pixel, as yuv.Image.At does. The fast path converts only the
// pixels the resize reads (for 1920×1080 into 416×416: 832 columns of 468
// rows, a fifth of the frame), straight from the decoder's planes.

// initYUV prepares the chroma column of every gathered column.
func (s *source) initYUV(m *yuv.Image, cols []int32) {
	s.kind, s.yuv, s.conv = kindYUV, m, m.Converter()
	s.ccols = grow(s.ccols, len(cols))
	x0 := m.Rect.Min.X
	for j, x := range cols {
		// COffset's column term, relative to the row's first pixel.
		s.ccols[j] = int32(chromaCol(m, x0+int(x)) - chromaCol(m, x0))
	}
	s.ycols.Set(cols, s.ccols)
}

// chromaCol is the chroma plane column of image column x, as COffset
// computes it (truncating division, like image.YCbCr).
func chromaCol(m *yuv.Image, x int) int {
	if m.SubsampleRatio == image.YCbCrSubsampleRatio444 {
		return x
	}
	return x / 2
}

// gatherYUV converts the pixels (cols[j], y) of a yuv.Image.
func (s *source) gatherYUV(R, G, B []uint8, y int, cols []int32) {
	m := s.yuv
	yy := m.Rect.Min.Y + y
	yrow := m.Y[m.YOffset(m.Rect.Min.X, yy):]
	c0 := m.COffset(m.Rect.Min.X, yy)
	cb, cr := m.Cb[c0:], m.Cr[c0:]
	s.conv.Gather(R, G, B, yrow, cb, cr, &s.ycols)
	// A video frame has just been copied out of a pipe and is not in
	// cache: bring in the row after next (the resize reads rows in
	// ascending order, mostly one after the other) while this one is
	// being resized.
	if ny := yy + 2; ny < m.Rect.Max.Y {
		w := m.Rect.Dx()
		kernels.PrefetchBytes(m.Y[m.YOffset(m.Rect.Min.X, ny):][:w])
		if (ny-m.Rect.Min.Y)%2 == 0 || m.SubsampleRatio != image.YCbCrSubsampleRatio420 {
			c := m.COffset(m.Rect.Min.X, ny)
			cw := chromaCol(m, m.Rect.Max.X-1) - chromaCol(m, m.Rect.Min.X) + 1
			kernels.PrefetchBytes(m.Cb[c:][:cw])
			kernels.PrefetchBytes(m.Cr[c:][:cw])
		}
	}
}

// yuvToRGB8 is toRGB8 for a yuv.Image: the same conversion for every
// pixel.
func yuvToRGB8(m *yuv.Image, pix []uint8) {
	b := m.Rect
	w := b.Dx()
	cv := m.Converter()
	i := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		yrow := m.Y[m.YOffset(b.Min.X, y):]
		c0 := m.COffset(b.Min.X, y)
		cb, cr := m.Cb[c0:], m.Cr[c0:]
		cx0 := chromaCol(m, b.Min.X)
		for x := 0; x < w; x++ {
			k := chromaCol(m, b.Min.X+x) - cx0
			pix[i], pix[i+1], pix[i+2] = cv.RGB(yrow[x], cb[k], cr[k])
			i += 3
		}
	}
}
