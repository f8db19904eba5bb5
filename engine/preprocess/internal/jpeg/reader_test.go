package jpeg

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/darkgo/darkgo/internal/cputime"
	"github.com/darkgo/darkgo/internal/golden"
	"image"
	"image/color"
	stdjpeg "image/jpeg"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// corpus returns JPEG files to decode: the standard library's own test
// images (testdata/, copied from Go's src/image/testdata: every
// subsampling, progressive, restart markers, RGB, CMYK, gray), darkgo's
// preprocess fixtures (stb_image comparison files), two photos, and
// images encoded here at several qualities.
func corpus(t *testing.T) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	var paths []string
	for _, pat := range []string{"testdata/*.jpeg", "../../testdata/*.jpg"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, m...)
	}
	root := repoRoot(t)
	paths = append(paths,
		filepath.Join(root, "testdata", "faceapi", "sample1.jpg"),
		filepath.Join(root, "testdata", "faceapi", "sample5.jpg"),
		filepath.Join(root, "..", "shared", "golden", "images", "dog.jpg"))
	if len(paths) < 30 {
		t.Fatalf("only %d test JPEGs found", len(paths))
	}
	for _, p := range paths {
		if b := filepath.Base(p); strings.HasPrefix(b, "prog_restart") || strings.HasPrefix(b, "prog_mix_4x1") {
			// image/jpeg cannot read restart markers in non-interleaved
			// scans of subsampled images, nor non-interleaved scans of a
			// component whose factors are not the largest but not 1 (see
			// units and compW in processSOS); this copy can, and
			// TestSTBFixtures checks its pixels.
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[p] = b
	}
	rng := rand.New(rand.NewSource(1))
	for _, q := range []int{1, 20, 75, 95, 100} {
		for _, sz := range [][2]int{{1, 1}, {7, 5}, {17, 33}, {64, 48}} {
			rgb := image.NewNRGBA(image.Rect(0, 0, sz[0], sz[1]))
			for i := range rgb.Pix {
				rgb.Pix[i] = uint8(rng.Intn(256))
			}
			gray := image.NewGray(rgb.Rect)
			copy(gray.Pix, rgb.Pix)
			for _, m := range []image.Image{rgb, gray} {
				var buf bytes.Buffer
				if err := stdjpeg.Encode(&buf, m, &stdjpeg.Options{Quality: q}); err != nil {
					t.Fatal(err)
				}
				files[fmt.Sprintf("encoded q%d %T %v", q, m, sz)] = buf.Bytes()
			}
		}
	}
	return files
}

func repoRoot(t testing.TB) string {
	t.Helper()
	return golden.RepoRoot(t)
}

// sameDecode decodes data with this package, using image/jpeg's IDCT
// instead of stb_image's, and with image/jpeg, and reports any difference:
// both must fail with the same message, or both succeed with identical
// images (type, bounds, strides, every sample). So everything but the IDCT
// (markers, Huffman decoding, progressive refinement, restarts, layout,
// errors) is checked against the standard library; idct_test.go and the
// stb_image fixtures check the IDCT. CMYK images must give ErrCMYK here.
func sameDecode(data []byte) error {
	want, werr := stdjpeg.Decode(bytes.NewReader(data))
	d := decoder{reconstruct: stdlibReconstruct}
	got, gerr := d.decodeImage(bytes.NewReader(data))
	if errors.Is(gerr, ErrCMYK) {
		if werr != nil || want.ColorModel() != color.CMYKModel {
			return fmt.Errorf("ErrCMYK for a non-CMYK image (image/jpeg: %v)", werr)
		}
		return nil
	}
	if (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
		return fmt.Errorf("error %v, image/jpeg: %v", gerr, werr)
	}
	if gerr != nil {
		return nil
	}
	switch w := want.(type) {
	case *image.YCbCr:
		g, ok := got.(*image.YCbCr)
		if !ok {
			return fmt.Errorf("got %T, image/jpeg %T", got, want)
		}
		if g.Rect != w.Rect || g.SubsampleRatio != w.SubsampleRatio || g.YStride != w.YStride || g.CStride != w.CStride {
			return fmt.Errorf("layout %v %v %d %d, image/jpeg %v %v %d %d",
				g.Rect, g.SubsampleRatio, g.YStride, g.CStride, w.Rect, w.SubsampleRatio, w.YStride, w.CStride)
		}
		for _, p := range []struct {
			name string
			g, w []uint8
		}{{"Y", g.Y, w.Y}, {"Cb", g.Cb, w.Cb}, {"Cr", g.Cr, w.Cr}} {
			if !bytes.Equal(p.g, p.w) {
				return fmt.Errorf("%s plane differs", p.name)
			}
		}
	case *image.Gray:
		g, ok := got.(*image.Gray)
		if !ok || g.Rect != w.Rect || g.Stride != w.Stride || !bytes.Equal(g.Pix, w.Pix) {
			return fmt.Errorf("gray image differs")
		}
	case *image.RGBA:
		g, ok := got.(*image.RGBA)
		if !ok || g.Rect != w.Rect || g.Stride != w.Stride || !bytes.Equal(g.Pix, w.Pix) {
			return fmt.Errorf("RGB image differs")
		}
	default:
		return fmt.Errorf("image/jpeg returned %T", want)
	}
	return nil
}

