package preprocess

import (
	"fmt"
	"image"
	"image/color"

	"github.com/darkgo/darkgo/yuv"
)

// Image is a planar float32 image laid out like Darknet's image struct:
// channel-major (CHW), value (c, y, x) at Data[c*H*W + y*W + x].
type Image struct {
	C, H, W int
	Data    []float32
}

// NewImage returns a zeroed C×H×W image. It panics if a dimension is
// negative, like make does for a negative length.
func NewImage(c, h, w int) *Image {
	if c < 0 || h < 0 || w < 0 {
		panic("preprocess: negative image dimension")
	}
	return &Image{C: c, H: h, W: w, Data: make([]float32, c*h*w)}
}

// byteToFloat[v] is Darknet's (float)v/255. for an 8-bit sample v: the
// division is done in double and rounded once to float32.
var byteToFloat [256]float32

func init() {
	for i := range byteToFloat {
		byteToFloat[i] = float32(float64(i) / 255)
	}
}

// rgb8 is an interleaved 8-bit raster, the form stb_image hands to
// Darknet's load_image_stb before it is converted to floats.
type rgb8 struct {
	w, h int
	pix  []uint8 // len 3*w*h, row-major, R G B per pixel (toGray8: 1 byte)
}

// FromImage converts img to a 3-channel float image with values v/255,
// exactly as Darknet's load_image_color does with the 8-bit RGB samples
// stb_image produces:
//
//   - alpha is dropped without premultiplying (stb_image with 3 requested
//     channels ignores it), so transparent pixels keep their stored color;
//   - 16-bit samples are reduced to their high byte;
//   - gray is replicated to R, G and B;
//   - *image.YCbCr (JPEG) is upsampled and converted with stb_image's
//     "fancy" triangle filter and fixed-point formula, not Go's
//     nearest-neighbour chroma (see jpegycc.go).
//
// The result does not depend on img's Bounds().Min.
func FromImage(img image.Image) *Image {
	var r rgb8
	var out Image
	toFloat(img, 3, &r, &out)
	return &out
}

// toFloat converts img to a c-channel (1 or 3) float image in out, reusing
// the buffers of r and out.
func toFloat(img image.Image, c int, r *rgb8, out *Image) {
	if c == 1 {
		toGray8(img, r)
	} else {
		toRGB8(img, r)
	}
	n := r.w * r.h
	out.C, out.H, out.W = c, r.h, r.w
	if cap(out.Data) < c*n {
		out.Data = make([]float32, c*n)
	}
	out.Data = out.Data[:c*n]
	if c == 1 {
		for i, v := range r.pix[:n] {
			out.Data[i] = byteToFloat[v]
		}
		return
	}
	R, G, B := out.Data[:n], out.Data[n:2*n], out.Data[2*n:3*n]
	for i := 0; i < n; i++ {
		p := r.pix[3*i : 3*i+3 : 3*i+3]
		R[i] = byteToFloat[p[0]]
		G[i] = byteToFloat[p[1]]
		B[i] = byteToFloat[p[2]]
	}
}

// toGray8 converts img to one 8-bit channel the way stb_image does when
// Darknet asks for 1 channel ([net] channels=1): JPEG keeps only its Y
// plane, gray images are copied, color is reduced with stb_image's
// (77*R + 150*G + 29*B) >> 8.
func toGray8(img image.Image, dst *rgb8) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	var ym *image.YCbCr
	switch m := img.(type) {
	case *image.YCbCr:
		ym = m
	case *image.NYCbCrA:
		ym = &m.YCbCr
	case *image.Gray:
		ym = &image.YCbCr{Y: m.Pix[(b.Min.Y-m.Rect.Min.Y)*m.Stride+b.Min.X-m.Rect.Min.X:], YStride: m.Stride}
	}
	if ym != nil {
		dst.w, dst.h = w, h
		if cap(dst.pix) < w*h {
			dst.pix = make([]uint8, w*h)
		}
		dst.pix = dst.pix[:w*h]
		for y := 0; y < h; y++ {
			copy(dst.pix[y*w:(y+1)*w], ym.Y[y*ym.YStride:])
		}
		return
	}
	toRGB8(img, dst)
	for i := 0; i < w*h; i++ {
		p := dst.pix[3*i : 3*i+3 : 3*i+3]
		dst.pix[i] = uint8((77*int(p[0]) + 150*int(p[1]) + 29*int(p[2])) >> 8)
	}
	dst.pix = dst.pix[:w*h]
}

