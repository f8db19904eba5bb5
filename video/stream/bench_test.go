package stream

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"io"
	"net/http"
	"testing"
	"time"
)

// drain connects a client to path that reads and discards everything.
func drain(b *testing.B, s *Server, path string) {
	resp, err := http.Get(s.URL() + path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { resp.Body.Close() })
	go io.Copy(io.Discard, resp.Body)
}

// BenchmarkPublishFrame is the pipeline's cost of one watched 1920×1080
// frame: a copy (the encoder goroutine encodes it meanwhile).
func BenchmarkPublishFrame(b *testing.B) {
	s, err := Listen("127.0.0.1:0", Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	drain(b, s, "stream.mjpg")
	for s.Clients(MJPEG) == 0 {
		time.Sleep(time.Millisecond)
	}
	img := texturedFrame()
	for b.Loop() {
		if err := s.PublishFrame(img); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncode1080p is the encoder goroutine's cost per frame, which
// bounds the MJPEG stream's frame rate: image/jpeg at quality 80.
func BenchmarkEncode1080p(b *testing.B) {
	img := texturedFrame()
	e := newEncoder(newHub(), defaultQuality)
	defer e.close()
	var out bytes.Buffer
	for b.Loop() {
		out.Reset()
		if err := e.encode(&out, img); err != nil {
			b.Fatal(err)
		}
	}
}

func texturedFrame() *image.RGBA {
	img := solid(1920, 1080, color.RGBA{90, 120, 200, 255})
	// Some texture, so the encoder has work like a real frame's.
	for y := 0; y < 1080; y++ {
		for x := 0; x < 1920; x += 7 {
			img.Pix[img.PixOffset(x, y)] = uint8(x ^ y)
		}
	}
	return img
}

// BenchmarkPublishJPEG is the cost of handing a 200 KB frame to n clients.
func BenchmarkPublishJPEG(b *testing.B) {
	for _, n := range []int{0, 1, 10} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			s, err := Listen("127.0.0.1:0", Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			for range n {
				drain(b, s, "stream.mjpg")
			}
			for s.Clients(MJPEG) != n {
				time.Sleep(time.Millisecond)
			}
			frame := make([]byte, 200<<10)
			for b.Loop() {
				s.PublishJPEG(frame)
			}
		})
	}
}
