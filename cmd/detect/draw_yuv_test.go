package main

import (
	"image"
	"image/color"
	"image/draw"
	"testing"

	"github.com/darkgo/darkgo/engine/detect"
	"github.com/darkgo/darkgo/yuv"
)

// TestDrawOnYUV draws the same detection on an RGBA image and on video
// frames as decoded (*yuv.Image, every subsampling, range and matrix),
// all grey: on the frames the box edge has the class colour, the label's
// text contrasts with its background as on RGBA, and with 4:4:4 chroma
// (no sharing) every pixel matches the RGBA drawing, since blending in
// Y'CbCr is blending in RGB.
func TestDrawOnYUV(t *testing.T) {
	const w, h = 240, 160
	m := &model{names: []string{"face", "cat", "dog"}, classes: 3}
	det := &detect.Detection{Box: detect.Box{X: 0.5, Y: 0.6, W: 0.4, H: 0.5}, Prob: []float32{0, 0.9, 0}}
	rep := []detect.Labeled{{Detection: det, Class: 1, Prob: 0.9}}
	grey := color.RGBA{128, 128, 128, 255}
	ref := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(ref, ref.Rect, image.NewUniform(grey), image.Point{}, draw.Src)
	drawBoxes(ref, rep, []int{7}, m)
	boxColour := classColor(1, 3)
	pb := det.Box.Pixels(w, h)
	// The label sits above the box; its background is the class colour,
	// its text black or white. Glyph pixels are where the RGBA drawing
	// differs from the background colour.
	label := image.Rect(pb.Left, 0, w, pb.Top)
	for _, ratio := range []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420} {
		for _, full := range []bool{false, true} {
			for _, mx := range []yuv.Matrix{yuv.BT601, yuv.BT709} {
				img := yuv.NewImage(w, h, ratio, full, mx)
				img.Fill(img.Rect, grey)
				drawBoxes(img, rep, []int{7}, m)
				name := ratio.String() + " " + rangeName(full) + " " + mx.String()
				// The middle of the box's left edge (3 px wide at this
				// size: 2 of colour inside a 1 px dark frame).
				y := (pb.Top + pb.Bottom) / 2
				if got := img.At(pb.Left+1, y).(color.RGBA); !near(got, boxColour, 4) {
					t.Errorf("%s: box edge %v, want the class colour %v", name, got, boxColour)
				}
				if got := img.At(pb.Left+10, y).(color.RGBA); !near(got, grey, 2) {
					t.Errorf("%s: inside the box %v, want the frame's grey", name, got)
				}
				var glyphs, bg, maxDiff int
				var glyphLuma, bgLuma float64
				for y := label.Min.Y; y < label.Max.Y; y++ {
					for x := label.Min.X; x < label.Max.X; x++ {
						want := ref.RGBAAt(x, y)
						got := img.At(x, y).(color.RGBA)
						if d := diff(got, want); d > maxDiff {
							maxDiff = d
						}
						l := 0.299*float64(got.R) + 0.587*float64(got.G) + 0.114*float64(got.B)
						switch {
						case want == boxColour:
							bg++
							bgLuma += l
						case want == textColor(boxColour):
							glyphs++
							glyphLuma += l
						}
					}
				}
				if glyphs < 50 || bg < 500 {
					t.Fatalf("%s: label not found in the RGBA drawing (%d glyph, %d background pixels)", name, glyphs, bg)
				}
				if c := glyphLuma/float64(glyphs) - bgLuma/float64(bg); c > -80 && c < 80 {
					t.Errorf("%s: text luma differs from its background by %.0f: unreadable", name, c)
				}
				if ratio == image.YCbCrSubsampleRatio444 && maxDiff > 3 {
					t.Errorf("%s: the label differs from the RGBA drawing by up to %d", name, maxDiff)
				}
			}
		}
	}
}

func rangeName(full bool) string {
	if full {
		return "full"
	}
	return "limited"
}

func diff(a, b color.RGBA) int {
	d := 0
	for _, v := range []int{int(a.R) - int(b.R), int(a.G) - int(b.G), int(a.B) - int(b.B)} {
		d = max(d, v, -v)
	}
	return d
}

func near(a, b color.RGBA, tol int) bool { return diff(a, b) <= tol }
