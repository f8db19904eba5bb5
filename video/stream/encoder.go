package stream

import (
	"bytes"
	"image"
	"image/draw"
	"image/jpeg"
	"io"
	"sync"

	"github.com/darkgo/darkgo/yuv"
)

// encoder turns published frames into JPEGs on its own goroutine, so that
// PublishFrame costs the caller one copy of the frame, not an encoding
// (image/jpeg takes tens of milliseconds for 1920×1080, longer than a frame
// period). It holds at most one frame waiting: when a frame arrives while
// the previous one still waits, the older one is dropped (latest wins), so
// the stream runs at the rate the encoder manages and never queues.
//
// A video frame as decoded (*yuv.Image) is copied as its planes, a third
// of its RGBA size for 4:2:0, and converted on the encoder's goroutine:
// not at all when it is full-range BT.601 (JPEG's own Y'CbCr, as from an
// MJPEG camera), else to RGBA in a reused buffer.
type encoder struct {
	encode func(io.Writer, image.Image) error
	out    *hub
	rgba   *image.RGBA // the encoder goroutine's conversion buffer

	mu      sync.Mutex
	pending image.Image // the newest frame not yet being encoded
	spare   image.Image // a frame buffer free for reuse
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
	buf = copyFrame(buf, img)
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
		err := e.encode(&out, e.encodable(img))
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

// copyFrame copies img into buf when buf can hold it (reused), else into
// a new image: a *yuv.Image's planes as they are, anything else as RGBA.
func copyFrame(buf, img image.Image) image.Image {
	if p, ok := img.(*yuv.Image); ok {
		dst, _ := buf.(*yuv.Image)
		return p.CopyTo(dst)
	}
	r := img.Bounds()
	dst, ok := buf.(*image.RGBA)
	if !ok || dst.Rect.Dx() != r.Dx() || dst.Rect.Dy() != r.Dy() {
		dst = image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	}
	draw.Draw(dst, dst.Rect, img, r.Min, draw.Src)
	return dst
}

// encodable is a copied frame as image/jpeg encodes it fast (see
// encoder).
func (e *encoder) encodable(img image.Image) image.Image {
	var out image.Image
	out, e.rgba = yuv.ForJPEG(img, e.rgba)
	return out
}

// close stops the encoder and waits for it (at most one encoding).
func (e *encoder) close() {
	close(e.done)
	<-e.exited
}
