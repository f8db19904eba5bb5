package preprocess

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand"
	"testing"

	"github.com/darkgo/darkgo/kernels"
	"github.com/darkgo/darkgo/yuv"
)

// testImages returns random images of every type the fast path reads
// directly, plus types only the generic path handles, of size w×h. Each
// type is also returned as a sub-image at an odd offset, so that Bounds().Min
// and the chroma phase are exercised.
func testImages(rng *rand.Rand, w, h int) []struct {
	name string
	img  image.Image
} {
	var out []struct {
		name string
		img  image.Image
	}
	add := func(name string, img image.Image) {
		out = append(out, struct {
			name string
			img  image.Image
		}{name, img})
	}
	fill := func(b []uint8) {
		for i := range b {
			b[i] = uint8(rng.Intn(256))
		}
	}
	// Each image is made one pixel larger on every side with an odd
	// origin, then cut to w×h at (ox+1, oy+1).
	ox, oy := 1+2*rng.Intn(3), 1+2*rng.Intn(3)
	big := image.Rect(ox, oy, ox+w+2, oy+h+2)
	sub := image.Rect(ox+1, oy+1, ox+1+w, oy+1+h)
	both := func(name string, img interface {
		image.Image
		SubImage(image.Rectangle) image.Image
	}, whole image.Rectangle) {
		add(name+"/sub", img.SubImage(sub))
		add(name, img.SubImage(whole))
	}
	for _, r := range []image.YCbCrSubsampleRatio{
		image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420,
		image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410,
	} {
		m := image.NewYCbCr(big, r)
		fill(m.Y)
		fill(m.Cb)
		fill(m.Cr)
		both("ycbcr"+r.String(), m, big)
		// Origin at (0, 0), as image/jpeg returns.
		z := image.NewYCbCr(image.Rect(0, 0, w, h), r)
		fill(z.Y)
		fill(z.Cb)
		fill(z.Cr)
		add("ycbcr"+r.String()+"/origin", z)
	}
	// Video frames: every supported ratio, range and matrix.
	for i, r := range []image.YCbCrSubsampleRatio{
		image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420,
	} {
		full, mat := rng.Intn(2) == 0, yuv.Matrix(i)
		m := &yuv.Image{YCbCr: *image.NewYCbCr(big, r), FullRange: full, Matrix: mat}
		fill(m.Y)
		fill(m.Cb)
		fill(m.Cr)
		name := fmt.Sprintf("yuv%v/full=%v/%v", r, full, mat)
		both(name, m, big)
		z := yuv.NewImage(w, h, r, !full, mat)
		fill(z.Buffer())
		add(name+"/origin", z)
	}
	na := image.NewNYCbCrA(big, image.YCbCrSubsampleRatio420)
	fill(na.Y)
	fill(na.Cb)
	fill(na.Cr)
	fill(na.A)
	both("nycbcra", na, big)

	rgba := image.NewRGBA(big)
	for i := 0; i < len(rgba.Pix); i += 4 {
		// Premultiplied: channels <= alpha; alpha often 0 or 255.
		a := uint8(rng.Intn(256))
		switch rng.Intn(3) {
		case 0:
			a = 255
		case 1:
			a = 0
		}
		for k := 0; k < 3; k++ {
			rgba.Pix[i+k] = uint8(rng.Intn(int(a) + 1))
		}
		if a == 0 && rng.Intn(2) == 0 { // invalid but stored: kept as is
			rgba.Pix[i] = uint8(rng.Intn(256))
		}
		rgba.Pix[i+3] = a
	}
	both("rgba", rgba, big)
	nrgba := image.NewNRGBA(big)
	fill(nrgba.Pix)
	both("nrgba", nrgba, big)
	rgba64 := image.NewRGBA64(big)
	fill(rgba64.Pix)
	both("rgba64", rgba64, big)
	nrgba64 := image.NewNRGBA64(big)
	fill(nrgba64.Pix)
	both("nrgba64", nrgba64, big)
	gray := image.NewGray(big)
	fill(gray.Pix)
	both("gray", gray, big)
	gray16 := image.NewGray16(big)
	fill(gray16.Pix)
	both("gray16", gray16, big)
	var pal color.Palette
	for i := 0; i < 200; i++ {
		a := uint8(rng.Intn(256))
		pal = append(pal, color.NRGBA{uint8(rng.Intn(256)), uint8(rng.Intn(256)), uint8(rng.Intn(256)), a})
	}
	pal[0] = color.RGBA{10, 20, 30, 40}
	pal[1] = color.Gray{77}
	paletted := image.NewPaletted(big, pal)
	fill(paletted.Pix) // indexes past the palette read as black, like the reference
	both("paletted", paletted, big)
	cmyk := image.NewCMYK(big)
	fill(cmyk.Pix)
	both("cmyk", cmyk, big)
	add("opaque", opaque{nrgba.SubImage(sub)})
	return out
}

