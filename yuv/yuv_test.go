package yuv

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/darkgo/darkgo/kernels"
)

// refRGB is the conversion in float64, straight from the standards'
// definitions, for checking the fixed-point tables.
func refRGB(full bool, m Matrix, y, cb, cr uint8) [3]float64 {
	kr, kb := m.kr(), m.kb()
	kg := 1 - kr - kb
	l, u, v := float64(y), float64(cb)-128, float64(cr)-128
	if !full {
		l, u, v = (l-16)*255/219, u*255/224, v*255/224
	}
	r := l + 2*(1-kr)*v
	b := l + 2*(1-kb)*u
	g := (l - kr*r - kb*b) / kg
	return [3]float64{r, g, b}
}

func TestConverterMatchesDefinition(t *testing.T) {
	for _, full := range []bool{false, true} {
		for _, m := range []Matrix{BT601, BT709, BT2020} {
			cv := ConverterFor(full, m)
			for i := 0; i < 1<<24; i += 7 {
				y, cb, cr := uint8(i), uint8(i>>8), uint8(i>>16)
				r, g, b := cv.RGB(y, cb, cr)
				want := refRGB(full, m, y, cb, cr)
				for k, got := range []uint8{r, g, b} {
					// Rounded to nearest: within half a level, plus the
					// fixed-point coefficients' rounding (each within 2^-17,
					// times a sample offset of at most 239, three terms).
					w := math.Max(0, math.Min(255, want[k]))
					if math.Abs(float64(got)-w) > 0.5+3*239.0/(1<<17) {
						t.Fatalf("full=%v %v: RGB(%d,%d,%d)[%d] = %d, want %.3f", full, m, y, cb, cr, k, got, want[k])
					}
				}
			}
		}
	}
}

func TestKnownColours(t *testing.T) {
	// Limited-range BT.601 black, white and 75% colour bars (SMPTE).
	cv := ConverterFor(false, BT601)
	for _, c := range []struct{ y, cb, cr, r, g, b uint8 }{
		{16, 128, 128, 0, 0, 0},
		{235, 128, 128, 255, 255, 255},
		{81, 90, 240, 255, 0, 0},
		{145, 54, 34, 0, 255, 0},
		{41, 240, 110, 0, 0, 255},
	} {
		r, g, b := cv.RGB(c.y, c.cb, c.cr)
		for k, d := range []int{int(r) - int(c.r), int(g) - int(c.g), int(b) - int(c.b)} {
			if d < -2 || d > 2 {
				t.Errorf("Y'CbCr %d,%d,%d -> %d,%d,%d, want %d,%d,%d (channel %d)", c.y, c.cb, c.cr, r, g, b, c.r, c.g, c.b, k)
			}
		}
	}
}

func TestYCbCrInverse(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, full := range []bool{false, true} {
		for _, m := range []Matrix{BT601, BT709, BT2020} {
			cv := ConverterFor(full, m)
			for range 20000 {
				r, g, b := uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256))
				y, cb, cr := cv.YCbCr(r, g, b)
				r2, g2, b2 := cv.RGB(y, cb, cr)
				tol := 2 // 8-bit quantisation of the limited range
				if full {
					tol = 1
				}
				for _, d := range []int{int(r2) - int(r), int(g2) - int(g), int(b2) - int(b)} {
					if d < -tol-1 || d > tol+1 {
						t.Fatalf("full=%v %v: %d,%d,%d -> %d,%d,%d -> %d,%d,%d", full, m, r, g, b, y, cb, cr, r2, g2, b2)
					}
				}
			}
		}
	}
}

func randomImage(rng *rand.Rand, w, h int, ratio image.YCbCrSubsampleRatio, full bool, m Matrix) *Image {
	p := NewImage(w, h, ratio, full, m)
	for i := range p.Buffer() {
		p.Buffer()[i] = uint8(rng.IntN(256))
	}
	return p
}

