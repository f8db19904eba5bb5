package preprocess

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/image/bmp"
)

func makeTestRGBA(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x + y) % 256), 255})
		}
	}
	return m
}

// quadrants is a 32×24 image whose quadrants are red, green, blue and white
// (clockwise from top-left): large flat areas survive JPEG compression.
func quadrants() *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, 32, 24))
	cols := []color.RGBA{{255, 0, 0, 255}, {0, 255, 0, 255}, {255, 255, 255, 255}, {0, 0, 255, 255}}
	for y := 0; y < 24; y++ {
		for x := 0; x < 32; x++ {
			q := 0
			if x >= 16 {
				q = 1
			}
			if y >= 12 {
				q = 3 - q
			}
			m.Set(x, y, cols[q])
		}
	}
	return m
}

// withExif inserts an APP1 Exif segment with the given orientation right
// after the SOI marker of a JPEG.
func withExif(t *testing.T, jpg []byte, orientation uint16, bo binary.ByteOrder) []byte {
	t.Helper()
	var tiff bytes.Buffer
	if bo == binary.LittleEndian {
		tiff.WriteString("II")
	} else {
		tiff.WriteString("MM")
	}
	w := func(v any) { _ = binary.Write(&tiff, bo, v) }
	w(uint16(42))
	w(uint32(8))
	w(uint16(2)) // two entries: an unrelated tag first
	w(uint16(0x010f))
	w(uint16(2))
	w(uint32(4))
	w([4]byte{'A', 'B', 'C', 0})
	w(uint16(0x0112))
	w(uint16(3))
	w(uint32(1))
	w(orientation)
	w(uint16(0))
	w(uint32(0))
	seg := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	out := []byte{0xff, 0xd8, 0xff, 0xe1, 0, 0}
	binary.BigEndian.PutUint16(out[4:], uint16(len(seg)+2))
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

func encodeJPEG(t *testing.T, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// quadrantColor classifies the pixel at (x, y) of an 8-bit RGB raster.
func quadrantColor(r *rgb8, x, y int) string {
	p := r.pix[3*(y*r.w+x):]
	name := ""
	for i, c := range "RGB" {
		if p[i] > 128 {
			name += string(c)
		}
	}
	return name
}

func TestEXIFOrientation(t *testing.T) {
	base := encodeJPEG(t, quadrants())
	// Corners (top-left, top-right, bottom-right, bottom-left) of the
	// displayed image for each orientation, derived from the EXIF spec:
	// the stored image is R G / B RGB (TL, TR / BL, BR).
	want := map[uint16][4]string{
		1: {"R", "G", "RGB", "B"},
		2: {"G", "R", "B", "RGB"},
		3: {"RGB", "B", "R", "G"},
		4: {"B", "RGB", "G", "R"},
		5: {"R", "B", "RGB", "G"},
		6: {"B", "R", "G", "RGB"},
		7: {"RGB", "G", "R", "B"},
		8: {"G", "RGB", "B", "R"},
	}
	for o := uint16(1); o <= 8; o++ {
		for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			data := withExif(t, base, o, bo)
			if got := JPEGOrientation(data); got != int(o) {
				t.Fatalf("JPEGOrientation = %d, want %d (%v)", got, o, bo)
			}
			img, _, err := DecodeBytes(data, nil)
			if err != nil {
				t.Fatal(err)
			}
			var r rgb8
			toRGB8(img, &r)
			if o >= 5 && (r.w != 24 || r.h != 32) || o < 5 && (r.w != 32 || r.h != 24) {
				t.Fatalf("orientation %d: size %dx%d", o, r.w, r.h)
			}
			got := [4]string{quadrantColor(&r, 2, 2), quadrantColor(&r, r.w-3, 2),
				quadrantColor(&r, r.w-3, r.h-3), quadrantColor(&r, 2, r.h-3)}
			if got != want[o] {
				t.Errorf("orientation %d (%v): corners %v, want %v", o, bo, got, want[o])
			}
			// IgnoreOrientation keeps the stored layout, as Darknet does.
			raw, _, err := DecodeBytes(data, &DecodeOptions{IgnoreOrientation: true})
			if err != nil {
				t.Fatal(err)
			}
			if raw.Bounds().Dx() != 32 {
				t.Errorf("IgnoreOrientation: size %v", raw.Bounds())
			}
		}
	}
}

// TestOrientPreservesConversion: orienting must permute the stb-converted
// pixels, not re-convert them with Go's color model.
func TestOrientPreservesConversion(t *testing.T) {
	data, err := os.ReadFile("testdata/smooth_2x2.jpg")
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := DecodeBytes(data, &DecodeOptions{IgnoreOrientation: true})
	if err != nil {
		t.Fatal(err)
	}
	a := FromImage(img)
	b := FromImage(Orient(img, 3)) // 180°
	for c := 0; c < 3; c++ {
		for y := 0; y < a.H; y++ {
			for x := 0; x < a.W; x++ {
				if a.Data[(c*a.H+y)*a.W+x] != b.Data[(c*a.H+a.H-1-y)*a.W+a.W-1-x] {
					t.Fatalf("pixel (%d,%d,%d) changed by rotation", c, x, y)
				}
			}
		}
	}
}

// TestJPEGOrientationCorrupt: random and truncated EXIF data must never
// panic and must fall back to 1 when unreadable.
func TestJPEGOrientationCorrupt(t *testing.T) {
	good := withExif(t, encodeJPEG(t, quadrants()), 6, binary.BigEndian)
	for n := 0; n < 80 && n < len(good); n++ {
		_ = JPEGOrientation(good[:n]) // truncated: must not panic
	}
	rng := rand.New(rand.NewSource(3))
	for i := 0; i < 2000; i++ {
		b := append([]byte(nil), good[:80]...)
		for j := 0; j < 1+rng.Intn(6); j++ {
			b[2+rng.Intn(len(b)-2)] = byte(rng.Intn(256))
		}
		if o := JPEGOrientation(b); o < 1 || o > 8 {
			t.Fatalf("orientation %d out of range", o)
		}
	}
	// An IFD offset pointing past the end, and a huge entry count.
	bad := withExif(t, encodeJPEG(t, quadrants()), 6, binary.BigEndian)
	binary.BigEndian.PutUint32(bad[6+6+4:], 0xfffffff0)
	if o := JPEGOrientation(bad); o != 1 {
		t.Errorf("bad IFD offset: orientation %d", o)
	}
	bad = withExif(t, encodeJPEG(t, quadrants()), 6, binary.BigEndian)
	binary.BigEndian.PutUint16(bad[6+6+8:], 0xffff)
	if o := JPEGOrientation(bad); o != 6 {
		t.Errorf("oversized entry count: orientation %d, want 6 from the entries present", o)
	}
	if o := JPEGOrientation([]byte("not a jpeg")); o != 1 {
		t.Errorf("non-JPEG: %d", o)
	}
}

func FuzzJPEGOrientation(f *testing.F) {
	f.Add([]byte{0xff, 0xd8, 0xff, 0xe1, 0, 8, 'E', 'x', 'i', 'f', 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if o := JPEGOrientation(b); o < 1 || o > 8 {
			t.Fatalf("orientation %d", o)
		}
	})
}

func TestDecodeFormats(t *testing.T) {
	src := makeTestRGBA(20, 10)
	var pngB, gifB, bmpB bytes.Buffer
	if err := png.Encode(&pngB, src); err != nil {
		t.Fatal(err)
	}
	if err := gif.Encode(&gifB, src, nil); err != nil {
		t.Fatal(err)
	}
	if err := bmp.Encode(&bmpB, src); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		format string
		data   []byte
		exact  bool
	}{{"png", pngB.Bytes(), true}, {"bmp", bmpB.Bytes(), true}, {"gif", gifB.Bytes(), false},
		{"jpeg", encodeJPEG(t, src), false}} {
		img, format, err := Decode(bytes.NewReader(c.data))
		if err != nil {
			t.Fatalf("%s: %v", c.format, err)
		}
		if format != c.format || img.Bounds().Dx() != 20 || img.Bounds().Dy() != 10 {
			t.Fatalf("%s: got %s %v", c.format, format, img.Bounds())
		}
		if c.exact {
			var a, b rgb8
			toRGB8(img, &a)
			toRGB8(src, &b)
			if !bytes.Equal(a.pix, b.pix) {
				t.Errorf("%s: pixels differ after round trip", c.format)
			}
		}
	}
	// A WebP file (lossless, 1x1) written by hand: header + VP8L chunk.
	webp := []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")
	if _, format, err := Decode(bytes.NewReader(webp)); err != nil || format != "webp" {
		t.Errorf("webp: %q %v", format, err)
	}
}