// checkSame runs the fast and the reference path and fails on any bit
// difference.
func checkSame(t *testing.T, name string, img image.Image, w, h, c int, lb bool, fast, ref *Scratch) {
	t.Helper()
	got := make([]float32, c*w*h)
	want := make([]float32, c*w*h)
	for i := range got { // the fast path must write every value
		got[i] = float32(math.NaN())
	}
	if err := fast.NetworkInput(got, img, w, h, c, lb); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	ref.networkInputRef(want, img, w, h, c, lb)
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			k, r, col := i/(w*h), i%(w*h)/w, i%w
			t.Fatalf("%s %v -> %dx%d c=%d letterbox=%v: value (%d,%d,%d) = %v (%08x), reference %v (%08x)",
				name, img.Bounds().Size(), w, h, c, lb, k, r, col,
				got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
}

// TestFastMatchesReference: NetworkInput's direct path is bit-identical to
// the reference (full float image, then resize_image/letterbox_image) for
// every image type, awkward sizes, up- and downscaling, c=1 and c=3,
// letterbox on and off. One Scratch is reused across all cases so that
// stale buffer contents would show.
func TestFastMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	sizes := [][2]int{{1, 1}, {2, 3}, {3, 2}, {1, 7}, {7, 1}, {5, 5}, {16, 9}, {17, 13}, {300, 2}, {2, 300}, {77, 53}}
	outs := [][2]int{{1, 1}, {1, 6}, {6, 1}, {2, 2}, {13, 13}, {32, 24}, {24, 32}, {41, 29}, {416, 7}}
	var fast, ref Scratch
	for _, sz := range sizes {
		for _, im := range testImages(rng, sz[0], sz[1]) {
			// The output sizes above plus the input's own size and one more
			// or less on each side (the copy case and near-copies).
			cases := append([][2]int{sz, {sz[0] + 1, sz[1]}, {sz[0], sz[1] + 1}, {max(sz[0]-1, 1), sz[1]}}, outs...)
			for _, o := range cases {
				for _, c := range []int{3, 1} {
					for _, lb := range []bool{false, true} {
						checkSame(t, im.name, im.img, o[0], o[1], c, lb, &fast, &ref)
					}
				}
			}
		}
	}
}

// TestFastMatchesReferenceRandom draws random sizes (including extreme
// aspect ratios and letterboxes that round a side to one pixel).
func TestFastMatchesReferenceRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	var fast, ref Scratch
	n := 60
	if testing.Short() {
		n = 30
	}
	dim := func() int {
		switch rng.Intn(4) {
		case 0:
			return 1 + rng.Intn(4)
		case 1:
			return 1 + rng.Intn(1000)
		default:
			return 1 + rng.Intn(120)
		}
	}
	for i := 0; i < n; i++ {
		w, h := dim(), dim()
		if w*h > 200000 {
			h = max(1, 200000/w)
		}
		imgs := testImages(rng, w, h)
		im := imgs[rng.Intn(len(imgs))]
		ow, oh := 1+rng.Intn(200), 1+rng.Intn(200)
		c := []int{1, 3}[rng.Intn(2)]
		lb := rng.Intn(2) == 0
		checkSame(t, fmt.Sprintf("#%d %s", i, im.name), im.img, ow, oh, c, lb, &fast, &ref)
	}
}

