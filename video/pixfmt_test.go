package video

import (
	"context"
	"fmt"
	"image"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/darkgo/darkgo/internal/testvideo"
	"github.com/darkgo/darkgo/yuv"
)

// makeClip encodes three frames of ffmpeg's colourful testsrc2 pattern,
// cropped to w×h (at most 64×48), with the given output options into dir/name.
func makeClip(t *testing.T, dir, name string, w, h int, opts ...string) string {
	t.Helper()
	ffmpeg := testvideo.FFmpeg(t)
	out := filepath.Join(dir, name)
	args := append([]string{"-hide_banner", "-loglevel", "error", "-nostdin", "-f", "lavfi",
		"-i", "testsrc2=s=64x48:r=10:d=0.3", "-vf", fmt.Sprintf("format=rgb24,crop=%d:%d:0:0", w, h)}, opts...)
	args = append(args, "-y", out)
	if b, err := exec.Command(ffmpeg, args...).CombinedOutput(); err != nil {
		t.Fatalf("making %s: %v\n%s", name, err, b)
	}
	return out
}

// ffmpegRGB is ffmpeg's own conversion of the file's first frame to
// 8-bit RGB (swscale, which reads the frame's range and matrix tags),
// w×h, after the filter vf if not "".
func ffmpegRGB(t *testing.T, path, vf string, w, h int) []byte {
	t.Helper()
	args := []string{"-hide_banner", "-loglevel", "error", "-nostdin", "-i", path, "-frames:v", "1"}
	if vf != "" {
		args = append(args, "-vf", vf)
	}
	out, err := exec.Command(testvideo.FFmpeg(t), append(args, "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1")...).Output()
	if err != nil {
		t.Fatalf("%s: ffmpeg -pix_fmt rgb24: %v", path, err)
	}
	if len(out) != 3*w*h {
		t.Fatalf("ffmpeg's reference has %d bytes, want %dx%dx3", len(out), w, h)
	}
	return out
}

// meanError is the mean absolute difference, over every pixel and
// channel of the w×h top-left corner, between img read through At and the
// packed RGB ref, refW pixels a row.
func meanError(img image.Image, ref []byte, refW, w, h int) float64 {
	b := img.Bounds()
	sum := 0
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			i := 3 * (y*refW + x)
			for k, v := range [3]uint32{r >> 8, g >> 8, bl >> 8} {
				d := int(v) - int(ref[i+k])
				sum += max(d, -d)
			}
		}
	}
	return float64(sum) / float64(3*w*h)
}

// Tolerances of TestNativeFormats. ffmpeg's converter rounds
// differently and, for 4:2:0 and 4:2:2, may take another chroma sample
// near edges: with the right range and matrix the mean error on
// testsrc2 is 0.4–0.9 of 255 (measured). A wrong matrix (BT.601 for
// BT.709 or back) makes it about 5, a wrong range 4–12.
const (
	goodMean  = 1.5
	wrongMean = 3.0
)

