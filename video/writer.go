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
)

// WriterOptions tune Create.
type WriterOptions struct {
	// FFmpeg is the ffmpeg executable; "" looks for "ffmpeg" on PATH.
	FFmpeg string
	// Codec is the ffmpeg video encoder; "" picks libx264 (H.264) when
	// ffmpeg has it and the file is not .avi, else mjpeg.
	Codec string
}

// Writer encodes frames into a video file through ffmpeg.
type Writer struct {
	path   string
	codec  string
	w, h   int
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
	args := []string{"-hide_banner", "-nostats", "-loglevel", "error", "-nostdin",
		"-f", "rawvideo", "-pix_fmt", "rgba", "-video_size", fmt.Sprintf("%dx%d", w, h),
		"-framerate", strconv.FormatFloat(fps, 'g', -1, 64), "-i", "pipe:0", "-an", "-c:v", codec}
	switch codec {
	case "libx264":
		// 4:2:0 needs even sizes; odd ones keep every pixel in 4:4:4.
		pix := "yuv420p"
		if w%2 != 0 || h%2 != 0 {
			pix = "yuv444p"
		}
		args = append(args, "-preset", "veryfast", "-crf", "23", "-pix_fmt", pix)
	case "mjpeg":
		args = append(args, "-q:v", "3", "-pix_fmt", "yuvj444p")
	}
	args = append(args, "-y", path)
	cmd := exec.CommandContext(ctx, ffmpeg, args...)
	cmd.SysProcAttr = childAttr()
	cmd.WaitDelay = 5 * time.Second
	wr := &Writer{path: path, codec: codec, w: w, h: h, cmd: cmd, ended: make(chan struct{})}
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

// Write encodes one frame; it must have the writer's size.
func (wr *Writer) Write(img *image.RGBA) error {
	if wr.err != nil {
		return wr.err
	}
	b := img.Rect
	if b.Dx() != wr.w || b.Dy() != wr.h {
		return fmt.Errorf("%s: frame is %dx%d, the video %dx%d", wr.path, b.Dx(), b.Dy(), wr.w, wr.h)
	}
	row := 4 * wr.w
	var err error
	if img.Stride == row {
		_, err = wr.stdin.Write(img.Pix[:row*wr.h])
	} else {
		for y := 0; y < wr.h && err == nil; y++ {
			_, err = wr.stdin.Write(img.Pix[y*img.Stride : y*img.Stride+row])
		}
	}
	if err != nil {
		wr.err = wr.failure(err)
		return wr.err
	}
	wr.frames++
	return nil
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
