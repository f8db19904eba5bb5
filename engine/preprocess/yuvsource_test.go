package preprocess

import (
	"image"
	"math/rand"
	"testing"

	"github.com/darkgo/darkgo/yuv"
)

// TestYUVToRGB8MatchesAt: the reference conversion of a video frame is
// the frame's own At (the colours any image consumer sees), for every
// ratio, range and matrix, sub-images at odd offsets included.
func TestYUVToRGB8MatchesAt(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for _, r := range []image.YCbCrSubsampleRatio{
		image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420,
	} {
		for _, full := range []bool{false, true} {
			for _, mat := range []yuv.Matrix{yuv.BT601, yuv.BT709, yuv.BT2020} {
				m := &yuv.Image{YCbCr: *image.NewYCbCr(image.Rect(3, 5, 40, 31), r), FullRange: full, Matrix: mat}
				for _, p := range [][]uint8{m.Y, m.Cb, m.Cr} {
					for i := range p {
						p[i] = uint8(rng.Intn(256))
					}
				}
				for _, img := range []image.Image{m, m.SubImage(image.Rect(4, 6, 39, 30))} {
					var got rgb8
					toRGB8(img, &got)
					b := img.Bounds()
					i := 0
					for y := b.Min.Y; y < b.Max.Y; y++ {
						for x := b.Min.X; x < b.Max.X; x++ {
							want := straightRGB(img.At(x, y))
							if got.pix[i] != want[0] || got.pix[i+1] != want[1] || got.pix[i+2] != want[2] {
								t.Fatalf("%v full=%v %v %v: pixel %d,%d = %v, At %v", r, full, mat, b, x, y, got.pix[i:i+3], want)
							}
							i += 3
						}
					}
				}
			}
		}
	}
}
