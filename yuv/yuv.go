// Package yuv holds Y'CbCr images as video carries them: planar 4:2:0,
// 4:2:2 or 4:4:4 samples in limited ("TV", Y' 16–235) or full ("PC")
// range, with the BT.601, BT.709 or BT.2020 matrix.
//
// Go's image.YCbCr is the JPEG (JFIF) flavour only: full range, BT.601.
// Most video is limited range, and HD video is usually BT.709, so reading
// a video frame as an image.YCbCr shifts every colour. An Image keeps the
// decoder's planes as they are (no conversion, a third of the bytes of
// RGBA for 4:2:0) and converts to RGB only where a pixel is read: At for
// any image consumer, RGB for code that reads many pixels, ToRGBA for a
// whole frame.
//
// Chroma is not interpolated: a pixel takes the chroma sample that covers
// it, as image.YCbCr.At does and as ffmpeg's unscaled YUV→RGB converter
// does.
package yuv

import (
	"fmt"
	"image"
	"image/color"
)

// Matrix is the colour matrix that mixes R'G'B' into Y'CbCr.
type Matrix int

const (
	BT601  Matrix = iota // SD video, JPEG; also untagged video, as ffmpeg's and OpenCV's converters assume
	BT709                // HD video
	BT2020               // BT.2020 non-constant luminance (UHD)
)

func (m Matrix) String() string {
	switch m {
	case BT601:
		return "bt601"
	case BT709:
		return "bt709"
	case BT2020:
		return "bt2020nc"
	}
	return fmt.Sprintf("Matrix(%d)", int(m))
}

// kr and kb are the matrix's luma weights of red and blue.
func (m Matrix) kr() float64 {
	switch m {
	case BT709:
		return 0.2126
	case BT2020:
		return 0.2627
	}
	return 0.299
}

func (m Matrix) kb() float64 {
	switch m {
	case BT709:
		return 0.0722
	case BT2020:
		return 0.0593
	}
	return 0.114
}

// Image is a planar Y'CbCr image. The embedded image.YCbCr holds the
// planes and geometry (Y, Cb, Cr, YStride, CStride, SubsampleRatio, Rect,
// YOffset, COffset, YCbCrAt for the raw samples); At, RGBA64At, ColorModel
// and SubImage are this type's own and honour FullRange and Matrix. Only
// the 4:4:4, 4:2:2 and 4:2:0 subsample ratios are supported.
type Image struct {
	image.YCbCr
	FullRange bool
	Matrix    Matrix
	buf       []byte // the planes, contiguous as ffmpeg's raw video (NewImage only)
}

// NewImage allocates a w×h image (origin 0, 0) whose three planes are one
// contiguous buffer in the order and size of ffmpeg's raw planar video
// (yuv420p and friends): Y, then Cb, then Cr, each row unpadded, chroma
// dimensions rounded up.
func NewImage(w, h int, ratio image.YCbCrSubsampleRatio, fullRange bool, m Matrix) *Image {
	cw, ch := ChromaSize(w, h, ratio)
	ny, nc := w*h, cw*ch
	buf := make([]byte, ny+2*nc)
	return &Image{
		YCbCr: image.YCbCr{
			Y: buf[:ny:ny], Cb: buf[ny : ny+nc : ny+nc], Cr: buf[ny+nc : ny+2*nc : ny+2*nc],
			YStride: w, CStride: cw, SubsampleRatio: ratio, Rect: image.Rect(0, 0, w, h),
		},
		FullRange: fullRange, Matrix: m, buf: buf,
	}
}

// ChromaSize is the size of a chroma plane of a w×h image.
func ChromaSize(w, h int, ratio image.YCbCrSubsampleRatio) (cw, ch int) {
	switch ratio {
	case image.YCbCrSubsampleRatio422:
		return (w + 1) / 2, h
	case image.YCbCrSubsampleRatio420:
		return (w + 1) / 2, (h + 1) / 2
	}
	return w, h
}

// Supported reports whether the subsample ratio is one Image handles.
func Supported(ratio image.YCbCrSubsampleRatio) bool {
	switch ratio {
	case image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420:
		return true
	}
	return false
}

