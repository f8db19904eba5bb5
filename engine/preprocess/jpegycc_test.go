package preprocess

import (
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSTBCoefficients(t *testing.T) {
	// stbi__float2fixed(x) = ((int)((x)*4096.0f + 0.5f)) << 8, in float32.
	f2f := func(x float32) int32 { return int32(x*4096+0.5) << 8 }
	for _, c := range []struct {
		got  int32
		coef float32
	}{{stbCrR, 1.40200}, {stbCrG, 0.71414}, {stbCbG, 0.34414}, {stbCbB, 1.77200}} {
		if want := f2f(c.coef); c.got != want {
			t.Errorf("coefficient for %g = %d, stb_image has %d", c.coef, c.got, want)
		}
	}
}

func loadPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// TestSTBFixtures compares the decode + conversion path with what stb_image
// returns for JPEGs in every chroma subsampling Go supports
// (testdata/README.md tells how they were made). The flat_* images consist
// of 32×32 single-color blocks coded at quality 100, so every DCT block is
// DC-only and both IDCTs agree: there the result must be exact, which pins
// down the chroma upsampling (including its edge cases at an odd image size)
// and the fixed-point color conversion. The smooth_* images have real
// texture: the IDCTs differ there and we require the 3-level bound.
func TestSTBFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/*.jpg")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, jf := range files {
		name := strings.TrimSuffix(filepath.Base(jf), ".jpg")
		data, err := os.ReadFile(jf)
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := DecodeBytes(data, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := loadPNG(t, strings.TrimSuffix(jf, ".jpg")+".stb.png")
		var got, exp rgb8
		toRGB8(img, &got)
		toRGB8(want, &exp)
		if got.w != exp.w || got.h != exp.h {
			t.Fatalf("%s: %dx%d, stb %dx%d", name, got.w, got.h, exp.w, exp.h)
		}
		maxd, ndiff := 0, 0
		for i := range got.pix {
			d := int(got.pix[i]) - int(exp.pix[i])
			if d < 0 {
				d = -d
			}
			if d > 0 {
				ndiff++
			}
			maxd = max(maxd, d)
		}
		sub := ""
		if y, ok := img.(*image.YCbCr); ok {
			sub = y.SubsampleRatio.String()
		}
		t.Logf("%-18s %-28s max diff %d levels, %5.2f%% of samples differ", name, sub, maxd, 100*float64(ndiff)/float64(len(got.pix)))
		limit := 3
		if strings.HasPrefix(name, "flat") {
			limit = 0
		}
		if maxd > limit {
			t.Errorf("%s: differs from stb_image by %d levels (limit %d)", name, maxd, limit)
		}
	}
}

// TestSubImageConversion: converting a sub-image equals cropping the
// conversion of the whole image when the crop starts on a chroma-sample
// boundary (elsewhere the edge clamping legitimately differs).
func TestSubImageConversion(t *testing.T) {
	data, err := os.ReadFile("testdata/smooth_2x2.jpg")
	if err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	full := FromImage(img)
	r := image.Rect(0, 0, 40, 30)
	sub := FromImage(img.(*image.YCbCr).SubImage(r))
	if sub.W != 40 || sub.H != 30 {
		t.Fatalf("sub-image size %dx%d", sub.W, sub.H)
	}
	// Away from the right/bottom crop edge the values must agree.
	for c := 0; c < 3; c++ {
		for y := 0; y < 28; y++ {
			for x := 0; x < 38; x++ {
				if g, w := sub.Data[(c*30+y)*40+x], full.Data[(c*full.H+y)*full.W+x]; g != w {
					t.Fatalf("c%d (%d,%d): sub-image %g, full %g", c, x, y, g, w)
				}
			}
		}
	}
}
