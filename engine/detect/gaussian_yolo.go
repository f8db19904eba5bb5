package detect

import "math"

// GaussianYolo describes a [Gaussian_yolo] layer (Gaussian YOLOv3) for
// decoding its output.
//
// Its output is Darknet's l.output after forward_gaussian_yolo_layer:
// layout [anchor][8+1+Classes][H][W], entries μx, σx, μy, σy, μw, σw, μh, σh,
// objectness, classes; μx, σx, μy, σy (with scale_x_y on μ), σw, σh,
// objectness and classes already logistic'd.
type GaussianYolo struct {
	W, H    int
	Classes int
	Mask    []int     // anchors used by this layer
	Anchors []float32 // all anchor (w, h) pairs, network-input pixels
	NMSKind NMSKind
	BetaNMS float32
}

// NumClasses implements Layer.
func (l *GaussianYolo) NumClasses() int { return l.Classes }

// OutputSize implements Layer.
func (l *GaussianYolo) OutputSize() int { return l.W * l.H * len(l.Mask) * (8 + 1 + l.Classes) }

func (l *GaussianYolo) validate() error {
	return validateAnchors("Gaussian_yolo", l.W, l.H, l.Classes, l.Mask, l.Anchors)
}

func (l *GaussianYolo) count(data []float32, thresh float32) int {
	return countObjects(data, l.W, l.H, len(l.Mask), 8, l.Classes, thresh)
}

// decode is get_gaussian_yolo_detections with its own box correction.
func (l *GaussianYolo) decode(dets []Detection, data []float32, imgW, imgH, netW, netH int, thresh float32, letterbox bool) {
	size := 8 + 1 + l.Classes
	stride := l.W * l.H
	k := 0
	for i := 0; i < l.W*l.H; i++ {
		row, col := i/l.W, i%l.W
		for n, m := range l.Mask {
			obj := data[yoloIndex(l.W, l.H, size, n, i, 8)]
			if !(obj > thresh) {
				continue
			}
			d := &dets[k]
			k++
			bi := yoloIndex(l.W, l.H, size, n, i, 0)
			e := func(j int) float32 { return data[bi+j*stride] }
			d.Box.X = (float32(col) + e(0)) / float32(l.W)
			d.Box.Y = (float32(row) + e(2)) / float32(l.H)
			d.Box.W = float32(math.Exp(float64(e(4))) * float64(l.Anchors[2*m]) / float64(netW))
			d.Box.H = float32(math.Exp(float64(e(6))) * float64(l.Anchors[2*m+1]) / float64(netH))
			d.Objectness = obj
			d.Uncertainty = [4]float32{e(1), e(3), e(5), e(7)}
			u := d.Uncertainty
			// (uc0+uc1+uc2+uc3)/4.0: float sum, double division.
			avg := float32(float64(u[0]+u[1]+u[2]+u[3]) / 4)
			ci := yoloIndex(l.W, l.H, size, n, i, 9)
			for j := range d.Prob {
				p := float32(float64(obj*data[ci+j*stride]) * (1 - float64(avg)))
				if p > thresh {
					d.Prob[j] = p
				} else {
					d.Prob[j] = 0
				}
			}
		}
	}
	// correct_gaussian_yolo_boxes: like correct_yolo_boxes but with
	// netw/new_w for the size factor (rounds differently when letterboxed).
	newW, newH := netW, netH
	if letterbox {
		newW, newH = letterboxSize(imgW, imgH, netW, netH)
	}
	ratioW := float64(float32(newW) / float32(netW))
	ratioH := float64(float32(newH) / float32(netH))
	fw := float32(netW) / float32(newW)
	fh := float32(netH) / float32(newH)
	for i := range dets {
		b := &dets[i].Box
		b.X = float32((float64(b.X) - float64(netW-newW)/2/float64(netW)) / ratioW)
		b.Y = float32((float64(b.Y) - float64(netH-newH)/2/float64(netH)) / ratioH)
		b.W *= fw
		b.H *= fh
	}
}
