package detect

import (
	"fmt"
	"math"
)

// Yolo describes a [yolo] layer (YOLOv3/v4) for decoding its output.
//
// Its output is Darknet's l.output after forward_yolo_layer: layout
// [anchor][4+1+Classes][H][W], with x, y already passed through the
// logistic and scale_x_y, and objectness and classes through the logistic
// (with new_coords=1 the layer applies no activation; the preceding
// convolution's logistic did).
type Yolo struct {
	W, H    int // grid size (the layer's l.w, l.h)
	Classes int
	// Mask lists the anchors this layer uses (cfg mask=; l.n = len(Mask)).
	Mask []int
	// Anchors holds all anchor (w, h) pairs of the cfg (anchors=, num
	// pairs), in network-input pixels.
	Anchors []float32
	// NewCoords is cfg new_coords=1: w = (2·tw)²·anchor instead of
	// exp(tw)·anchor.
	NewCoords bool
	// NMSKind and BetaNMS are the cfg's nms_kind and beta_nms; Darknet's
	// detector uses those of the network's last layer (see NMS).
	NMSKind NMSKind
	BetaNMS float32
}

// NumClasses implements Layer.
func (l *Yolo) NumClasses() int { return l.Classes }

// OutputSize implements Layer.
func (l *Yolo) OutputSize() int { return l.W * l.H * len(l.Mask) * (4 + 1 + l.Classes) }

func (l *Yolo) validate() error {
	return validateAnchors("yolo", l.W, l.H, l.Classes, l.Mask, l.Anchors)
}

func validateAnchors(kind string, w, h, classes int, mask []int, anchors []float32) error {
	if w <= 0 || h <= 0 || classes <= 0 || len(mask) == 0 {
		return fmt.Errorf("[%s] needs a positive grid, classes and at least one anchor (w=%d h=%d classes=%d mask=%v)",
			kind, w, h, classes, mask)
	}
	if len(anchors)%2 != 0 {
		return fmt.Errorf("[%s] has an odd number of anchor values (%d)", kind, len(anchors))
	}
	for _, m := range mask {
		if m < 0 || 2*m+1 >= len(anchors) {
			return fmt.Errorf("[%s] mask index %d has no anchor (%d anchors)", kind, m, len(anchors)/2)
		}
	}
	return nil
}

// yoloIndex is Darknet's entry_index for a layer whose boxes have size
// values each: anchor n, cell loc, entry e.
func yoloIndex(w, h, size, n, loc, e int) int {
	return n*w*h*size + e*w*h + loc
}

func (l *Yolo) count(data []float32, thresh float32) int {
	return countObjects(data, l.W, l.H, len(l.Mask), 4, l.Classes, thresh)
}

// countObjects is yolo_num_detections for the [anchor][box+1+classes][h][w]
// layout with boxValues box entries (4, or 8 for Gaussian_yolo): the cells
// and anchors whose objectness exceeds thresh.
func countObjects(data []float32, w, h, anchors, boxValues, classes int, thresh float32) int {
	size := boxValues + 1 + classes
	c := 0
	for n := 0; n < anchors; n++ {
		for _, v := range data[yoloIndex(w, h, size, n, 0, boxValues):][:w*h] {
			if v > thresh {
				c++
			}
		}
	}
	return c
}

// decode is get_yolo_detections followed by correct_yolo_boxes.
func (l *Yolo) decode(dets []Detection, data []float32, imgW, imgH, netW, netH int, thresh float32, letterbox bool) {
	size := 4 + 1 + l.Classes
	stride := l.W * l.H
	k := 0
	for i := 0; i < l.W*l.H; i++ {
		row, col := i/l.W, i%l.W
		for n, m := range l.Mask {
			obj := data[yoloIndex(l.W, l.H, size, n, i, 4)]
			if !(obj > thresh) {
				continue
			}
			d := &dets[k]
			k++
			bi := yoloIndex(l.W, l.H, size, n, i, 0)
			tx, ty, tw, th := data[bi], data[bi+stride], data[bi+2*stride], data[bi+3*stride]
			aw, ah := l.Anchors[2*m], l.Anchors[2*m+1]
			d.Box.X = (float32(col) + tx) / float32(l.W)
			d.Box.Y = (float32(row) + ty) / float32(l.H)
			if l.NewCoords {
				d.Box.W = float32(float32(float32(tw*tw)*4)*aw) / float32(netW)
				d.Box.H = float32(float32(float32(th*th)*4)*ah) / float32(netH)
			} else {
				// exp() of a float is computed in double in Darknet.
				d.Box.W = float32(math.Exp(float64(tw)) * float64(aw) / float64(netW))
				d.Box.H = float32(math.Exp(float64(th)) * float64(ah) / float64(netH))
			}
			d.Objectness = obj
			ci := yoloIndex(l.W, l.H, size, n, i, 5)
			for j := range d.Prob {
				p := obj * data[ci+j*stride]
				if p > thresh {
					d.Prob[j] = p
				} else {
					d.Prob[j] = 0
				}
			}
		}
	}
	correctYoloBoxes(dets, imgW, imgH, netW, netH, letterbox)
}
