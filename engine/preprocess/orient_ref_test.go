package preprocess

import (
	"bytes"
	"image"
	"image/draw"
	"math/rand"
	"testing"
)

// orientRef is the first implementation of Orient (one conversion with
// toRGB8, then a per-pixel permutation), kept as the reference Orient is
// tested against.
func orientRef(img image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	ow, oh := w, h
	if o >= 5 {
		ow, oh = h, w
	}
	// src maps an output pixel to the stored pixel it shows.
	src := func(x, y int) (int, int) {
		switch o {
		case 2:
			return w - 1 - x, y
		case 3:
			return w - 1 - x, h - 1 - y
		case 4:
			return x, h - 1 - y
		case 5:
			return y, x
		case 6:
			return y, h - 1 - x
		case 7:
			return w - 1 - y, h - 1 - x
		default: // 8
			return w - 1 - y, x
		}
	}
	if g, ok := img.(*image.Gray); ok {
		out := image.NewGray(image.Rect(0, 0, ow, oh))
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				sx, sy := src(x, y)
				out.Pix[y*out.Stride+x] = g.Pix[(sy+b.Min.Y-g.Rect.Min.Y)*g.Stride+sx+b.Min.X-g.Rect.Min.X]
			}
		}
		return out
	}
	var r rgb8
	switch img.(type) {
	case *image.YCbCr, *image.NYCbCrA, *image.RGBA, *image.NRGBA, *image.Paletted,
		*image.RGBA64, *image.NRGBA64, *image.Gray16:
		toRGB8(img, &r)
	default:
		// Keep other color models (e.g. CMYK) exact by drawing first.
		m := image.NewNRGBA(image.Rect(0, 0, w, h))
		draw.Draw(m, m.Rect, img, b.Min, draw.Src)
		toRGB8(m, &r)
	}
	out := image.NewRGBA(image.Rect(0, 0, ow, oh))
	for y := 0; y < oh; y++ {
		for x := 0; x < ow; x++ {
			sx, sy := src(x, y)
			s := r.pix[3*(sy*w+sx):]
			d := out.Pix[y*out.Stride+4*x:]
			d[0], d[1], d[2], d[3] = s[0], s[1], s[2], 0xff
		}
	}
	return out
}

// TestOrientMatchesReference: Orient gives exactly orientRef's image (type,
// bounds, every byte) for every image type, sub-images and odd sizes.
func TestOrientMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	for _, sz := range [][2]int{{1, 1}, {1, 5}, {5, 1}, {2, 3}, {17, 33}, {40, 21}} {
		for _, im := range testImages(rng, sz[0], sz[1]) {
			for o := 0; o <= 9; o++ {
				got, want := Orient(im.img, o), orientRef(im.img, o)
				if got.Bounds() != want.Bounds() {
					t.Fatalf("%s %v o=%d: bounds %v, reference %v", im.name, sz, o, got.Bounds(), want.Bounds())
				}
				var gp, wp []uint8
				switch w := want.(type) {
				case *image.RGBA:
					g, ok := got.(*image.RGBA)
					if !ok {
						t.Fatalf("%s o=%d: %T, reference %T", im.name, o, got, want)
					}
					gp, wp = g.Pix, w.Pix
				case *image.Gray:
					g, ok := got.(*image.Gray)
					if !ok {
						t.Fatalf("%s o=%d: %T, reference %T", im.name, o, got, want)
					}
					gp, wp = g.Pix, w.Pix
				default:
					if got != want {
						t.Fatalf("%s o=%d: not the image itself", im.name, o)
					}
					continue
				}
				if !bytes.Equal(gp, wp) {
					t.Fatalf("%s %v o=%d: pixels differ from the reference", im.name, sz, o)
				}
			}
		}
	}
}
