package detect

import "math"

// Box is a detection box as Darknet's get_network_boxes returns it: centre
// (X, Y) and size (W, H), relative to the image (0..1 inside it; values
// outside are kept, as in Darknet).
type Box struct {
	X, Y, W, H float32
}

// The IoU family below follows src/box.c operation for operation in
// float32. Products are wrapped in float32() so Go never fuses them into an
// FMA (it may on arm64), which would round differently from Darknet.

// overlap is the 1-D overlap length of two centre/size intervals; negative
// when they are disjoint.
func overlap(x1, w1, x2, w2 float32) float32 {
	return overlapEdges(x1-w1/2, x1+w1/2, x2-w2/2, x2+w2/2)
}

// overlapEdges is overlap from precomputed edges: Darknet's
// l1 > l2 ? l1 : l2 and r1 < r2 ? r1 : r2 (the order matters for NaN).
func overlapEdges(l1, r1, l2, r2 float32) float32 {
	left := l2
	if l1 > l2 {
		left = l1
	}
	right := r2
	if r1 < r2 {
		right = r1
	}
	return right - left
}

func boxIntersection(a, b Box) float32 {
	w := overlap(a.X, a.W, b.X, b.W)
	h := overlap(a.Y, a.H, b.Y, b.H)
	if w < 0 || h < 0 {
		return 0
	}
	return w * h
}

func boxUnion(a, b Box, inter float32) float32 {
	return float32(a.W*a.H) + float32(b.W*b.H) - inter
}

// IoU is Darknet's box_iou: intersection over union, 0 when either is 0.
func IoU(a, b Box) float32 {
	i := boxIntersection(a, b)
	u := boxUnion(a, b, i)
	if i == 0 || u == 0 {
		return 0
	}
	return i / u
}

// diou is box_diou (exponent the double 0.6) and box_diounms (exponent the
// float beta): IoU minus (centre distance² / enclosing diagonal²)^exponent.
func diou(a, b Box, exponent float64) float32 {
	top := min32(a.Y-a.H/2, b.Y-b.H/2)
	bot := max32(a.Y+a.H/2, b.Y+b.H/2)
	left := min32(a.X-a.W/2, b.X-b.W/2)
	right := max32(a.X+a.W/2, b.X+b.W/2)
	w := right - left
	h := bot - top
	c := float32(w*w) + float32(h*h)
	iou := IoU(a, b)
	if c == 0 {
		return iou
	}
	dx, dy := a.X-b.X, a.Y-b.Y
	d := float32(dx*dx) + float32(dy*dy)
	u := float32(math.Pow(float64(d/c), exponent))
	return iou - u
}

// DIoU is Darknet's box_diou (used by nms_kind=greedynms).
func DIoU(a, b Box) float32 { return diou(a, b, 0.6) }

// DIoUBeta is Darknet's box_diounms with beta_nms = beta (nms_kind=diounms).
func DIoUBeta(a, b Box, beta float32) float32 { return diou(a, b, float64(beta)) }

// min32 and max32 are C's fmin/fmax on float arguments stored back to float:
// NaN loses to a number.
func min32(a, b float32) float32 {
	if a != a {
		return b
	}
	if b != b || a < b {
		return a
	}
	return b
}

func max32(a, b float32) float32 {
	if a != a {
		return b
	}
	if b != b || a > b {
		return a
	}
	return b
}

// PixelBox is a box in pixels as draw_detections_v3 draws it.
type PixelBox struct {
	Left, Top, Right, Bottom int
}

// Pixels returns the box Darknet draws on an imgW×imgH image:
// left = (int)((x - w/2.)*imgW) in double precision, truncated, and the same
// for right, top and bottom; then left and top are raised to 0 and right and
// bottom lowered to imgW-1 and imgH-1. Like Darknet it does not clamp the
// other directions (a box entirely left of the image has Right < 0).
func (b Box) Pixels(imgW, imgH int) PixelBox {
	x, y, w, h := float64(b.X), float64(b.Y), float64(b.W), float64(b.H)
	p := PixelBox{
		Left:   cInt((x - w/2) * float64(imgW)),
		Right:  cInt((x + w/2) * float64(imgW)),
		Top:    cInt((y - h/2) * float64(imgH)),
		Bottom: cInt((y + h/2) * float64(imgH)),
	}
	if p.Left < 0 {
		p.Left = 0
	}
	if p.Right > imgW-1 {
		p.Right = imgW - 1
	}
	if p.Top < 0 {
		p.Top = 0
	}
	if p.Bottom > imgH-1 {
		p.Bottom = imgH - 1
	}
	return p
}

// cInt converts like C's (int) on x86: truncation toward zero, and
// INT_MIN for NaN or values outside the 32-bit range.
func cInt(v float64) int {
	if !(v > math.MinInt32-1 && v < math.MaxInt32+1) {
		return math.MinInt32
	}
	return int(v)
}

// ExtBox is the box `-ext_output` prints: round((x-w/2)*imgW),
// round((y-h/2)*imgH), round(w*imgW), round(h*imgH), computed in float32 and
// rounded half away from zero. The values are float64 because Darknet
// prints them with %4.0f: a small negative coordinate prints as "-0".
type ExtBox struct {
	LeftX, TopY, Width, Height float64
}

// Ext returns the -ext_output box of b on an imgW×imgH image.
func (b Box) Ext(imgW, imgH int) ExtBox {
	fw, fh := float32(imgW), float32(imgH)
	return ExtBox{
		LeftX:  math.Round(float64(float32((b.X - b.W/2) * fw))),
		TopY:   math.Round(float64(float32((b.Y - b.H/2) * fh))),
		Width:  math.Round(float64(float32(b.W * fw))),
		Height: math.Round(float64(float32(b.H * fh))),
	}
}