// TestStraightAlpha: stb_image drops alpha without premultiplying, so a
// transparent pixel keeps its stored color.
func TestStraightAlpha(t *testing.T) {
	m := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	m.Pix = []uint8{200, 100, 50, 0, 10, 20, 30, 128}
	var r rgb8
	toRGB8(m, &r)
	if !bytes.Equal(r.pix, []uint8{200, 100, 50, 10, 20, 30}) {
		t.Errorf("NRGBA: %v", r.pix)
	}
	// The same colors premultiplied come back to (about) the stored color.
	p := image.NewRGBA(image.Rect(0, 0, 1, 1))
	p.Pix = []uint8{5, 10, 15, 128}
	toRGB8(p, &r)
	if !bytes.Equal(r.pix, []uint8{9, 19, 29}) {
		t.Errorf("RGBA translucent: %v", r.pix)
	}
}

func TestDecodeErrors(t *testing.T) {
	good := encodeJPEG(t, makeTestRGBA(64, 48))
	var pngB bytes.Buffer
	if err := png.Encode(&pngB, makeTestRGBA(64, 48)); err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"empty":          nil,
		"garbage":        []byte("this is not an image at all"),
		"jpeg header":    good[:20],
		"jpeg truncated": good[:len(good)/2],
		"png truncated":  pngB.Bytes()[:pngB.Len()/2],
	}
	corrupt := append([]byte(nil), good...)
	for i := len(corrupt) / 3; i < len(corrupt)-2; i += 7 {
		corrupt[i] = 0xff
	}
	cases["jpeg corrupt"] = corrupt
	for name, data := range cases {
		if _, _, err := Decode(bytes.NewReader(data)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestDecodeLimits(t *testing.T) {
	// A PNG header claiming 20000x20000 pixels is rejected from its config,
	// before the (absent) pixel data is read.
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	binary.BigEndian.PutUint32(data[16:], 20000)
	binary.BigEndian.PutUint32(data[20:], 20000)
	binary.BigEndian.PutUint32(data[29:], crc32.ChecksumIEEE(data[12:29])) // IHDR CRC
	_, _, err := Decode(bytes.NewReader(data))
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("20000x20000: %v, want ErrTooLarge", err)
	}
	jpg := encodeJPEG(t, makeTestRGBA(64, 48))
	if _, _, err := DecodeWithOptions(bytes.NewReader(jpg), &DecodeOptions{MaxPixels: 1000}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("MaxPixels: %v", err)
	}
	if _, _, err := DecodeWithOptions(bytes.NewReader(jpg), &DecodeOptions{MaxBytes: 100}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("MaxBytes: %v", err)
	}
}

func TestGrayInput(t *testing.T) {
	g := goldenDir(t)
	data, err := os.ReadFile(filepath.Join(g, "images", "dog.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := DecodeBytes(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	// channels=1: stb_image decodes only the Y plane of a color JPEG.
	dst := make([]float32, 16*16)
	if err := NetworkInput(dst, img, 16, 16, 1, false); err != nil {
		t.Fatal(err)
	}
	y := img.(*image.YCbCr)
	if dst[0] != byteToFloat[y.Y[0]] {
		t.Errorf("gray input[0] = %g, want Y[0]/255 = %g", dst[0], byteToFloat[y.Y[0]])
	}
}