// TestFastMatchesReferencePhoto compares both paths on the two benchmark
// photos at common network sizes.
func TestFastMatchesReferencePhoto(t *testing.T) {
	var fast, ref Scratch
	for _, p := range photos(t) {
		img := decodePhoto(t, p)
		for i, v := range benchVariants(img) {
			for _, sz := range [][2]int{{416, 416}, {608, 608}, {320, 256}} {
				for _, lb := range []bool{false, true} {
					if i > 0 && (sz[0] != 416 || lb) {
						continue // other types: covered by TestFastMatchesReference
					}
					checkSame(t, p.name+"/"+v.name, v.img, sz[0], sz[1], 3, lb, &fast, &ref)
				}
			}
		}
	}
}

// TestFastMatchesReferenceWidePhoto: JPEGs as wide as phone photos and 4K
// frames, whose downscales spread 16 sampled pixels over more than 64
// bytes of a row (the byte-permute kernels' two-window blocks), against
// the reference, stretched and letterboxed.
func TestFastMatchesReferenceWidePhoto(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	var fast, ref Scratch
	for _, w := range []int{3840, 4032} {
		img := image.NewRGBA(image.Rect(0, 0, w, 40))
		for i := range img.Pix {
			img.Pix[i] = uint8(128 + 60*math.Sin(float64(i)/97) + float64(rng.Intn(40)))
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil { // 4:2:0
			t.Fatal(err)
		}
		photo, _, err := DecodeBytes(buf.Bytes(), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, sz := range [][2]int{{416, 416}, {320, 256}, {608, 608}} {
			for _, lb := range []bool{false, true} {
				checkSame(t, fmt.Sprintf("%d-wide JPEG", w), photo, sz[0], sz[1], 3, lb, &fast, &ref)
			}
		}
	}
}

func TestUnpremul(t *testing.T) {
	for a := 1; a < 255; a++ {
		for v := 0; v < 256; v++ {
			want := color.NRGBA64Model.Convert(color.RGBA{uint8(v), uint8(v), uint8(v), uint8(a)}).(color.NRGBA64)
			if got := unpremul(uint8(v), uint8(a)); got != uint8(want.R>>8) {
				t.Fatalf("unpremul(%d, %d) = %d, want %d", v, a, got, want.R>>8)
			}
		}
	}
}

// TestFastNoAllocs: with a reused Scratch the direct path allocates nothing
// for every image type it reads without image.Image.At.
func TestFastNoAllocs(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	var s Scratch
	for _, im := range testImages(rng, 97, 61) {
		switch im.img.(type) {
		case *image.CMYK, opaque:
			continue // generic path: At boxes every color
		}
		for _, c := range []int{1, 3} {
			for _, lb := range []bool{false, true} {
				dst := make([]float32, c*40*30)
				if err := s.NetworkInput(dst, im.img, 40, 30, c, lb); err != nil {
					t.Fatal(err)
				}
				allocs := testing.AllocsPerRun(3, func() {
					if err := s.NetworkInput(dst, im.img, 40, 30, c, lb); err != nil {
						t.Fatal(err)
					}
				})
				if allocs != 0 {
					t.Errorf("%s c=%d letterbox=%v: %v allocations per image", im.name, c, lb, allocs)
				}
			}
		}
	}
}

// TestSTBRGBMatchesReference: the conversion the fast path's kernel
// computes (kernels.STBRGB) is the reference's stbYCbCrToRGB for every
// input.
func TestSTBRGBMatchesReference(t *testing.T) {
	for i := range 1 << 24 {
		y, cb, cr := uint8(i), uint8(i>>8), uint8(i>>16)
		r0, g0, b0 := stbYCbCrToRGB(y, cb, cr)
		r1, g1, b1 := kernels.STBRGB(y, cb, cr)
		if r0 != r1 || g0 != g1 || b0 != b1 {
			t.Fatalf("YCbCr (%d,%d,%d): kernels.STBRGB gives %d,%d,%d, stbYCbCrToRGB %d,%d,%d", y, cb, cr, r1, g1, b1, r0, g0, b0)
		}
	}
}
