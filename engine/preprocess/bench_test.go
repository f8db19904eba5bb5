package preprocess

import (
	"bytes"
	"github.com/darkgo/darkgo/internal/cputime"
	"github.com/darkgo/darkgo/internal/golden"
	"image"
	"image/draw"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/darkgo/darkgo/yuv"
)

// photo is one of the two photos the benchmarks convert: a 1920×1280 JPEG
// (4:2:0, the size of an exported camera photo) and the 768×576 dog.jpg
// of the golden data (4:4:0).
type photo struct {
	name, path string
	data       []byte
}

func photos(t testing.TB) []photo {
	t.Helper()
	ps := []photo{
		{name: "1920x1280", path: filepath.Join(repoRoot(t), "testdata", "faceapi", "sample1.jpg")},
		{name: "768x576", path: filepath.Join(goldenDir(t), "images", "dog.jpg")},
	}
	for i := range ps {
		data, err := os.ReadFile(ps[i].path)
		if err != nil {
			t.Fatal(err)
		}
		ps[i].data = data
	}
	return ps
}

func decodePhoto(t testing.TB, p photo) image.Image {
	t.Helper()
	img, _, err := DecodeBytes(p.data, nil)
	if err != nil {
		t.Fatalf("%s: %v", p.path, err)
	}
	return img
}

// repoRoot returns the directory holding go.mod above the test directory.
func repoRoot(t testing.TB) string {
	t.Helper()
	return golden.RepoRoot(t)
}

// opaque hides the concrete type of an image so that only the generic
// (At-based) path can handle it.
type opaque struct{ image.Image }

// benchVariants returns img as each image type the fast paths handle.
func benchVariants(img image.Image) []struct {
	name string
	img  image.Image
} {
	b := img.Bounds()
	rgba := image.NewRGBA(b)
	draw.Draw(rgba, b, img, b.Min, draw.Src)
	nrgba := image.NewNRGBA(b)
	draw.Draw(nrgba, b, img, b.Min, draw.Src)
	vs := []struct {
		name string
		img  image.Image
	}{{"ycbcr", img}, {"rgba", rgba}, {"nrgba", nrgba}, {"generic", opaque{nrgba}}}
	// The same planes as a video frame (limited range, BT.709), as the
	// video source delivers 4:2:0 H.264.
	if m, ok := img.(*image.YCbCr); ok && yuv.Supported(m.SubsampleRatio) {
		vs = append(vs, struct {
			name string
			img  image.Image
		}{"yuv", &yuv.Image{YCbCr: *m, Matrix: yuv.BT709}})
	}
	return vs
}

func BenchmarkDecode(b *testing.B) {
	for _, im := range photos(b) {
		b.Run(im.name, func(b *testing.B) {
			b.SetBytes(int64(len(im.data)))
			c0 := cputime.Process()
			for b.Loop() {
				if _, _, err := DecodeBytes(im.data, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cputime.Process()-c0)/1e6/float64(b.N), "cpu-ms/op")
		})
	}
}

func BenchmarkNetworkInput(b *testing.B) {
	for _, im := range photos(b) {
		img := decodePhoto(b, im)
		for _, v := range benchVariants(img) {
			for _, lb := range []bool{false, true} {
				name := im.name + "/" + v.name + "/resize"
				if lb {
					name = im.name + "/" + v.name + "/letterbox"
				}
				b.Run(name, func(b *testing.B) {
					var s Scratch
					dst := make([]float32, 3*416*416)
					c0 := cputime.Process()
					for b.Loop() {
						if err := s.NetworkInput(dst, v.img, 416, 416, 3, lb); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(cputime.Process()-c0)/1e6/float64(b.N), "cpu-ms/op")
				})
			}
		}
	}
}

