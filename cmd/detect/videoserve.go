package main

import (
	"fmt"
	"image"
	"io"

	"github.com/darkgo/darkgo/video/stream"
)

// videoServers are the -json_port and -mjpeg_port live views (package
// video/stream). Publishing never waits for a client: the server copies
// the annotated frame and JPEG-encodes the newest one on its own
// goroutine, so a browser never slows the pipeline.
type videoServers struct {
	json, mjpeg *stream.Server
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

// publish sends a frame's JSON line and its annotated image.
func (s *videoServers) publish(line []byte, img image.Image) {
	if s.json != nil && line != nil {
		_ = s.json.PublishJSON(line) // our own json.Marshal output: valid
	}
	if s.mjpeg != nil {
		// Fails only for frames JPEG cannot hold (over 65535 px a side);
		// the other outputs still get them.
		_ = s.mjpeg.PublishFrame(img)
	}
}

func (s *videoServers) close() error {
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
