package detect

import (
	"fmt"
	"math"
)

// Region describes a YOLOv2 [region] layer for decoding its output.
//
// Its output is Darknet's l.output after forward_region_layer on the CPU:
// transposed to [H*W*N][Coords+1+Classes] (per cell, per anchor), with the
// objectness logistic'd and the classes softmaxed; x and y are still raw
// (get_region_box applies the logistic). Anchors are in grid cells.
type Region struct {
	W, H    int // grid size
	N       int // anchors per cell (cfg num=)
	Classes int
	Coords  int // cfg coords= (must be 4: Darknet's decoder assumes it)
	// Anchors holds N (w, h) pairs in grid units (cfg anchors=).
	Anchors []float32
	// Classfix is cfg classfix=; -1 zeroes objectness below 0.5.
	Classfix int
}

// NumClasses implements Layer.
func (l *Region) NumClasses() int { return l.Classes }

// OutputSize implements Layer.
func (l *Region) OutputSize() int { return l.W * l.H * l.N * (l.Coords + 1 + l.Classes) }

func (l *Region) validate() error {
	if l.W <= 0 || l.H <= 0 || l.N <= 0 || l.Classes <= 0 {
		return fmt.Errorf("[region] needs a positive grid, num and classes (w=%d h=%d num=%d classes=%d)", l.W, l.H, l.N, l.Classes)
	}
	if l.Coords != 4 {
		// get_region_boxes indexes with classes+5, i.e. assumes coords=4.
		return fmt.Errorf("[region] coords=%d is not supported (Darknet's detector assumes 4)", l.Coords)
	}
	if len(l.Anchors) < 2*l.N {
		return fmt.Errorf("[region] has %d anchor values, num=%d needs %d", len(l.Anchors), l.N, 2*l.N)
	}
	return nil
}

// count: a [region] layer yields every cell and anchor, whatever thresh.
func (l *Region) count(data []float32, thresh float32) int { return l.W * l.H * l.N }

// decode is Darknet's custom_get_region_detections: get_region_boxes with
// w=h=1, objectness 1, then correct_yolo_boxes.
func (l *Region) decode(dets []Detection, data []float32, imgW, imgH, netW, netH int, thresh float32, letterbox bool) {
	size := l.Classes + 5
	for i := 0; i < l.W*l.H; i++ {
		row, col := i/l.W, i%l.W
		for n := 0; n < l.N; n++ {
			index := i*l.N + n
			p := data[index*size:][:size]
			scale := p[4]
			if l.Classfix == -1 && scale < .5 {
				scale = 0
			}
			d := &dets[index]
			d.Box.X = (float32(col) + logistic(p[0])) / float32(l.W)
			d.Box.Y = (float32(row) + logistic(p[1])) / float32(l.H)
			d.Box.W = float32(math.Exp(float64(p[2])) * float64(l.Anchors[2*n]) / float64(l.W))
			d.Box.H = float32(math.Exp(float64(p[3])) * float64(l.Anchors[2*n+1]) / float64(l.H))
			d.Objectness = 1
			for j := range d.Prob {
				pr := scale * p[5+j]
				if pr > thresh {
					d.Prob[j] = pr
				} else {
					d.Prob[j] = 0
				}
			}
		}
	}
	correctYoloBoxes(dets, imgW, imgH, netW, netH, letterbox)
}

// logistic is Darknet's logistic_activate: 1.f/(1.f + expf(-x)).
func logistic(x float32) float32 {
	return 1 / (1 + float32(math.Exp(float64(-x))))
}
