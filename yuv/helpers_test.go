package yuv

import (
	"bytes"
	"image"
	"image/color"
	"math/rand/v2"
	"testing"
)

var allRatios = []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420}

func randomTagged(rng *rand.Rand, w, h int, ratio image.YCbCrSubsampleRatio) *Image {
	return randomImage(rng, w, h, ratio, rng.IntN(2) == 0, Matrix(rng.IntN(3)))
}

func clonePlanes(p *Image) *Image {
	q := *p
	q.Y, q.Cb, q.Cr = bytes.Clone(p.Y), bytes.Clone(p.Cb), bytes.Clone(p.Cr)
	return &q
}

// TestFillIsSet: Fill paints exactly what Set does pixel by pixel, on
// odd sizes, sub-images with odd origins and rectangles that stick out.
func TestFillIsSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 300; i++ {
		ratio := allRatios[i%3]
		base := randomTagged(rng, 1+rng.IntN(40), 1+rng.IntN(30), ratio)
		img := base
		if i%2 == 1 {
			b := base.Rect
			sub := image.Rect(rng.IntN(b.Dx()), rng.IntN(b.Dy()), b.Dx(), b.Dy())
			img = base.SubImage(sub).(*Image)
		}
		r := image.Rect(rng.IntN(50)-5, rng.IntN(40)-5, rng.IntN(50)-5, rng.IntN(40)-5).Canon()
		c := color.RGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), 255}
		want := clonePlanes(img)
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				want.Set(x, y, c)
			}
		}
		got := clonePlanes(img)
		got.Fill(r, c)
		if !bytes.Equal(got.Y, want.Y) || !bytes.Equal(got.Cb, want.Cb) || !bytes.Equal(got.Cr, want.Cr) {
			t.Fatalf("case %d: %v %v Fill(%v) differs from Set", i, ratio, img.Rect, r)
		}
	}
}

// TestCopyTo: the copy reads back pixel for pixel as the original, for
// whole images and sub-images, and reuses a destination of the same
// geometry.
func TestCopyTo(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 60; i++ {
		ratio := allRatios[i%3]
		img := randomTagged(rng, 1+rng.IntN(40), 1+rng.IntN(30), ratio)
		if i%2 == 1 && ratio == image.YCbCrSubsampleRatio444 || i%4 == 1 {
			// A sub-image whose chroma grid starts at its corner when
			// the offset is even, or not (444 always does).
			b := img.Rect
			img = img.SubImage(image.Rect(2*rng.IntN((b.Dx()+1)/2), 2*rng.IntN((b.Dy()+1)/2), b.Dx(), b.Dy())).(*Image)
		}
		cp := img.CopyTo(nil)
		if cp.Rect != image.Rect(0, 0, img.Rect.Dx(), img.Rect.Dy()) || cp.FullRange != img.FullRange || cp.Matrix != img.Matrix {
			t.Fatalf("case %d: copy %v %v %v of %v", i, cp.Rect, cp.FullRange, cp.Matrix, img.Rect)
		}
		for y := 0; y < cp.Rect.Dy(); y++ {
			for x := 0; x < cp.Rect.Dx(); x++ {
				if got, want := cp.At(x, y), img.At(img.Rect.Min.X+x, img.Rect.Min.Y+y); got != want {
					t.Fatalf("case %d %v %v: pixel %d,%d = %v, want %v", i, ratio, img.Rect, x, y, got, want)
				}
			}
		}
		if again := img.CopyTo(cp); again != cp {
			t.Fatalf("case %d: a destination of the same geometry was not reused", i)
		}
	}
}

func TestJFIF(t *testing.T) {
	for _, c := range []struct {
		full bool
		m    Matrix
		ok   bool
	}{{true, BT601, true}, {false, BT601, false}, {true, BT709, false}} {
		p := NewImage(4, 4, image.YCbCrSubsampleRatio420, c.full, c.m)
		if got := p.JFIF() != nil; got != c.ok {
			t.Errorf("full %v %v: JFIF %v, want %v", c.full, c.m, got, c.ok)
		}
	}
	// Where it is given, image.YCbCr's own (JFIF) conversion agrees.
	rng := rand.New(rand.NewPCG(5, 6))
	p := randomTagged(rng, 16, 16, image.YCbCrSubsampleRatio420)
	p.FullRange, p.Matrix = true, BT601
	j := p.JFIF()
	for y := 0; y < 16; y++ {
		for x := 0; x < 16; x++ {
			a := p.At(x, y).(color.RGBA)
			r, g, b, _ := j.At(x, y).RGBA()
			for k, d := range []int{int(a.R) - int(r>>8), int(a.G) - int(g>>8), int(a.B) - int(b>>8)} {
				if d < -1 || d > 1 {
					t.Fatalf("pixel %d,%d channel %d: %v vs image.YCbCr %d,%d,%d", x, y, k, a, r>>8, g>>8, b>>8)
				}
			}
		}
	}
}

func TestForJPEG(t *testing.T) {
	jfif := NewImage(8, 6, image.YCbCrSubsampleRatio420, true, BT601)
	if out, buf := ForJPEG(jfif, nil); out != jfif.JFIF() || buf != nil {
		t.Errorf("a JFIF image was converted: %T", out)
	}
	tv := NewImage(8, 6, image.YCbCrSubsampleRatio420, false, BT709)
	tv.Fill(tv.Rect, color.RGBA{200, 30, 40, 255})
	out, buf := ForJPEG(tv, nil)
	if out != buf || buf.RGBAAt(3, 3) != tv.At(3, 3) {
		t.Fatalf("limited BT.709: %T, pixel %v, want %v", out, buf.RGBAAt(3, 3), tv.At(3, 3))
	}
	if _, again := ForJPEG(tv, buf); again != buf {
		t.Error("the RGBA buffer was not reused")
	}
	rgba := image.NewRGBA(image.Rect(0, 0, 2, 2))
	if out, _ := ForJPEG(rgba, buf); out != rgba {
		t.Error("an RGBA image was not passed through")
	}
}
