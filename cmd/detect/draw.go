package main

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/darkgo/darkgo/engine/detect"
	"github.com/darkgo/darkgo/yuv"
)

// classColor gives each class its own saturated colour, spread over the
// hue circle like Darknet's get_color (a class offset by 123457 modulo
// the class count, so neighbouring ids get distant hues).
func classColor(class, classes int) color.RGBA {
	if classes < 1 {
		classes = 1
	}
	h := float64(class*123457%classes) / float64(classes) // 0..1
	return hsv(h, 0.85, 0.95)
}

func hsv(h, s, v float64) color.RGBA {
	h6 := h * 6
	i := int(h6) % 6
	f := h6 - float64(int(h6))
	p, q, t := v*(1-s), v*(1-s*f), v*(1-s*(1-f))
	var r, g, b float64
	switch i {
	case 0:
		r, g, b = v, t, p
	case 1:
		r, g, b = q, v, p
	case 2:
		r, g, b = p, v, t
	case 3:
		r, g, b = p, q, v
	case 4:
		r, g, b = t, p, v
	default:
		r, g, b = v, p, q
	}
	return color.RGBA{uint8(r*255 + 0.5), uint8(g*255 + 0.5), uint8(b*255 + 0.5), 255}
}

// textColor is black or white, whichever contrasts more with bg
// (relative luminance, ITU-R BT.709 weights).
func textColor(bg color.RGBA) color.RGBA {
	l := 0.2126*float64(bg.R) + 0.7152*float64(bg.G) + 0.0722*float64(bg.B)
	if l > 140 {
		return color.RGBA{0, 0, 0, 255}
	}
	return color.RGBA{255, 255, 255, 255}
}

// annotate draws the reported detections on a copy of img: a box in the
// class colour, framed by a thin dark line so it shows on light and dark
// backgrounds alike, and a filled label "name NN%" with contrasting text
// above the box (inside it when there is no room above). The label scales
// with the image so that it stays readable on large photos.
func annotate(img image.Image, dets []detect.Detection, thresh float32, m *model) *image.RGBA {
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Src)
	drawBoxes(dst, detect.Reported(dets, thresh, m.names), nil, m)
	return dst
}

// drawBoxes draws the reported detections on dst (whose bounds start at
// 0,0) in place, as annotate describes; ids, when not nil, are the
// detections' track ids, shown as "#id" after the confidence (0: none).
// An *image.RGBA (images) and a *yuv.Image (video frames as decoded) are
// drawn on directly, a row at a time; any other draw.Image through Set.
func drawBoxes(dst draw.Image, rep []detect.Labeled, ids []int, m *model) {
	b := dst.Bounds()
	short := min(b.Dx(), b.Dy())
	line := max(2, short/250)
	scale := max(1, (short+350)/700)
	classes := max(m.classes, 1)
	for i, r := range rep {
		pb := r.Box.Pixels(b.Dx(), b.Dy())
		rect := image.Rect(pb.Left, pb.Top, pb.Right+1, pb.Bottom+1).Intersect(dst.Bounds())
		if rect.Empty() {
			continue
		}
		col := classColor(r.Class, classes)
		// The dark frame lines first, the colour band between them last:
		// they do not overlap, but on a video frame with subsampled
		// chroma they share chroma samples, which must keep the colour.
		outline(dst, rect.Inset(-1), 1, color.RGBA{0, 0, 0, 255})
		outline(dst, rect.Inset(line), 1, color.RGBA{0, 0, 0, 255})
		outline(dst, rect, line, col)
		label := fmt.Sprintf("%s %.0f%%", m.className(r.Class), r.Prob*100)
		if ids != nil && ids[i] > 0 {
			label += fmt.Sprintf(" #%d", ids[i])
		}
		drawLabel(dst, rect, label, col, scale)
	}
}

// outline draws a rectangle's border, width pixels wide, inside r.
func outline(dst draw.Image, r image.Rectangle, width int, c color.RGBA) {
	if r.Empty() {
		return
	}
	width = min(width, r.Dx(), r.Dy())
	for _, s := range []image.Rectangle{
		image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+width),
		image.Rect(r.Min.X, r.Max.Y-width, r.Max.X, r.Max.Y),
		image.Rect(r.Min.X, r.Min.Y, r.Min.X+width, r.Max.Y),
		image.Rect(r.Max.X-width, r.Min.Y, r.Max.X, r.Max.Y),
	} {
		fillRect(dst, s, c)
	}
}

// fillRect paints r (clipped to dst) with c: on the planes of a video
// frame directly (luma, and the chroma samples covering r), on an RGBA
// image through draw's own fill.
func fillRect(dst draw.Image, r image.Rectangle, c color.RGBA) {
	if p, ok := dst.(*yuv.Image); ok {
		p.Fill(r, c)
		return
	}
	draw.Draw(dst, r.Intersect(dst.Bounds()), image.NewUniform(c), image.Point{}, draw.Src)
}

