package video

import (
	"context"
	"errors"
	"github.com/darkgo/darkgo/internal/testvideo"
	"image"
	"image/color"
	"io"
	"path/filepath"
	"testing"
)

// TestWriterRoundTrip encodes frames (even and odd sizes, H.264 and
// MJPEG) and reads them back: same count, size and rate, and the pixels
// survive the lossy codec approximately.
func TestWriterRoundTrip(t *testing.T) {
	testvideo.FFmpeg(t)
	dir := t.TempDir()
	for _, c := range []struct {
		name, codec string
		w, h        int
	}{{"even.mp4", "libx264", 96, 64}, {"odd.mp4", "libx264", 97, 63}, {"odd.avi", "mjpeg", 97, 63}} {
		path := filepath.Join(dir, c.name)
		wr, err := Create(context.Background(), path, c.w, c.h, 12, nil)
		if err != nil {
			t.Fatal(err)
		}
		if wr.Codec() != c.codec {
			t.Errorf("%s: codec %s, want %s", c.name, wr.Codec(), c.codec)
		}
		const frames = 7
		img := image.NewRGBA(image.Rect(0, 0, c.w, c.h))
		for k := 0; k < frames; k++ {
			for i := range img.Pix {
				img.Pix[i] = uint8(k * 30) // frame k is grey level 30k
				if i%4 == 3 {
					img.Pix[i] = 255
				}
			}
			if err := wr.Write(img); err != nil {
				t.Fatal(err)
			}
		}
		if err := wr.Write(image.NewRGBA(image.Rect(0, 0, 5, 5))); err == nil {
			t.Errorf("%s: a frame of another size was accepted", c.name)
		}
		if err := wr.Close(); err != nil {
			t.Fatal(err)
		}
		src, err := Open(context.Background(), path, nil)
		if err != nil {
			t.Fatal(err)
		}
		info := src.Info()
		if info.Width != c.w || info.Height != c.h || info.FPS != 12 {
			t.Errorf("%s: read back as %+v", c.name, info)
		}
		n := 0
		for {
			f, err := src.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if g := int(f.Image.At(c.w/2, c.h/2).(color.RGBA).R); g < n*30-6 || g > n*30+6 {
				t.Errorf("%s frame %d: grey %d, want %d", c.name, n, g, n*30)
			}
			f.Release()
			n++
		}
		src.Close()
		if n != frames {
			t.Errorf("%s: %d frames read back, want %d", c.name, n, frames)
		}
	}
	testvideo.NoChildren(t)
}
