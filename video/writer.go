package video

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/darkgo/darkgo/yuv"
)

// WriterOptions tune Create.
type WriterOptions struct {
	// FFmpeg is the ffmpeg executable; "" looks for "ffmpeg" on PATH.
	FFmpeg string
	// Codec is the ffmpeg video encoder; "" picks libx264 (H.264) when
	// ffmpeg has it and the file is not .avi, else mjpeg.
	Codec string
	// Like is a frame like the ones that will be written: its type,
	// subsampling, range and matrix (not its size or pixels) fix the raw
	// format piped to ffmpeg. nil means *image.RGBA. A *yuv.Image (4:2:0,
	// 4:2:2 or 4:4:4) is piped as it is, tagged with its range and
	// matrix, and H.264 keeps its subsampling and tags, so nothing is
	// converted and the colours stay right; MJPEG, which is full range,
	// gets ffmpeg's range conversion.
	Like image.Image
}

// Writer encodes frames into a video file through ffmpeg.
type Writer struct {
	path   string
	codec  string
	w, h   int
	format string // FormatOf the frames
	colour colour // of *yuv.Image frames
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	tail   stderrTail
	ended  chan struct{}
	frames int64
	err    error
}

// Create starts encoding a w×h video at fps frames per second (0: 25)
// into path, replacing it. The container follows the extension (.mp4,
// .mkv, .avi, …).
func Create(ctx context.Context, path string, w, h int, fps float64, opts *WriterOptions) (*Writer, error) {
	var o WriterOptions
	if opts != nil {
		o = *opts
	}
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("%s: invalid video size %dx%d", path, w, h)
	}
	if fps <= 0 {
		fps = 25
	}
	ffmpeg, err := findFFmpeg(o.FFmpeg)
	if err != nil {
		return nil, err
	}
	codec := o.Codec
	if codec == "" {
		codec = "mjpeg"
		if strings.ToLower(filepath.Ext(path)) != ".avi" && hasEncoder(ffmpeg, "libx264") {
			codec = "libx264"
		}
	}
	format, col := "rgba", colour{}
	if o.Like != nil {
		if format = FormatOf(o.Like); format == "" {
			return nil, fmt.Errorf("%s: cannot write %T frames (want *image.RGBA or a 4:2:0, 4:2:2 or 4:4:4 *yuv.Image)", path, o.Like)
		}
		if p, ok := o.Like.(*yuv.Image); ok {
			col = colour{full: p.FullRange, matrix: p.Matrix}
		}
	}
	args := []string{"-hide_banner", "-nostats", "-loglevel", "error", "-nostdin",
		"-f", "rawvideo", "-pix_fmt", format}
	var tags []string // the frames' range and matrix, for input and output alike
	if format != "rgba" {
		tags = []string{"-color_range", "tv", "-colorspace", colourSpaceName(col.matrix)}
		if col.full {
			tags[1] = "pc"
		}
		args = append(args, tags...)
	}
	args = append(args, "-video_size", fmt.Sprintf("%dx%d", w, h),
		"-framerate", strconv.FormatFloat(fps, 'g', -1, 64), "-i", "pipe:0", "-an", "-c:v", codec)
	switch codec {
	case "libx264":
		// H.264 keeps the frames' subsampling. 4:2:0 needs even sizes and
		// 4:2:2 an even width: odd ones keep every pixel in 4:4:4 (ffmpeg
		// upsamples the chroma, losing nothing). RGBA becomes 4:2:0.
		pix := format
		if format == "rgba" {
			pix = "yuv420p"
		}
		if pix == "yuv420p" && (w%2 != 0 || h%2 != 0) || pix == "yuv422p" && w%2 != 0 {
			pix = "yuv444p"
		}
		args = append(args, "-preset", "veryfast", "-crf", "23", "-pix_fmt", pix)
	case "mjpeg":
		// MJPEG is JPEG's Y'CbCr (full range BT.601): yuvj* of the
		// frames' subsampling, the range and matrix converted by ffmpeg
		// (its format conversion alone would keep another matrix's
		// samples as they are, shifting the colours).
		pix := "yuvj444p"
		if format != "rgba" {
			pix = "yuvj" + strings.TrimPrefix(format, "yuv")
			args = append(args, "-vf", "scale=out_color_matrix=bt601:out_range=pc")
		}
		args = append(args, "-q:v", "3", "-pix_fmt", pix)
	}
	if tags != nil && codec != "mjpeg" {
		args = append(args, tags...)
	}
	args = append(args, "-y", path)
	cmd := exec.CommandContext(ctx, ffmpeg, args...)
	cmd.SysProcAttr = childAttr()
	cmd.WaitDelay = 5 * time.Second
	wr := &Writer{path: path, codec: codec, w: w, h: h, format: format, colour: col, cmd: cmd, ended: make(chan struct{})}
	if wr.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: starting %s: %v", path, ffmpeg, rootCause(err))
	}
	go func() {
		defer close(wr.ended)
		buf := make([]byte, 4096)
		var line []byte
		for {
			n, err := stderr.Read(buf)
			for _, c := range buf[:n] {
				if c == '\n' || c == '\r' {
					wr.tail.add(string(line))
					line = line[:0]
				} else if len(line) < 1000 {
					line = append(line, c)
				}
			}
			if err != nil {
				wr.tail.add(string(line))
				return
			}
		}
	}()
	return wr, nil
}