// Buffer is the contiguous Y, Cb, Cr buffer of an image made by NewImage
// (what ffmpeg reads and writes as raw video), or nil for any other image
// (a SubImage, or one assembled by hand).
func (p *Image) Buffer() []byte { return p.buf }

// Converter returns the image's conversion to RGB.
func (p *Image) Converter() *Converter { return ConverterFor(p.FullRange, p.Matrix) }

// ColorModel is color.RGBAModel: At gives the pixels as RGB.
func (p *Image) ColorModel() color.Model { return color.RGBAModel }

// At is the pixel's colour as opaque RGB.
func (p *Image) At(x, y int) color.Color {
	if !(image.Point{x, y}.In(p.Rect)) {
		return color.RGBA{}
	}
	r, g, b := p.RGB(x, y)
	return color.RGBA{r, g, b, 0xff}
}

// RGBA64At is At as a color.RGBA64.
func (p *Image) RGBA64At(x, y int) color.RGBA64 {
	if !(image.Point{x, y}.In(p.Rect)) {
		return color.RGBA64{}
	}
	r, g, b := p.RGB(x, y)
	return color.RGBA64{uint16(r) * 0x101, uint16(g) * 0x101, uint16(b) * 0x101, 0xffff}
}

// RGB is the 8-bit RGB of pixel (x, y), which must lie in Rect.
func (p *Image) RGB(x, y int) (r, g, b uint8) {
	c := p.COffset(x, y)
	return p.Converter().RGB(p.Y[p.YOffset(x, y)], p.Cb[c], p.Cr[c])
}

// SubImage is the part of p inside r, sharing p's planes.
func (p *Image) SubImage(r image.Rectangle) image.Image {
	sub := p.YCbCr.SubImage(r).(*image.YCbCr) // always an *image.YCbCr
	return &Image{YCbCr: *sub, FullRange: p.FullRange, Matrix: p.Matrix}
}

// Set paints pixel (x, y) with c: its luma, and the chroma sample that
// covers it (so with 4:2:0 a one-pixel line tints its 2×2 block's colour,
// as any subsampled drawing does). It makes *Image a draw.Image.
func (p *Image) Set(x, y int, c color.Color) {
	if !(image.Point{x, y}.In(p.Rect)) {
		return
	}
	r, g, b, _ := c.RGBA()
	yy, cb, cr := p.Converter().YCbCr(uint8(r>>8), uint8(g>>8), uint8(b>>8))
	p.Y[p.YOffset(x, y)] = yy
	o := p.COffset(x, y)
	p.Cb[o], p.Cr[o] = cb, cr
}

// ToRGBA converts the image into dst, which must have p's size; it
// returns dst, or a new image when dst is nil.
func (p *Image) ToRGBA(dst *image.RGBA) *image.RGBA {
	b := p.Rect
	if dst == nil {
		dst = image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	}
	if dst.Rect.Dx() != b.Dx() || dst.Rect.Dy() != b.Dy() {
		panic(fmt.Sprintf("yuv: ToRGBA into %v from %v", dst.Rect.Size(), b.Size()))
	}
	cv := p.Converter()
	if b.Min.X < 0 || b.Min.Y < 0 { // COffset's truncating division: per pixel
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bb := p.RGB(x, y)
				i := (y-b.Min.Y)*dst.Stride + 4*(x-b.Min.X)
				dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2], dst.Pix[i+3] = r, g, bb, 0xff
			}
		}
		return dst
	}
	hs := 0
	if p.SubsampleRatio != image.YCbCrSubsampleRatio444 {
		hs = 1
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		yrow := p.Y[p.YOffset(b.Min.X, y):]
		c0 := p.COffset(b.Min.X, y)
		cb, cr := p.Cb[c0:], p.Cr[c0:]
		out := dst.Pix[(y-b.Min.Y)*dst.Stride:]
		cx0 := b.Min.X >> hs
		for i := 0; i < b.Dx(); i++ {
			k := (b.Min.X+i)>>hs - cx0
			r, g, bb := cv.RGB(yrow[i], cb[k], cr[k])
			q := out[4*i : 4*i+4 : 4*i+4]
			q[0], q[1], q[2], q[3] = r, g, bb, 0xff
		}
	}
	return dst
}

