package preprocess

import (
	"fmt"
	"image"
)

// Scratch holds the intermediate buffers of NetworkInput so that converting
// a stream of images allocates nothing once the buffers have grown to the
// largest image seen. The zero value is ready to use. A Scratch must not be
// used by several goroutines at once; give each worker its own.
type Scratch struct {
	// Fast path (direct.go).
	taps  []colTap
	cols  []int32
	rows  []rowTap
	gath  []uint8
	hrows [2]hrow
	src   source
	// The leading output columns whose taps read gathered samples 2i and
	// 2i+1 (a downscale by more than 2), and their weights, for
	// kernels.ResizePairs.
	pairs  int
	w0, w1 []float32
	// parts > 1 splits the output rows over that many goroutines, each
	// but the first with a helper Scratch (SetParts).
	parts   int
	helpers []*Scratch

	// Reference path: the full-resolution float image, then resizeInto or
	// letterboxInto.
	raster  rgb8
	full    Image
	part    []float32
	resized []float32
}

// SetParts makes NetworkInput split its work over up to n goroutines
// (n ≤ 1: the calling goroutine only): for a live frame, whose latency
// counts, when the cores are otherwise idle. The result is the same.
func (s *Scratch) SetParts(n int) { s.parts = n }

// NetworkInput writes the network input Darknet's `detector test` computes
// for img into dst: the image as c-channel (1 or 3) floats v/255 (see
// FromImage), then resize_image to w×h, or letterbox_image when letterbox is
// set ([net] letter_box=1 or -letter_box). dst must hold exactly c*h*w
// values (CHW).
func (s *Scratch) NetworkInput(dst []float32, img image.Image, w, h, c int, letterbox bool) error {
	if err := checkInput(dst, img, w, h, c); err != nil {
		return err
	}
	s.networkInputFast(dst, img, w, h, c, letterbox)
	return nil
}

// checkInput validates the arguments of NetworkInput and ClassifierInput:
// a positive network size, 1 or 3 channels, dst of exactly c*h*w values,
// a non-empty image.
func checkInput(dst []float32, img image.Image, w, h, c int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("preprocess: invalid network size %dx%d", w, h)
	}
	if c != 1 && c != 3 {
		return fmt.Errorf("preprocess: %d input channels not supported (1 or 3)", c)
	}
	if len(dst) != c*w*h {
		return fmt.Errorf("preprocess: input buffer holds %d values, network input %dx%dx%d needs %d",
			len(dst), c, h, w, c*w*h)
	}
	b := img.Bounds()
	return checkDims(b.Dx(), b.Dy())
}

// networkInputRef is the reference implementation of NetworkInput, which
// the fast path must match bit for bit: the whole image as floats (FromImage),
// then Resize or Letterbox. The arguments are checked by the caller.
func (s *Scratch) networkInputRef(dst []float32, img image.Image, w, h, c int, letterbox bool) {
	toFloat(img, c, &s.raster, &s.full)
	if letterbox {
		s.resized, s.part = letterboxInto(dst, &s.full, w, h, s.resized, s.part)
	} else {
		s.part = resizeInto(dst, &s.full, w, h, s.part)
	}
}

// NetworkInput is Scratch.NetworkInput with temporary buffers.
func NetworkInput(dst []float32, img image.Image, w, h, c int, letterbox bool) error {
	var s Scratch
	return s.NetworkInput(dst, img, w, h, c, letterbox)
}