// Codec is the ffmpeg encoder in use.
func (wr *Writer) Codec() string { return wr.codec }

// Frames is how many frames have been written.
func (wr *Writer) Frames() int64 { return wr.frames }

// Format is the raw pixel format the writer takes (FormatOf its frames),
// and for Y'CbCr frames their range and matrix.
func (wr *Writer) Format() (name string, fullRange bool, m yuv.Matrix) {
	return wr.format, wr.colour.full, wr.colour.matrix
}

// Write encodes one frame. It must have the writer's size and format:
// an *image.RGBA, or a *yuv.Image with the subsampling, range and matrix
// of WriterOptions.Like.
func (wr *Writer) Write(img image.Image) error {
	if wr.err != nil {
		return wr.err
	}
	b := img.Bounds()
	if b.Dx() != wr.w || b.Dy() != wr.h {
		return fmt.Errorf("%s: frame is %dx%d, the video %dx%d", wr.path, b.Dx(), b.Dy(), wr.w, wr.h)
	}
	if f := FormatOf(img); f != wr.format {
		return fmt.Errorf("%s: frame is %s, the video takes %s frames", wr.path, describeFormat(f, img), wr.format)
	}
	var err error
	switch p := img.(type) {
	case *image.RGBA:
		err = writeRows(wr.stdin, p.Pix, p.Stride, 4*wr.w, wr.h)
	case *yuv.Image:
		if p.FullRange != wr.colour.full || p.Matrix != wr.colour.matrix {
			return fmt.Errorf("%s: frame is %s, the video takes %s", wr.path, rangeMatrix(p.FullRange, p.Matrix), rangeMatrix(wr.colour.full, wr.colour.matrix))
		}
		if buf := p.Buffer(); buf != nil {
			_, err = wr.stdin.Write(buf)
			break
		}
		cw, ch := yuv.ChromaSize(wr.w, wr.h, p.SubsampleRatio)
		err = writeRows(wr.stdin, p.Y, p.YStride, wr.w, wr.h)
		if err == nil {
			err = writeRows(wr.stdin, p.Cb, p.CStride, cw, ch)
		}
		if err == nil {
			err = writeRows(wr.stdin, p.Cr, p.CStride, cw, ch)
		}
	}
	if err != nil {
		wr.err = wr.failure(err)
		return wr.err
	}
	wr.frames++
	return nil
}

// writeRows writes h rows of n bytes, stride apart in pix.
func writeRows(w io.Writer, pix []byte, stride, n, h int) error {
	if stride == n {
		_, err := w.Write(pix[:n*h])
		return err
	}
	for y := 0; y < h; y++ {
		if _, err := w.Write(pix[y*stride : y*stride+n]); err != nil {
			return err
		}
	}
	return nil
}

// colourSpaceName is ffmpeg's name of a matrix (-colorspace).
func colourSpaceName(m yuv.Matrix) string {
	switch m {
	case yuv.BT709:
		return "bt709"
	case yuv.BT2020:
		return "bt2020nc"
	}
	return "bt470bg" // BT.601, as ffmpeg tags JPEG
}

func rangeMatrix(full bool, m yuv.Matrix) string {
	r := "limited"
	if full {
		r = "full"
	}
	return fmt.Sprintf("%s range %s", r, m)
}

func describeFormat(f string, img image.Image) string {
	if f == "" {
		return fmt.Sprintf("a %T", img)
	}
	return f
}

// failure turns a broken pipe into ffmpeg's reason for exiting.
func (wr *Writer) failure(err error) error {
	wr.stdin.Close()
	werr := wr.wait()
	if r := wr.tail.reason(wr.path); r != "" {
		return fmt.Errorf("%s: %s", wr.path, r)
	}
	if werr != nil {
		return fmt.Errorf("%s: ffmpeg: %v", wr.path, werr)
	}
	return fmt.Errorf("%s: %v", wr.path, err)
}

func (wr *Writer) wait() error {
	select {
	case <-wr.ended:
	case <-time.After(5 * time.Second):
	}
	if wr.cmd.ProcessState != nil {
		return nil
	}
	return wr.cmd.Wait()
}

// Close finishes the file (ffmpeg writes the index) and reaps ffmpeg.
func (wr *Writer) Close() error {
	if wr.cmd.ProcessState != nil {
		return wr.err
	}
	wr.stdin.Close()
	err := wr.wait()
	if wr.err != nil {
		return wr.err
	}
	if err != nil {
		if r := wr.tail.reason(wr.path); r != "" {
			return fmt.Errorf("%s: %s", wr.path, r)
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("%s: ffmpeg failed (%v)", wr.path, err)
		}
		return fmt.Errorf("%s: %w", wr.path, err)
	}
	return nil
}