// TestMatchesStdlib: every file of the corpus decodes to exactly what
// image/jpeg returns.
func TestMatchesStdlib(t *testing.T) {
	for name, data := range corpus(t) {
		if err := sameDecode(data); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestCorruptMatchesStdlib: truncated and damaged files fail (or decode)
// exactly as with image/jpeg.
func TestCorruptMatchesStdlib(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	files := corpus(t)
	n := 0
	for name, data := range files {
		if len(data) > 50000 {
			continue // the photos: slow, and the small files cover the same code
		}
		for k := 0; k < 20; k++ {
			b := append([]byte(nil), data...)
			if k%4 == 0 {
				b = b[:rng.Intn(len(b))]
			} else {
				for j := 0; j < 1+rng.Intn(4); j++ {
					b[rng.Intn(len(b))] = uint8(rng.Intn(256))
				}
			}
			if err := sameDecode(b); err != nil {
				t.Errorf("%s, damaged copy %d: %v", name, k, err)
			}
			n++
		}
	}
	t.Logf("%d damaged files", n)
}

func FuzzMatchesStdlib(f *testing.F) {
	for _, p := range []string{"testdata/video-001.q50.420.progressive.jpeg", "testdata/video-001.restart2.jpeg", "testdata/video-005.gray.jpeg"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if cfg, err := stdjpeg.DecodeConfig(bytes.NewReader(b)); err != nil || cfg.Width*cfg.Height > 1<<20 {
			return
		}
		if err := sameDecode(b); err != nil {
			t.Fatal(err)
		}
	})
}

// BenchmarkDecode decodes two photos with image/jpeg and with this copy,
// alternately, and reports the median wall and process CPU time of each
// (the benchmark machine is shared: interleaving exposes both to the same
// load). Run with e.g. -benchtime 40x.
func BenchmarkDecode(b *testing.B) {
	root := repoRoot(b)
	for _, p := range []struct{ name, path string }{
		{"1920x1280", filepath.Join(root, "testdata", "faceapi", "sample1.jpg")},
		{"768x576", filepath.Join(root, "..", "shared", "golden", "images", "dog.jpg")},
	} {
		data, err := os.ReadFile(p.path)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(p.name, func(b *testing.B) {
			var wall, cpu [2][]time.Duration
			for b.Loop() {
				for i, dec := range []func(io.Reader) (image.Image, error){stdjpeg.Decode, Decode} {
					t0, c0 := time.Now(), cputime.Process()
					if _, err := dec(bytes.NewReader(data)); err != nil {
						b.Fatal(err)
					}
					wall[i] = append(wall[i], time.Since(t0))
					cpu[i] = append(cpu[i], cputime.Process()-c0)
				}
			}
			med := func(d []time.Duration) float64 {
				d = slices.Clone(d)
				slices.Sort(d)
				return float64(d[len(d)/2]) / 1e6
			}
			for i, name := range []string{"std", "fast"} {
				b.ReportMetric(med(wall[i]), name+"-ms")
				b.ReportMetric(med(cpu[i]), name+"-cpu-ms")
			}
			b.ReportMetric(0, "ns/op")
		})
	}
}
