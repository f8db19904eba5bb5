package main

import (
	"fmt"
	"image"
	"image/draw"
	"io"
	"sync"

	"github.com/darkgo/darkgo/video/stream"
)

// videoServers are the -json_port and -mjpeg_port live views (package
// video/stream). Publishing never waits for a client; the MJPEG frames
// are JPEG-encoded on a goroutine of their own, which takes the newest
// annotated frame whenever it is free (frames are skipped while it is
// busy), so that encoding for the browser never slows the pipeline.
type videoServers struct {
	json, mjpeg *stream.Server

	frames chan *image.RGBA // to the encoder: at most one waiting
	free   chan *image.RGBA // copies the encoder is done with
	wg     sync.WaitGroup
}

func startVideoServers(o *options) (*videoServers, error) {
	s := &videoServers{}
	var err error
	if o.jsonPort != 0 {
		if s.json, err = stream.Listen(stream.Addr(o.listen, o.jsonPort), stream.Options{Root: stream.JSON}); err != nil {
			return nil, fmt.Errorf("-json_port %d: %w", o.jsonPort, err)
		}
	}
	if o.mjpegPort != 0 {
		if s.mjpeg, err = stream.Listen(stream.Addr(o.listen, o.mjpegPort), stream.Options{Root: stream.MJPEG}); err != nil {
			s.close()
			return nil, fmt.Errorf("-mjpeg_port %d: %w", o.mjpegPort, err)
		}
		s.frames = make(chan *image.RGBA, 1)
		s.free = make(chan *image.RGBA, 2)
		s.wg.Add(1)
		go s.encode()
	}
	return s, nil
}

// announce prints where the live views are.
func (s *videoServers) announce(w io.Writer) {
	if s.json != nil {
		fmt.Fprintf(w, "detections as JSON lines: %sstream.json\n", s.json.URL())
	}
	if s.mjpeg != nil {
		fmt.Fprintf(w, "annotated video: %s (in a browser: %sview)\n", s.mjpeg.URL(), s.mjpeg.URL())
	}
}

func (s *videoServers) wantsImages() bool { return s.mjpeg != nil }

// publish sends a frame's JSON line and, when someone watches and the
// encoder is free, a copy of the annotated frame.
func (s *videoServers) publish(line []byte, img *image.RGBA) {
	if s.json != nil && line != nil {
		_ = s.json.PublishJSON(line) // our own json.Marshal output: valid
	}
	if s.mjpeg == nil || s.mjpeg.Clients(stream.MJPEG) == 0 || len(s.frames) > 0 {
		return
	}
	var c *image.RGBA
	select {
	case c = <-s.free:
		if c.Rect != img.Rect {
			c = nil
		}
	default:
	}
	if c == nil {
		c = image.NewRGBA(img.Rect)
	}
	draw.Draw(c, c.Rect, img, img.Rect.Min, draw.Src)
	select {
	case s.frames <- c:
	default:
		s.recycle(c)
	}
}

func (s *videoServers) recycle(c *image.RGBA) {
	select {
	case s.free <- c:
	default:
	}
}

func (s *videoServers) encode() {
	defer s.wg.Done()
	for c := range s.frames {
		_ = s.mjpeg.PublishFrame(c) // encoding an *image.RGBA does not fail
		s.recycle(c)
	}
}

func (s *videoServers) close() error {
	if s.frames != nil {
		close(s.frames)
		s.wg.Wait()
	}
	var first error
	for _, srv := range []*stream.Server{s.json, s.mjpeg} {
		if srv != nil {
			if err := srv.Close(); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}
