package video

import (
	"context"
	"errors"
	"github.com/darkgo/darkgo/internal/testvideo"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// readAll reads every frame of a file source, checking index and time.
func readAll(t *testing.T, src *Source, step int) int {
	t.Helper()
	n := 0
	for {
		f, err := src.Next()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			t.Fatalf("frame %d: %v", n, err)
		}
		if want := int64(n * step); f.Index != want {
			t.Errorf("frame %d: Index %d, want %d", n, f.Index, want)
		}
		if want := time.Duration(n*step) * time.Second / testvideo.FPS; f.PTS != want {
			t.Errorf("frame %d: PTS %v, want %v", n, f.PTS, want)
		}
		if b := f.Image.Bounds(); b.Dx() != testvideo.FaceW || b.Dy() != testvideo.FaceH {
			t.Errorf("frame %d: %v, want %dx%d", n, b, testvideo.FaceW, testvideo.FaceH)
		}
		f.Release()
		n++
	}
}

func TestFileFramesAndTimes(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ name, codec string }{{"face.mp4", "libx264"}, {"face.avi", "mjpeg"}} {
		t.Run(c.name, func(t *testing.T) {
			path := testvideo.MakeFaceVideo(t, dir, c.name, c.codec)
			for _, skip := range []int{1, 3} {
				src, err := Open(context.Background(), path, &Options{Skip: skip})
				if err != nil {
					t.Fatal(err)
				}
				info := src.Info()
				if info.Width != testvideo.FaceW || info.Height != testvideo.FaceH || info.FPS != testvideo.FPS || info.Live || info.Kind != KindFile {
					t.Errorf("Info %+v", info)
				}
				if info.Duration != time.Duration(testvideo.Frames)*time.Second/testvideo.FPS {
					t.Errorf("Duration %v", info.Duration)
				}
				n := readAll(t, src, skip)
				if want := (testvideo.Frames + skip - 1) / skip; n != want {
					t.Errorf("skip %d: %d frames, want %d", skip, n, want)
				}
				st := src.Stats()
				if st.Dropped != 0 || st.Received != int64(n) || st.Delivered != int64(n) {
					t.Errorf("stats %+v", st)
				}
				// Released buffers are reused: a file needs a handful.
				if st.Buffers > 6 {
					t.Errorf("%d frame buffers allocated for %d frames", st.Buffers, n)
				}
				src.Close()
			}
			testvideo.NoChildren(t)
		})
	}
}

// TestCloseEarly stops a source in the middle: ffmpeg must be gone.
func TestCloseEarly(t *testing.T) {
	path := testvideo.MakeFaceVideo(t, t.TempDir(), "face.mp4", "libx264")
	ctx, cancel := context.WithCancel(context.Background())
	src, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Next(); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := src.Next(); !errors.Is(err, context.Canceled) {
		t.Errorf("after cancel: %v, want context.Canceled", err)
	}
	src.Close()
	testvideo.NoChildren(t)

	src, err = Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	src.Close() // without reading: ffmpeg blocked on its pipe
	testvideo.NoChildren(t)
}

func TestBadSources(t *testing.T) {
	testvideo.FFmpeg(t)
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.mp4")
	os.WriteFile(text, []byte("this is not a video\n"), 0o644)
	good := testvideo.MakeFaceVideo(t, dir, "face.mp4", "libx264")
	data, _ := os.ReadFile(good)
	trunc := filepath.Join(dir, "trunc.mp4")
	os.WriteFile(trunc, data[:len(data)/2], 0o644) // moov atom (at the end) lost

	for _, c := range []struct {
		source string
		opts   *Options
		want   []string
	}{
		{text, nil, []string{text, "Invalid data"}},
		{trunc, nil, []string{trunc, "moov atom not found"}},
		{filepath.Join(dir, "missing.mp4"), nil, []string{"missing.mp4: no such file"}},
		{"rtsp://127.0.0.1:1/x", &Options{Retries: 3}, []string{"rtsp://127.0.0.1:1/x", "refused"}},
		{"/dev/video9", nil, []string{"/dev/video9: no such camera"}},
		{good, &Options{FFmpeg: filepath.Join(dir, "no-ffmpeg")}, []string{"install it", "apt-get install ffmpeg"}},
	} {
		src, err := Open(context.Background(), c.source, c.opts)
		if err == nil {
			src.Close()
			t.Errorf("%s: no error", c.source)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", c.source, err, w)
			}
		}
	}
	t.Setenv("PATH", dir)
	if _, err := Open(context.Background(), good, nil); !errors.Is(err, ErrNoFFmpeg) {
		t.Errorf("without ffmpeg on PATH: %v, want ErrNoFFmpeg", err)
	}
	testvideo.NoChildren(t)
}

func TestClassify(t *testing.T) {
	for s, want := range map[string]Kind{
		"-": KindStdin, "/dev/video0": KindCamera, "/dev/video12": KindCamera, "/dev/videoX": KindFile,
		"rtsp://cam/1": KindStream, "HTTP://x/y.mjpg": KindStream, "https://x/a.m3u8": KindStream,
		"frames/f_%04d.jpg": KindSequence, "a%d.png": KindSequence, "walk.mp4": KindFile, "100%.mp4": KindFile,
	} {
		if got := Classify(s); got != want {
			t.Errorf("Classify(%q) = %v, want %v", s, got, want)
		}
	}
	for s, want := range map[string]bool{"a.MP4": true, "a.mkv": true, "a.jpg": false, "a": false, "-": true, "rtsp://x": true} {
		if IsVideoName(s) != want {
			t.Errorf("IsVideoName(%q) = %v", s, !want)
		}
	}
}

// TestStdin reads "-": a regular file on stdin gives every frame, in
// order, with its times, like the file itself; a pipe is live.
func TestStdin(t *testing.T) {
	path := testvideo.MakeFaceVideo(t, t.TempDir(), "face.avi", "mjpeg")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	src, err := Open(context.Background(), "-", &Options{Stdin: f})
	if err != nil {
		t.Fatal(err)
	}
	if info := src.Info(); info.Live || info.Kind != KindStdin {
		t.Errorf("Info %+v", info)
	}
	if n := readAll(t, src, 1); n != testvideo.Frames {
		t.Errorf("%d frames, want %d", n, testvideo.Frames)
	}
	src.Close()
	if stdinIsFile(strings.NewReader("x")) {
		t.Error("a reader that is not a file counts as a file")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if stdinIsFile(r) {
		t.Error("a pipe counts as a file")
	}
	testvideo.NoChildren(t)
}

// TestDecoderNiceFor: a nicer decoder only where the network leaves it
// cores of its own.
func TestDecoderNiceFor(t *testing.T) {
	c := cores()
	if got := DecoderNiceFor(c); got != 0 {
		t.Errorf("network on all %d cores: DecoderNice %d, want 0", c, got)
	}
	if got := DecoderNiceFor(c + 1); got != 0 {
		t.Errorf("network on %d threads of %d cores: DecoderNice %d, want 0", c+1, c, got)
	}
	if c > 1 {
		if got := DecoderNiceFor(c - 1); got != 10 {
			t.Errorf("network on %d of %d cores: DecoderNice %d, want 10", c-1, c, got)
		}
	}
}
