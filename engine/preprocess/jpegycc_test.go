package preprocess

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/jpeg"
	"image/png"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ijpeg "github.com/darkgo/darkgo/engine/preprocess/internal/jpeg"
	"github.com/darkgo/darkgo/internal/golden"
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

// stbRGB decodes a JPEG the way Darknet sees it (EXIF orientation ignored,
// as stb_image does) and returns the 8-bit RGB toRGB8 makes of it.
func stbRGB(data []byte) (rgb8, error) {
	var got rgb8
	img, _, err := DecodeBytes(data, &DecodeOptions{IgnoreOrientation: true})
	if err == nil {
		toRGB8(img, &got)
	}
	return got, err
}

// TestSTBFixtures: every JPEG of testdata/ (testdata/README.md tells how
// they were made: every chroma subsampling, progressive, restart markers,
// odd sizes down to 1×1, grayscale, RGB, 16-bit quantization tables,
// quality 5 to 100, EXIF-rotated) and every JPEG of the golden map set
// decodes to exactly the RGB stb_image returns for it (NAME.stb.png
// beside it; the golden ones are Darknet's own stb_image v2.30 output).
func TestSTBFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/*.jpg")
	if err != nil || len(files) < 30 {
		t.Fatalf("only %d fixtures: %v", len(files), err)
	}
	golden, err := filepath.Glob(filepath.Join(goldenDir(t), "map", "images", "*.jpg"))
	if err != nil || len(golden) < 10 {
		t.Fatalf("only %d golden map images: %v", len(golden), err)
	}
	for _, jf := range append(files, golden...) {
		name := filepath.Base(jf)
		data, err := os.ReadFile(jf)
		if err != nil {
			t.Fatal(err)
		}
		got, err := stbRGB(data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var exp rgb8
		toRGB8(loadPNG(t, strings.TrimSuffix(jf, ".jpg")+".stb.png"), &exp)
		if got.w != exp.w || got.h != exp.h {
			t.Errorf("%s: %dx%d, stb_image %dx%d", name, got.w, got.h, exp.w, exp.h)
			continue
		}
		maxd, ndiff := 0, 0
		for i := range got.pix {
			d := int(got.pix[i]) - int(exp.pix[i])
			if d != 0 {
				ndiff++
				maxd = max(maxd, d, -d)
			}
		}
		if ndiff != 0 {
			t.Errorf("%s: %d of %d samples differ from stb_image, by up to %d levels", name, ndiff, len(got.pix), maxd)
		}
	}
}

// TestSTBHashes: larger JPEGs of the repository (image/jpeg's test images:
// CMYK, RGB with subsampled G and B, 4:1:0, 4:4:0, separate DC
// progression, truncated progressive; the CMYK file read as YCCK and as
// YCbCr by changing its Adobe transform; the 1920×1280 photos) decode to
// the RGB whose SHA-256 stb_image gives (testdata/stb_rgb.sha256, made by
// tools/stbdump/mkfixtures.sh).
func TestSTBHashes(t *testing.T) {
	list, err := os.ReadFile("testdata/stb_rgb.sha256")
	if err != nil {
		t.Fatal(err)
	}
	root := golden.RepoRoot(t)
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(list)), "\n") {
		sum, path, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		file, adobe, patched := strings.Cut(path, "#adobe=")
		data, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			t.Fatal(err)
		}
		if patched { // the Adobe segment's color transform byte set to adobe
			i := bytes.Index(data, []byte("Adobe\x00"))
			if i < 0 || len(adobe) != 1 {
				t.Fatalf("%s: cannot patch", path)
			}
			data[i+11] = adobe[0] - '0'
		}
		got, err := stbRGB(data)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if h := sha256.Sum256(got.pix); hex.EncodeToString(h[:]) != sum {
			t.Errorf("%s: RGB differs from stb_image's (SHA-256 %x, stb_image %s)", path, h, sum)
		}
		n++
	}
	if n < 15 {
		t.Fatalf("only %d files listed", n)
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

// TestSTBFixtureOrientation: the EXIF-rotated fixture (orientation 6)
// gives stb_image's pixels with IgnoreOrientation (TestSTBFixtures) and,
// by default, stb_image's pixels rotated upright.
func TestSTBFixtureOrientation(t *testing.T) {
	data, err := os.ReadFile("testdata/exif6_2x2.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if o := JPEGOrientation(data); o != 6 {
		t.Fatalf("fixture orientation %d, want 6", o)
	}
	img, _, err := DecodeBytes(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got, want rgb8
	toRGB8(img, &got)
	toRGB8(Orient(loadPNG(t, "testdata/exif6_2x2.stb.png"), 6), &want)
	if got.w != 13 || got.h != 17 || !bytes.Equal(got.pix, want.pix) {
		t.Errorf("upright decode %dx%d differs from stb_image's pixels rotated (13x17)", got.w, got.h)
	}
}

// TestJPEGRefusedLikeSTB: stb_image refuses 12-bit JPEGs ("only 8-bit"),
// arithmetic coding and lossless JPEGs; so does Decode, with an error
// that says why.
func TestJPEGRefusedLikeSTB(t *testing.T) {
	data, err := os.ReadFile("testdata/smooth_2x2.jpg")
	if err != nil {
		t.Fatal(err)
	}
	sof := bytes.Index(data, []byte{0xff, 0xc0})
	if sof < 0 {
		t.Fatal("no SOF0")
	}
	twelve := bytes.Clone(data)
	twelve[sof+4] = 12 // sample precision
	if _, _, err := DecodeBytes(twelve, nil); err == nil || !strings.Contains(err.Error(), "precision") {
		t.Errorf("12-bit JPEG: error %v, want one about the precision", err)
	}
	arith := bytes.Clone(data)
	arith[sof+1] = 0xc9 // SOF9: arithmetic-coded sequential
	if _, _, err := DecodeBytes(arith, nil); err == nil || !strings.Contains(err.Error(), "arithmetic-coded (SOF9) JPEG") {
		t.Errorf("arithmetic-coded JPEG: error %v, want one naming arithmetic coding", err)
	}
	lossless := bytes.Clone(data)
	lossless[sof+1] = 0xc3
	if _, _, err := DecodeBytes(lossless, nil); err == nil || !strings.Contains(err.Error(), "lossless (SOF3)") {
		t.Errorf("lossless JPEG: error %v, want one naming lossless coding", err)
	}
}

// TestDecodeDamagedJPEGs: truncated and byte-damaged copies of the
// fixtures and of image/jpeg's test files (CMYK, RGB, progressive with
// restarts, ...) decode to an error or to an image that converts without
// panicking; the stb_image paths (DecodePlanes, jpegToRGBA, chroma
// upsampling) see the same damage image/jpeg's tests do.
func TestDecodeDamagedJPEGs(t *testing.T) {
	files, err := filepath.Glob("testdata/*.jpg")
	if err != nil {
		t.Fatal(err)
	}
	more, err := filepath.Glob("internal/jpeg/testdata/*.jpeg")
	if err != nil || len(files)+len(more) < 50 {
		t.Fatalf("only %d files: %v", len(files)+len(more), err)
	}
	rng := rand.New(rand.NewSource(4))
	var s Scratch
	dst := make([]float32, 3*32*32)
	for _, f := range append(files, more...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for k := 0; k < 12; k++ {
			b := bytes.Clone(data)
			if k%3 == 0 {
				b = b[:rng.Intn(len(b))]
			} else {
				for j := 0; j < 1+rng.Intn(4); j++ {
					b[rng.Intn(len(b))] = uint8(rng.Intn(256))
				}
			}
			img, _, err := DecodeBytes(b, nil)
			if err != nil {
				continue
			}
			var r rgb8
			toRGB8(img, &r)
			if err := s.NetworkInput(dst, img, 32, 32, 3, true); err != nil {
				t.Errorf("%s, damaged copy %d: %v", f, k, err)
			}
		}
	}
}

// TestGenericResamplerMatchesLayout: stb_image's per-component resampling
// (stbResampler, used for sampling factors no image.YCbCr layout
// describes) and the layout-based path (upsampleRows, used for all
// others) give the same RGB on every fixture the latter handles: two
// independent readings of stb_image's rules checking each other.
func TestGenericResamplerMatchesLayout(t *testing.T) {
	files, err := filepath.Glob("testdata/*.jpg")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p, err := ijpeg.DecodePlanes(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if p.YCbCr == nil || p.K != nil {
			continue
		}
		m := p.YCbCr
		hs, vs := subsampling(m.SubsampleRatio)
		g := *p
		g.YCbCr, g.HMax, g.VMax = nil, hs, vs
		g.Components = []ijpeg.Component{
			{H: hs, V: vs, Pix: m.Y, Stride: m.YStride},
			{H: 1, V: 1, Pix: m.Cb, Stride: m.CStride},
			{H: 1, V: 1, Pix: m.Cr, Stride: m.CStride},
		}
		var want, got rgb8
		layout, err := decodeJPEG(data)
		if err != nil {
			t.Fatal(err)
		}
		toRGB8(layout, &want)
		toRGB8(jpegComponentsToRGBA(&g), &got)
		if !bytes.Equal(got.pix, want.pix) {
			t.Errorf("%s (%v): stbResampler and upsampleRows differ", f, m.SubsampleRatio)
		}
		n++
	}
	if n < 30 {
		t.Fatalf("only %d fixtures compared", n)
	}
}