// Fill paints every pixel of r (clipped to the image) with c exactly as
// Set would one by one, but a row at a time: the luma of r, and each
// chroma sample that covers a pixel of r. It is how boxes are drawn on a
// video frame in place.
func (p *Image) Fill(r image.Rectangle, c color.Color) {
	r = r.Intersect(p.Rect)
	if r.Empty() {
		return
	}
	cr, cg, cb, _ := c.RGBA()
	yy, u, v := p.Converter().YCbCr(uint8(cr>>8), uint8(cg>>8), uint8(cb>>8))
	for y := r.Min.Y; y < r.Max.Y; y++ {
		o := p.YOffset(r.Min.X, y)
		fill(p.Y[o:o+r.Dx()], yy)
		c0, c1 := p.COffset(r.Min.X, y), p.COffset(r.Max.X-1, y)+1
		fill(p.Cb[c0:c1], u)
		fill(p.Cr[c0:c1], v)
	}
}

func fill(s []byte, v byte) {
	for i := range s {
		s[i] = v
	}
}

// JFIF is the image as an image.YCbCr when the samples mean the same
// colours there: full range BT.601 is JPEG's definition (MJPEG cameras,
// yuvj* video), so such a frame can be JPEG-encoded without a
// conversion. It is nil otherwise.
func (p *Image) JFIF() *image.YCbCr {
	if !p.FullRange || p.Matrix != BT601 {
		return nil
	}
	return &p.YCbCr
}

// CopyTo copies p into dst when dst has p's size and subsampling (its
// planes reused, range and matrix set to p's), else into a new image made
// by NewImage; it returns the copy, whose bounds start at 0,0.
func (p *Image) CopyTo(dst *Image) *Image {
	w, h := p.Rect.Dx(), p.Rect.Dy()
	if dst == nil || dst.Rect != image.Rect(0, 0, w, h) || dst.SubsampleRatio != p.SubsampleRatio {
		dst = NewImage(w, h, p.SubsampleRatio, p.FullRange, p.Matrix)
	}
	dst.FullRange, dst.Matrix = p.FullRange, p.Matrix
	if p.Rect.Min != (image.Point{}) {
		// A sub-image: its chroma grid may not start at its corner.
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				sx, sy := p.Rect.Min.X+x, p.Rect.Min.Y+y
				so, o := p.COffset(sx, sy), dst.COffset(x, y)
				dst.Y[dst.YOffset(x, y)] = p.Y[p.YOffset(sx, sy)]
				dst.Cb[o], dst.Cr[o] = p.Cb[so], p.Cr[so]
			}
		}
		return dst
	}
	cw, ch := ChromaSize(w, h, p.SubsampleRatio)
	for y := 0; y < h; y++ {
		copy(dst.Y[y*dst.YStride:y*dst.YStride+w], p.Y[y*p.YStride:y*p.YStride+w])
	}
	for y := 0; y < ch; y++ {
		copy(dst.Cb[y*dst.CStride:y*dst.CStride+cw], p.Cb[y*p.CStride:y*p.CStride+cw])
		copy(dst.Cr[y*dst.CStride:y*dst.CStride+cw], p.Cr[y*p.CStride:y*p.CStride+cw])
	}
	return dst
}

// ForJPEG is img as image/jpeg encodes it fast and with the right
// colours: an Image's own planes when JFIF, another Image converted to
// RGBA in rgba (reused when it has the image's size, else replaced), any
// other image as it is. It returns the image to encode and the RGBA
// buffer to pass next time.
func ForJPEG(img image.Image, rgba *image.RGBA) (image.Image, *image.RGBA) {
	p, ok := img.(*Image)
	if !ok {
		return img, rgba
	}
	if j := p.JFIF(); j != nil {
		return j, rgba
	}
	if b := p.Rect; rgba == nil || rgba.Rect != image.Rect(0, 0, b.Dx(), b.Dy()) {
		rgba = image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	}
	return p.ToRGBA(rgba), rgba
}
