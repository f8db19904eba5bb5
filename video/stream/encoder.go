package stream

import (
	"bytes"
	"image"
	"image/draw"
	"image/jpeg"
	"io"
	"sync"
)

// encoder turns published frames into JPEGs on its own goroutine, so that
// PublishFrame costs the caller one copy of the frame, not an encoding
// (image/jpeg takes tens of milliseconds for 1920×1080, longer than a frame
// period). It holds at most one frame waiting: when a frame arrives while
// the previous one still waits, the older one is dropped (latest wins), so
// the stream runs at the rate the encoder manages and never queues.
type encoder struct {
	encode func(io.Writer, image.Image) error
	out    *hub

	mu      sync.Mutex
	pending *image.RGBA // the newest frame not yet being encoded
	spare   *image.RGBA // a frame buffer free for reuse
	wake    chan struct{}
	done    chan struct{}
	exited  chan struct{}
}

func newEncoder(out *hub, quality int) *encoder {
	e := &encoder{
		encode: func(w io.Writer, img image.Image) error {
			return jpeg.Encode(w, img, &jpeg.Options{Quality: quality})
		},
		out:    out,
		wake:   make(chan struct{}, 1),
		done:   make(chan struct{}),
		exited: make(chan struct{}),
	}
	go e.run()
	return e
}

// submit copies img for encoding. At most three buffers exist: the one
// being encoded, the one waiting, and the one submit fills.
func (e *encoder) submit(img image.Image) {
	e.mu.Lock()
	buf := e.spare
	e.spare = nil
	e.mu.Unlock()
	r := img.Bounds()
	if buf == nil || buf.Rect.Dx() != r.Dx() || buf.Rect.Dy() != r.Dy() {
		buf = image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	}
	draw.Draw(buf, buf.Rect, img, r.Min, draw.Src)
	e.mu.Lock()
	if e.pending != nil {
		e.spare = e.pending // dropped: buf is newer
	}
	e.pending = buf
	e.mu.Unlock()
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

func (e *encoder) run() {
	defer close(e.exited)
	var out bytes.Buffer
	for {
		select {
		case <-e.wake:
		case <-e.done:
			return
		}
		e.mu.Lock()
		img := e.pending
		e.pending = nil
		e.mu.Unlock()
		if img == nil {
			continue
		}
		out.Reset()
		err := e.encode(&out, img)
		e.mu.Lock()
		if e.spare == nil {
			e.spare = img
		}
		e.mu.Unlock()
		if err == nil { // an RGBA image always encodes; nothing to report
			e.out.publish(bytes.Clone(out.Bytes()))
		}
	}
}

// close stops the encoder and waits for it (at most one encoding).
func (e *encoder) close() {
	close(e.done)
	<-e.exited
}