func TestLayoutAndAccess(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	ratios := []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio444}
	for _, ratio := range ratios {
		for _, sz := range [][2]int{{1, 1}, {1, 7}, {7, 1}, {5, 3}, {16, 9}, {33, 17}} {
			w, h := sz[0], sz[1]
			p := randomImage(rng, w, h, ratio, sz[0]%2 == 1, Matrix(w%3))
			// Contiguous, ffmpeg's sizes.
			cw, ch := ChromaSize(w, h, ratio)
			if len(p.Buffer()) != w*h+2*cw*ch || &p.Buffer()[w*h] != &p.Cb[0] || &p.Buffer()[w*h+cw*ch] != &p.Cr[0] {
				t.Fatalf("%v %dx%d: planes not laid out as raw video", ratio, w, h)
			}
			want := ConverterFor(p.FullRange, p.Matrix)
			rgba := p.ToRGBA(nil)
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					c := p.YCbCrAt(x, y)
					r, g, b := want.RGB(c.Y, c.Cb, c.Cr)
					if got := p.At(x, y); got != (color.RGBA{r, g, b, 255}) {
						t.Fatalf("%v %dx%d At(%d,%d) = %v, want %v", ratio, w, h, x, y, got, color.RGBA{r, g, b, 255})
					}
					if got := rgba.RGBAAt(x, y); got != (color.RGBA{r, g, b, 255}) {
						t.Fatalf("%v %dx%d ToRGBA(%d,%d) = %v, want %v", ratio, w, h, x, y, got, color.RGBA{r, g, b, 255})
					}
				}
			}
			// A sub-image reads the same pixels, and converts the same way.
			r := image.Rect(w/3, h/3, w, h)
			sub := p.SubImage(r).(*Image)
			srgba := sub.ToRGBA(nil)
			for y := r.Min.Y; y < r.Max.Y; y++ {
				for x := r.Min.X; x < r.Max.X; x++ {
					if sub.At(x, y) != p.At(x, y) || srgba.RGBAAt(x-r.Min.X, y-r.Min.Y) != p.At(x, y) {
						t.Fatalf("%v %dx%d sub-image %v differs at %d,%d", ratio, w, h, r, x, y)
					}
				}
			}
			if sub.Buffer() != nil {
				t.Fatal("a sub-image's planes are not contiguous; Buffer must be nil")
			}
		}
	}
}

func TestDrawOnImage(t *testing.T) {
	p := NewImage(20, 10, image.YCbCrSubsampleRatio420, false, BT709)
	red := color.RGBA{230, 20, 20, 255}
	var _ draw.Image = p
	draw.Draw(p, image.Rect(4, 2, 10, 8), image.NewUniform(red), image.Point{}, draw.Src)
	for y := 0; y < 10; y++ {
		for x := 0; x < 20; x++ {
			r, g, b := p.RGB(x, y)
			inside := x >= 4 && x < 10 && y >= 2 && y < 8
			if inside && (absDiff(r, 230) > 3 || absDiff(g, 20) > 3 || absDiff(b, 20) > 3) {
				t.Fatalf("painted pixel %d,%d = %d,%d,%d, want about %v", x, y, r, g, b, red)
			}
			if !inside && p.Y[p.YOffset(x, y)] != 0 {
				t.Fatalf("pixel %d,%d outside the rectangle was painted", x, y)
			}
		}
	}
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

// TestGatherMatchesRGB: the batch conversion gives RGB's bytes for every
// sample triple, in every range and matrix.
func TestGatherMatchesRGB(t *testing.T) {
	// Ascending columns (as a resize's), so the vector code takes them;
	// chroma planes with room after the last sample read.
	n := 1 << 16
	yrow, cb, cr := make([]uint8, 256+3), make([]uint8, n+3), make([]uint8, n+3)
	cols, ccols := make([]int32, n), make([]int32, n)
	R, G, B := make([]uint8, n), make([]uint8, n), make([]uint8, n)
	for i := range yrow {
		yrow[i] = uint8(i)
	}
	for full := range 2 {
		for _, m := range []Matrix{BT601, BT709, BT2020} {
			cv := ConverterFor(full == 1, m)
			for y := range 256 {
				for j := range n {
					cols[j], ccols[j] = int32(y), int32(j)
					cb[j], cr[j] = uint8(j), uint8(j>>8)
				}
				var c kernels.YUVColumns
				c.Set(cols, ccols)
				cv.Gather(R, G, B, yrow, cb, cr, &c)
				for j := range n {
					r, g, b := cv.RGB(uint8(y), uint8(j), uint8(j>>8))
					if R[j] != r || G[j] != g || B[j] != b {
						t.Fatalf("full=%d %v: Gather(%d,%d,%d) = %d,%d,%d, RGB %d,%d,%d", full, m, y, j&255, j>>8, R[j], G[j], B[j], r, g, b)
					}
				}
			}
		}
	}
}
