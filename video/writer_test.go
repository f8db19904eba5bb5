package video

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/darkgo/darkgo/internal/testvideo"
	"github.com/darkgo/darkgo/yuv"
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

// TestWriterYUVRoundTrip writes video frames as decoded (*yuv.Image, of
// several subsamplings, ranges and matrices) and reads them back: the
// frames are piped unconverted (the ffmpeg command line says so), the
// file is tagged with their range and matrix, and grey levels and a
// colour patch survive the lossy codec.
func TestWriterYUVRoundTrip(t *testing.T) {
	testvideo.FFmpeg(t)
	dir := t.TempDir()
	patch := color.RGBA{200, 60, 40, 255}
	for _, c := range []struct {
		name, codec string
		w, h        int
		ratio       image.YCbCrSubsampleRatio
		full        bool
		matrix      yuv.Matrix
		encoderFmt  string // the encoder's -pix_fmt
		readFmt     string // Frame.Format read back
	}{
		{"bt709.mp4", "libx264", 96, 64, image.YCbCrSubsampleRatio420, false, yuv.BT709, "yuv420p", "yuv420p"},
		{"full422.mkv", "libx264", 96, 64, image.YCbCrSubsampleRatio422, true, yuv.BT601, "yuv422p", "yuvj422p"},
		{"odd420.mp4", "libx264", 97, 63, image.YCbCrSubsampleRatio420, false, yuv.BT601, "yuv444p", "yuv444p"},
		{"mjpeg.avi", "mjpeg", 96, 64, image.YCbCrSubsampleRatio420, false, yuv.BT709, "yuvj420p", "yuvj420p"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, c.name)
			img := yuv.NewImage(c.w, c.h, c.ratio, c.full, c.matrix)
			wr, err := Create(context.Background(), path, c.w, c.h, 12, &WriterOptions{Like: img})
			if err != nil {
				t.Fatal(err)
			}
			if wr.Codec() != c.codec {
				t.Errorf("codec %s, want %s", wr.Codec(), c.codec)
			}
			// Nothing converted on the way in: the raw input is the
			// frames' own format and tags; H.264 keeps them.
			args := strings.Join(wr.cmd.Args, " ")
			rng := "tv"
			if c.full {
				rng = "pc"
			}
			tags := "-color_range " + rng + " -colorspace " + colourSpaceName(c.matrix)
			if want := "-f rawvideo -pix_fmt " + FormatOf(img) + " " + tags + " -video_size"; !strings.Contains(args, want) {
				t.Errorf("ffmpeg %s\nwant the input %q", args, want)
			}
			if want := "-pix_fmt " + c.encoderFmt; !strings.Contains(args[strings.Index(args, "-c:v"):], want) {
				t.Errorf("ffmpeg %s\nwant the encoder's %q", args, want)
			}
			const frames = 5
			for k := 0; k < frames; k++ {
				g := uint8(40 + 40*k) // frame k is grey level 40+40k
				img.Fill(img.Rect, color.RGBA{g, g, g, 255})
				img.Fill(image.Rect(0, 0, 32, 32), patch)
				if err := wr.Write(img); err != nil {
					t.Fatal(err)
				}
			}
			// Another format, range or size is refused.
			for _, bad := range []image.Image{image.NewRGBA(image.Rect(0, 0, c.w, c.h)),
				yuv.NewImage(c.w, c.h, c.ratio, !c.full, c.matrix),
				yuv.NewImage(c.w, c.h, c.ratio, c.full, (c.matrix+1)%3),
				yuv.NewImage(c.w+2, c.h, c.ratio, c.full, c.matrix)} {
				if err := wr.Write(bad); err == nil {
					t.Errorf("a %v frame was accepted", describe(bad))
				}
			}
			if err := wr.Close(); err != nil {
				t.Fatal(err)
			}
			src, err := Open(context.Background(), path, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			for n := 0; ; n++ {
				f, err := src.Next()
				if errors.Is(err, io.EOF) {
					if n != frames {
						t.Errorf("%d frames read back, want %d", n, frames)
					}
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				p, ok := f.Image.(*yuv.Image)
				if !ok || f.Format != c.readFmt {
					t.Fatalf("read back as %T %s, want %s", f.Image, f.Format, c.readFmt)
				}
				if c.codec == "libx264" && (p.FullRange != c.full || p.Matrix != c.matrix) {
					t.Errorf("read back tagged full range %v %v, want %v %v", p.FullRange, p.Matrix, c.full, c.matrix)
				}
				want := 40 + 40*n
				near := func(x, y int, want color.RGBA, tol int) {
					got := f.Image.At(x, y).(color.RGBA)
					for k, d := range []int{int(got.R) - int(want.R), int(got.G) - int(want.G), int(got.B) - int(want.B)} {
						if d < -tol || d > tol {
							t.Errorf("frame %d (%d,%d) channel %d: %v, want %v ±%d", n, x, y, k, got, want, tol)
							return
						}
					}
				}
				near(c.w*3/4, c.h*3/4, color.RGBA{uint8(want), uint8(want), uint8(want), 255}, 6)
				near(16, 16, patch, 10)
				f.Release()
			}
		})
	}
	testvideo.NoChildren(t)
}

func describe(img image.Image) string {
	if p, ok := img.(*yuv.Image); ok {
		return fmt.Sprintf("%s %v %s", FormatOf(img), p.Rect.Size(), rangeMatrix(p.FullRange, p.Matrix))
	}
	return fmt.Sprintf("%T", img)
}
