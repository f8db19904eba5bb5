package main

import (
	"context"
	"image"
	"image/color"
	"path/filepath"
	"testing"

	"github.com/darkgo/darkgo/internal/testvideo"
	"github.com/darkgo/darkgo/video"
	"github.com/darkgo/darkgo/yuv"
)

// TestForWriter: -out_filename's writer takes frames in the format of the
// first one; a frame in another format (a reconnection may bring one) is
// converted into it with its colours, one in the same format passes as it
// is.
func TestForWriter(t *testing.T) {
	ffmpeg := testvideo.FFmpeg(t)
	first := yuv.NewImage(64, 48, image.YCbCrSubsampleRatio420, false, yuv.BT709)
	wr, err := video.Create(context.Background(), filepath.Join(t.TempDir(), "out.mp4"), 64, 48, 10,
		&video.WriterOptions{FFmpeg: ffmpeg, Like: first})
	if err != nil {
		t.Fatal(err)
	}
	v := &videoOutputs{writer: wr}
	if got := v.forWriter(first); got != image.Image(first) {
		t.Errorf("a frame in the writer's format was converted")
	}
	want := color.RGBA{200, 60, 40, 255}
	other := yuv.NewImage(64, 48, image.YCbCrSubsampleRatio422, true, yuv.BT601)
	other.Fill(other.Rect, want)
	rgba := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range rgba.Pix {
		rgba.Pix[i] = []uint8{want.R, want.G, want.B, 255}[i%4]
	}
	for _, img := range []image.Image{other, rgba} {
		got := v.forWriter(img)
		p, ok := got.(*yuv.Image)
		if !ok || p.SubsampleRatio != image.YCbCrSubsampleRatio420 || p.FullRange || p.Matrix != yuv.BT709 {
			t.Fatalf("%T converted to %T", img, got)
		}
		if c := p.At(10, 10).(color.RGBA); diff(c, want) > 3 {
			t.Errorf("%T converted: colour %v, want %v", img, c, want)
		}
		if err := wr.Write(got); err != nil {
			t.Errorf("the converted %T was refused: %v", img, err)
		}
	}
	if err := wr.Close(); err != nil {
		t.Fatal(err)
	}
}