// BenchmarkInterleaved measures, for each photo, one Decode, one decode with
// image/jpeg (decode-std), one reference NetworkInput (ref: the full float
// image, then resize_image/letterbox_image) and one fast NetworkInput per
// iteration, interleaved so that the shared
// machine's load hits all three alike, and reports the medians of wall and
// process CPU time in milliseconds. Run with e.g. -benchtime 15x.
func BenchmarkInterleaved(b *testing.B) {
	for _, p := range photos(b) {
		img := decodePhoto(b, p)
		for _, lb := range []bool{false, true} {
			name := p.name + "/resize"
			if lb {
				name = p.name + "/letterbox"
			}
			b.Run(name, func(b *testing.B) {
				var fast, ref Scratch
				dst := make([]float32, 3*416*416)
				var wall, cpu [4][]time.Duration
				timeIt := func(i int, f func()) {
					t0, c0 := time.Now(), cputime.Process()
					f()
					wall[i] = append(wall[i], time.Since(t0))
					cpu[i] = append(cpu[i], cputime.Process()-c0)
				}
				for b.Loop() {
					timeIt(0, func() {
						if _, _, err := DecodeBytes(p.data, nil); err != nil {
							b.Fatal(err)
						}
					})
					timeIt(3, func() {
						// What DecodeBytes did with image/jpeg.
						if _, _, err := image.DecodeConfig(bytes.NewReader(p.data)); err != nil {
							b.Fatal(err)
						}
						if _, _, err := image.Decode(bytes.NewReader(p.data)); err != nil {
							b.Fatal(err)
						}
					})
					timeIt(1, func() { ref.networkInputRef(dst, img, 416, 416, 3, lb) })
					timeIt(2, func() {
						if err := fast.NetworkInput(dst, img, 416, 416, 3, lb); err != nil {
							b.Fatal(err)
						}
					})
				}
				med := func(d []time.Duration) float64 {
					d = slices.Clone(d)
					slices.Sort(d)
					return float64(d[len(d)/2]) / 1e6
				}
				for i, what := range []string{"decode", "ref", "fast", "decode-std"} {
					b.ReportMetric(med(wall[i]), what+"-ms")
					b.ReportMetric(med(cpu[i]), what+"-cpu-ms")
				}
				b.ReportMetric(0, "ns/op")
			})
		}
	}
}

// BenchmarkOrient rotates the 1920×1280 photo by 90° (EXIF orientation 6,
// the usual phone photo) with Orient and with the first implementation,
// alternately, and reports the medians of process CPU time.
func BenchmarkOrient(b *testing.B) {
	img := decodePhoto(b, photos(b)[0])
	var cpu [2][]time.Duration
	for b.Loop() {
		for i, f := range []func(image.Image, int) image.Image{orientRef, Orient} {
			c0 := cputime.Process()
			_ = f(img, 6)
			cpu[i] = append(cpu[i], cputime.Process()-c0)
		}
	}
	for i, name := range []string{"ref", "fast"} {
		d := slices.Clone(cpu[i])
		slices.Sort(d)
		b.ReportMetric(float64(d[len(d)/2])/1e6, name+"-cpu-ms")
	}
	b.ReportMetric(0, "ns/op")
}

// BenchmarkVideoFrames converts 1080p 4:2:0 video frames into a 416×416
// input, the same frame each time (hot: in cache) or 16 frames in turn
// (cold: 50 MB, as frames arriving from a decoder are), where the next
// row's prefetch pays.
func BenchmarkVideoFrames(b *testing.B) {
	// 1080p hot (one frame, in cache) and cold (16 frames round robin), 4K
	// hot (its rows' blocks span two 64-byte windows on VBMI).
	for _, f := range []struct {
		n, w, h int
		name    string
	}{{1, 1920, 1080, "hot"}, {16, 1920, 1080, "cold"}, {1, 3840, 2160, "4k-hot"}} {
		n := f.n
		frames := make([]*yuv.Image, n)
		for k := range frames {
			frames[k] = yuv.NewImage(f.w, f.h, image.YCbCrSubsampleRatio420, false, yuv.BT709)
			for i, p := 0, frames[k].Buffer(); i < len(p); i++ {
				p[i] = uint8(i*7 + k)
			}
		}
		b.Run(f.name, func(b *testing.B) {
			var s Scratch
			dst := make([]float32, 3*416*416)
			for i := 0; b.Loop(); i++ {
				if err := s.NetworkInput(dst, frames[i%n], 416, 416, 3, false); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