// drawLabel draws text in basicfont's 7×13 face, scaled up by an integer
// factor, on a filled box of colour bg at the top-left corner of box.
func drawLabel(dst draw.Image, box image.Rectangle, text string, bg color.RGBA, scale int) {
	face := basicfont.Face7x13
	d := font.Drawer{Face: face}
	adv := d.MeasureString(text).Ceil()
	pad := 2
	w, h := adv+2*pad, face.Height+pad
	// Render the glyphs once at 1× into a mask.
	mask := image.NewAlpha(image.Rect(0, 0, w, h))
	d = font.Drawer{Dst: mask, Src: image.Opaque, Face: face, Dot: fixed.P(pad, face.Ascent+pad/2)}
	d.DrawString(text)

	lw, lh := w*scale, h*scale
	x, y := box.Min.X, box.Min.Y-lh
	if y < 0 {
		y = box.Min.Y // no room above: inside the box
	}
	x = min(x, dst.Bounds().Max.X-lw)
	x = max(x, 0)
	lr := image.Rect(x, y, x+lw, y+lh).Intersect(dst.Bounds())
	fillRect(dst, lr, bg)
	fg := textColor(bg)
	alpha := func(px, py int) uint8 { return mask.AlphaAt((px-x)/scale, (py-y)/scale).A }
	switch d := dst.(type) {
	case *image.RGBA:
		for py := lr.Min.Y; py < lr.Max.Y; py++ {
			for px := lr.Min.X; px < lr.Max.X; px++ {
				a := alpha(px, py)
				if a == 0 {
					continue
				}
				o := d.PixOffset(px, py)
				p := d.Pix[o : o+4 : o+4]
				p[0] = blend(p[0], fg.R, a)
				p[1] = blend(p[1], fg.G, a)
				p[2] = blend(p[2], fg.B, a)
			}
		}
	case *yuv.Image:
		blendTextYUV(d, lr, alpha, fg)
	default:
		for py := lr.Min.Y; py < lr.Max.Y; py++ {
			for px := lr.Min.X; px < lr.Max.X; px++ {
				if a := alpha(px, py); a != 0 {
					r, g, b, _ := dst.At(px, py).RGBA()
					dst.Set(px, py, color.RGBA{blend(uint8(r>>8), fg.R, a), blend(uint8(g>>8), fg.G, a), blend(uint8(b>>8), fg.B, a), 255})
				}
			}
		}
	}
}

// blendTextYUV blends the text colour fg into a video frame's label area
// lr with coverage alpha, in Y'CbCr directly: Y'CbCr is an affine
// function of R'G'B', so blending the samples is blending the colours
// (up to rounding and clamping), with no conversion per pixel. Luma is
// blended per pixel, keeping the glyphs' full resolution and the
// black-or-white contrast textColor chose; each chroma sample, shared by
// up to 2×2 pixels, by its pixels' mean coverage, so that text pixels
// lose the label's tint as far as subsampling allows.
func blendTextYUV(p *yuv.Image, lr image.Rectangle, alpha func(x, y int) uint8, fg color.RGBA) {
	fy, fcb, fcr := p.Converter().YCbCr(fg.R, fg.G, fg.B)
	for py := lr.Min.Y; py < lr.Max.Y; py++ {
		for px := lr.Min.X; px < lr.Max.X; px++ {
			if a := alpha(px, py); a != 0 {
				o := p.YOffset(px, py)
				p.Y[o] = blend(p.Y[o], fy, a)
			}
		}
	}
	hs, vs := 0, 0 // chroma sample = pixel >> (hs, vs)
	switch p.SubsampleRatio {
	case image.YCbCrSubsampleRatio422:
		hs = 1
	case image.YCbCrSubsampleRatio420:
		hs, vs = 1, 1
	}
	for cy := lr.Min.Y >> vs; cy <= (lr.Max.Y-1)>>vs; cy++ {
		for cx := lr.Min.X >> hs; cx <= (lr.Max.X-1)>>hs; cx++ {
			cover := image.Rect(cx<<hs, cy<<vs, (cx+1)<<hs, (cy+1)<<vs).Intersect(lr)
			sum := 0
			for py := cover.Min.Y; py < cover.Max.Y; py++ {
				for px := cover.Min.X; px < cover.Max.X; px++ {
					sum += int(alpha(px, py))
				}
			}
			if sum == 0 {
				continue
			}
			// Coverage of the whole sample: pixels outside lr count as 0.
			a := uint8((sum + (1<<(hs+vs))/2) >> (hs + vs))
			o := p.COffset(cover.Min.X, cover.Min.Y)
			p.Cb[o] = blend(p.Cb[o], fcb, a)
			p.Cr[o] = blend(p.Cr[o], fcr, a)
		}
	}
}

func blend(under, over, a uint8) uint8 {
	return uint8((int(under)*(255-int(a)) + int(over)*int(a) + 127) / 255)
}

// annotatedName is the file an input's annotated image is written to in
// dir: same base name; JPEG and PNG inputs keep their format, the others
// become PNG.
func annotatedName(dir, path string) string {
	base := filepath.Base(path)
	ext := strings.ToLower(filepath.Ext(base))
	if ext != ".jpg" && ext != ".jpeg" && ext != ".png" {
		base = strings.TrimSuffix(base, filepath.Ext(base)) + ".png"
	}
	return filepath.Join(dir, base)
}

// writeImage encodes img by the extension of path (JPEG quality 92, else
// PNG) through a temporary file renamed into place, so that an interrupted
// run never leaves a truncated image.
func writeImage(path string, img image.Image) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".detect-*.tmp")
	if err != nil {
		return err
	}
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".jpg" || ext == ".jpeg" {
		err = jpeg.Encode(tmp, img, &jpeg.Options{Quality: 92})
	} else {
		err = png.Encode(tmp, img)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// CreateTemp makes the file private (0600); an output image is an
		// ordinary file, readable like anything else the user writes.
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