// TestNativeFormats: each source arrives in the format ffmpeg decoded it
// to, unconverted, with the range and matrix of its tags, and its colours
// read back as ffmpeg's own conversion gives them; an RGB source arrives
// as *image.RGBA. The test also checks that it can tell: the same planes
// read with the range or the matrix swapped are far off.
func TestNativeFormats(t *testing.T) {
	dir := t.TempDir()
	x264 := []string{"-c:v", "libx264", "-preset", "ultrafast", "-qp", "0"}
	cases := []struct {
		name   string
		w, h   int
		opts   []string
		format string // Frame.Format
		rgba   bool
		ratio  image.YCbCrSubsampleRatio
		full   bool
		matrix yuv.Matrix
		// refVF is a filter for ffmpeg's reference conversion. swscale's
		// unscaled converter takes the covering chroma sample as Image
		// does, but only for an even height and 8-bit input; otherwise
		// it interpolates chroma, which testsrc2's fine detail turns
		// into mean errors of 3–10. So 10-bit input is compared after
		// ffmpeg's own reduction to 8 bits, and an odd size after
		// padding to 64×48 (the padding's black chroma overwrites the
		// sample the last odd column shares with it: that column is not
		// compared).
		refVF string
	}{
		{"bt709.mp4", 64, 48, append(x264, "-pix_fmt", "yuv420p", "-color_range", "tv", "-colorspace", "bt709",
			"-color_primaries", "bt709", "-color_trc", "bt709"), "yuv420p", false, image.YCbCrSubsampleRatio420, false, yuv.BT709, ""},
		{"untagged.mp4", 64, 48, append(x264, "-pix_fmt", "yuv420p"), "yuv420p", false, image.YCbCrSubsampleRatio420, false, yuv.BT601, ""},
		{"mjpeg.avi", 64, 48, []string{"-c:v", "mjpeg", "-q:v", "2", "-pix_fmt", "yuvj420p"}, "yuvj420p", false, image.YCbCrSubsampleRatio420, true, yuv.BT601, ""},
		{"mjpeg422.avi", 64, 48, []string{"-c:v", "mjpeg", "-q:v", "2", "-pix_fmt", "yuvj422p"}, "yuvj422p", false, image.YCbCrSubsampleRatio422, true, yuv.BT601, ""},
		{"full2020.mkv", 64, 48, []string{"-c:v", "ffv1", "-pix_fmt", "yuv444p", "-color_range", "pc", "-colorspace", "bt2020nc"},
			"yuv444p", false, image.YCbCrSubsampleRatio444, true, yuv.BT2020, ""},
		{"odd.mkv", 33, 17, []string{"-c:v", "ffv1", "-pix_fmt", "yuv420p"}, "yuv420p", false, image.YCbCrSubsampleRatio420, false, yuv.BT601, "pad=64:48"},
		{"10bit.mkv", 64, 48, append(x264, "-pix_fmt", "yuv420p10le"), "yuv420p", false, image.YCbCrSubsampleRatio420, false, yuv.BT601, "format=yuv420p"},
		{"rgba_%02d.png", 33, 17, []string{"-pix_fmt", "rgba"}, "rgba", true, 0, false, 0, ""},
		{"rgb_%02d.png", 64, 48, []string{"-pix_fmt", "rgb24"}, "rgba", true, 0, false, 0, ""},
		{"gray_%02d.png", 33, 17, []string{"-pix_fmt", "gray"}, "gray", false, image.YCbCrSubsampleRatio420, true, yuv.BT601, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := makeClip(t, dir, c.name, c.w, c.h, c.opts...)
			src, err := Open(context.Background(), path, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			f, err := src.Next()
			if err != nil {
				t.Fatal(err)
			}
			defer f.Release()
			if f.Format != c.format {
				t.Errorf("Format %q, want %q", f.Format, c.format)
			}
			if b := f.Image.Bounds(); b != image.Rect(0, 0, c.w, c.h) {
				t.Errorf("bounds %v, want %dx%d", b, c.w, c.h)
			}
			refW, refH, cmpW := c.w, c.h, c.w
			if c.refVF == "pad=64:48" {
				refW, refH, cmpW = 64, 48, c.w&^1
			}
			ref := ffmpegRGB(t, path, c.refVF, refW, refH)
			meanErr := func(img image.Image) float64 { return meanError(img, ref, refW, cmpW, c.h) }
			if c.rgba {
				if _, ok := f.Image.(*image.RGBA); !ok {
					t.Fatalf("a %T, want *image.RGBA", f.Image)
				}
				if e := meanErr(f.Image); e != 0 {
					t.Errorf("RGBA differs from ffmpeg's rgb24 by %.2f on average", e)
				}
				return
			}
			p, ok := f.Image.(*yuv.Image)
			if !ok {
				t.Fatalf("a %T, want *yuv.Image", f.Image)
			}
			if p.SubsampleRatio != c.ratio || p.FullRange != c.full || p.Matrix != c.matrix {
				t.Errorf("%v full range %v %v, want %v %v %v", p.SubsampleRatio, p.FullRange, p.Matrix, c.ratio, c.full, c.matrix)
			}
			cw, ch := yuv.ChromaSize(c.w, c.h, c.ratio)
			if len(p.Y) != c.w*c.h || len(p.Cb) != cw*ch || len(p.Cr) != cw*ch || p.YStride != c.w || p.CStride != cw {
				t.Errorf("planes %d/%d/%d strides %d/%d, want %d/%d/%d, %d/%d", len(p.Y), len(p.Cb), len(p.Cr),
					p.YStride, p.CStride, c.w*c.h, cw*ch, cw*ch, c.w, cw)
			}
			e := meanErr(p)
			t.Logf("mean error %.2f", e)
			if e > goodMean {
				t.Errorf("colours differ from ffmpeg's conversion by %.2f on average (> %.1f)", e, goodMean)
			}
			if c.format == "gray" {
				for i := range p.Cb {
					if p.Cb[i] != 128 || p.Cr[i] != 128 {
						t.Fatalf("gray frame: chroma %d,%d at %d, want 128", p.Cb[i], p.Cr[i], i)
					}
				}
			}
			// The test can tell a wrong range or matrix.
			q := *p
			q.FullRange = !q.FullRange
			if e := meanErr(&q); e < wrongMean {
				t.Errorf("with the range swapped the error is only %.2f", e)
			}
			if c.format != "gray" { // gray has no colour for the matrix to mix
				q = *p
				q.Matrix = map[yuv.Matrix]yuv.Matrix{yuv.BT601: yuv.BT709, yuv.BT709: yuv.BT601, yuv.BT2020: yuv.BT601}[p.Matrix]
				if e := meanErr(&q); e < wrongMean {
					t.Errorf("with matrix %v the error is only %.2f", q.Matrix, e)
				}
			}
		})
	}
	testvideo.NoChildren(t)
}
