package track

import "math"

// Box is an axis-aligned box: top-left corner X, Y and size W, H, in pixels
// (any unit works if it is the same for all boxes; MinIoU is unitless).
type Box struct{ X, Y, W, H float64 }

// Detection is what the tracker needs of one detection.
type Detection struct {
	Box        Box
	Class      int
	Confidence float32 // carried along; the tracker does not use it
}

// maxCoord bounds the coordinates the tracker accepts: far beyond any image,
// small enough that areas and velocities stay finite.
const maxCoord = 1e7

// minSide is the size a zero-width or zero-height box is tracked with, so
// the area and the aspect ratio stay positive and finite.
const minSide = 1e-3

// valid reports whether b can be tracked.
func (b Box) valid() bool {
	for _, v := range [4]float64{b.X, b.Y, b.W, b.H} {
		if math.IsNaN(v) || v < -maxCoord || v > maxCoord {
			return false
		}
	}
	return b.W >= 0 && b.H >= 0
}

// IoU is the intersection over union of a and b; 0 when either is empty.
func IoU(a, b Box) float64 {
	iw := math.Min(a.X+a.W, b.X+b.W) - math.Max(a.X, b.X)
	ih := math.Min(a.Y+a.H, b.Y+b.H) - math.Max(a.Y, b.Y)
	if iw <= 0 || ih <= 0 {
		return 0
	}
	inter := iw * ih
	union := a.W*a.H + b.W*b.H - inter
	if !(union > 0) {
		return 0
	}
	return inter / union
}

// measurement is SORT's observation of a box: centre u, v, area s, aspect
// ratio r = w/h.
func measurement(b Box) [4]float64 {
	w, h := math.Max(b.W, minSide), math.Max(b.H, minSide)
	return [4]float64{b.X + b.W/2, b.Y + b.H/2, w * h, w / h}
}

// boxOf turns a state's u, v, s, r back into a box, holding s and r
// positive so that a filter that extrapolated the area below zero still
// gives a finite box.
func boxOf(u, v, s, r float64) Box {
	s = math.Max(s, minSide*minSide)
	r = math.Max(r, minSide/maxCoord)
	w := math.Sqrt(s * r)
	h := s / w
	return Box{X: u - w/2, Y: v - h/2, W: w, H: h}
}
