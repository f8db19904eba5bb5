package preprocess

import (
	"fmt"
	"image"
	"math"
	"math/rand"
	"testing"

	"github.com/darkgo/darkgo/yuv"
)

// TestSplitMatchesWhole: NetworkInput split over 2–5 goroutines
// (SetParts) writes the same bits as on one, for every image type, a
// video frame (*yuv.Image), up- and downscaling, letterbox on and off and
// splits that leave a part of a few rows; the same Scratch and helpers
// are reused across cases so that stale state would show.
func TestSplitMatchesWhole(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	var whole, split Scratch
	for _, sz := range [][2]int{{320, 180}, {97, 301}} {
		imgs := testImages(rng, sz[0], sz[1])
		imgs = append(imgs, struct {
			name string
			img  image.Image
		}{"yuv420", randomFrame(rng, sz[0], sz[1])})
		for _, im := range imgs {
			for _, o := range [][2]int{{416, 416}, {33, 70}} {
				for _, lb := range []bool{false, true} {
					for _, parts := range []int{2, 3, 5} {
						c := 3
						if parts == 5 {
							c = 1
						}
						name := fmt.Sprintf("%s %v -> %v c=%d letterbox=%v parts=%d", im.name, sz, o, c, lb, parts)
						want := make([]float32, c*o[0]*o[1])
						got := make([]float32, len(want))
						whole.SetParts(1)
						if err := whole.NetworkInput(want, im.img, o[0], o[1], c, lb); err != nil {
							t.Fatal(err)
						}
						split.SetParts(parts)
						if err := split.NetworkInput(got, im.img, o[0], o[1], c, lb); err != nil {
							t.Fatal(err)
						}
						for i := range want {
							if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
								t.Fatalf("%s: value %d = %v, whole %v", name, i, got[i], want[i])
							}
						}
					}
				}
			}
		}
	}
	if len(split.helpers) == 0 {
		t.Fatal("no part ran on a helper: the test did not split")
	}
}

// randomFrame is a w×h BT.709 4:2:0 video frame of random samples.
func randomFrame(rng *rand.Rand, w, h int) *yuv.Image {
	m := &yuv.Image{YCbCr: *image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420), Matrix: yuv.BT709}
	for _, p := range [][]uint8{m.Y, m.Cb, m.Cr} {
		for i := range p {
			p[i] = uint8(rng.Intn(256))
		}
	}
	return m
}

// BenchmarkSplit: a 1280×720 4:2:0 video frame into 416×416 on 1 and 2
// goroutines (the live path's SetParts).
func BenchmarkSplit(b *testing.B) {
	m := randomFrame(rand.New(rand.NewSource(1)), 1280, 720)
	dst := make([]float32, 3*416*416)
	for _, parts := range []int{1, 2} {
		b.Run(fmt.Sprintf("parts=%d", parts), func(b *testing.B) {
			var s Scratch
			s.SetParts(parts)
			for b.Loop() {
				if err := s.NetworkInput(dst, m, 416, 416, 3, false); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