// toRGB8 converts img into dst, reusing dst.pix when it is large enough.
func toRGB8(img image.Image, dst *rgb8) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	dst.w, dst.h = w, h
	n := 3 * w * h
	if cap(dst.pix) < n {
		dst.pix = make([]uint8, n)
	}
	dst.pix = dst.pix[:n]
	pix := dst.pix
	switch m := img.(type) {
	case *yuv.Image:
		yuvToRGB8(m, pix)
	case *image.YCbCr:
		ycbcrToRGB8(m, pix)
	case *image.NYCbCrA:
		ycbcrToRGB8(&m.YCbCr, pix)
	case *image.RGBA:
		// Premultiplied: translucent pixels are turned back into the
		// straight color a file would have stored (what stb_image returns).
		for y := 0; y < h; y++ {
			row := m.Pix[(y+b.Min.Y-m.Rect.Min.Y)*m.Stride+4*(b.Min.X-m.Rect.Min.X):]
			out := pix[3*w*y : 3*w*(y+1)]
			for x := 0; x < w; x++ {
				p := row[4*x : 4*x+4 : 4*x+4]
				if a := p[3]; a == 0xff || a == 0 {
					out[3*x], out[3*x+1], out[3*x+2] = p[0], p[1], p[2]
				} else {
					c := straightRGB(color.RGBA{p[0], p[1], p[2], a})
					out[3*x], out[3*x+1], out[3*x+2] = c[0], c[1], c[2]
				}
			}
		}
	case *image.NRGBA:
		copy4(pix, m.Pix, m.Stride, 4*(b.Min.X-m.Rect.Min.X), b.Min.Y-m.Rect.Min.Y, w, h, 4)
	case *image.RGBA64:
		// High byte of each big-endian 16-bit sample: stbi__convert_16_to_8.
		copy4(pix, m.Pix, m.Stride, 8*(b.Min.X-m.Rect.Min.X), b.Min.Y-m.Rect.Min.Y, w, h, 8)
	case *image.NRGBA64:
		copy4(pix, m.Pix, m.Stride, 8*(b.Min.X-m.Rect.Min.X), b.Min.Y-m.Rect.Min.Y, w, h, 8)
	case *image.Gray:
		for y := 0; y < h; y++ {
			row := m.Pix[(y+b.Min.Y-m.Rect.Min.Y)*m.Stride+b.Min.X-m.Rect.Min.X:]
			out := pix[3*w*y : 3*w*(y+1)]
			for x := 0; x < w; x++ {
				v := row[x]
				out[3*x], out[3*x+1], out[3*x+2] = v, v, v
			}
		}
	case *image.Gray16:
		for y := 0; y < h; y++ {
			row := m.Pix[(y+b.Min.Y-m.Rect.Min.Y)*m.Stride+2*(b.Min.X-m.Rect.Min.X):]
			out := pix[3*w*y : 3*w*(y+1)]
			for x := 0; x < w; x++ {
				v := row[2*x]
				out[3*x], out[3*x+1], out[3*x+2] = v, v, v
			}
		}
	case *image.Paletted:
		// stb_image expands the palette to RGBA and then drops alpha, so the
		// stored (non-premultiplied) palette color is what Darknet sees.
		var lut [256][3]uint8
		for i, c := range m.Palette {
			if i == 256 {
				break
			}
			lut[i] = straightRGB(c)
		}
		for y := 0; y < h; y++ {
			row := m.Pix[(y+b.Min.Y-m.Rect.Min.Y)*m.Stride+b.Min.X-m.Rect.Min.X:]
			out := pix[3*w*y : 3*w*(y+1)]
			for x := 0; x < w; x++ {
				c := lut[row[x]]
				out[3*x], out[3*x+1], out[3*x+2] = c[0], c[1], c[2]
			}
		}
	default:
		i := 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := straightRGB(img.At(x, y))
				pix[i], pix[i+1], pix[i+2] = c[0], c[1], c[2]
				i += 3
			}
		}
	}
}

// copy4 copies the first three bytes of every pixel (4 or 8 bytes wide) of
// a w×h window starting at byte column x0 and row y0 of src.
func copy4(dst, src []uint8, stride, x0, y0, w, h, bpp int) {
	hi := bpp / 4 // byte step between channels: 1 for 8-bit, 2 for 16-bit
	for y := 0; y < h; y++ {
		row := src[(y0+y)*stride+x0:]
		out := dst[3*w*y : 3*w*(y+1)]
		for x := 0; x < w; x++ {
			p := row[x*bpp:]
			out[3*x], out[3*x+1], out[3*x+2] = p[0], p[hi], p[2*hi]
		}
	}
}

// straightRGB returns the 8-bit non-premultiplied color of c, the way
// stb_image stores pixels before Darknet drops the alpha channel.
func straightRGB(c color.Color) [3]uint8 {
	switch v := c.(type) {
	case color.NRGBA:
		return [3]uint8{v.R, v.G, v.B}
	case color.RGBA:
		if v.A == 0xff || v.A == 0 {
			return [3]uint8{v.R, v.G, v.B}
		}
		// color.NRGBA64Model's conversion without boxing the result.
		return [3]uint8{unpremul(v.R, v.A), unpremul(v.G, v.A), unpremul(v.B, v.A)}
	case color.Gray:
		return [3]uint8{v.Y, v.Y, v.Y}
	case color.YCbCr:
		r, g, b := color.YCbCrToRGB(v.Y, v.Cb, v.Cr)
		return [3]uint8{r, g, b}
	}
	n := color.NRGBA64Model.Convert(c).(color.NRGBA64)
	return [3]uint8{uint8(n.R >> 8), uint8(n.G >> 8), uint8(n.B >> 8)}
}

// checkDims rejects sizes the float pipeline cannot hold.
func checkDims(w, h int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("preprocess: invalid size %dx%d", w, h)
	}
	return nil
}
