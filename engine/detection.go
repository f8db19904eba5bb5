package engine

import (
	"fmt"

	"github.com/darkgo/darkgo/cfgparse"
)

// detection is Darknet's [detection] layer (src/detection_layer.c), the
// YOLOv1 head after a [connected] layer. Its input is laid out as
// side*side*classes class scores, then side*side*num objectness values,
// then side*side*num*coords box values. At inference it copies the input
// and, with softmax=1, softmaxes each cell's class scores.
type detection struct {
	p DetectionParams
}

// DetectionParams are the options of a [detection] layer the detection
// decoder needs.
type DetectionParams struct {
	Side    int  // side=: the grid is Side x Side
	Classes int  // classes=
	Coords  int  // coords=
	Num     int  // num=: boxes per cell
	Softmax bool // softmax=1
	Sqrt    bool // sqrt=1: w and h are predicted as square roots
}

// Detection returns the options of a [detection] layer, or nil for any
// other layer.
func (l *Layer) Detection() *DetectionParams {
	if d, ok := l.op.(*detection); ok {
		c := d.p
		return &c
	}
	return nil
}

func init() { register("detection", buildDetection) }

func buildDetection(b *buildState, s *cfgparse.Section, l *Layer) error {
	p := DetectionParams{
		Coords:  s.Int("coords", 1),
		Classes: s.Int("classes", 1),
		Num:     s.Int("num", 1),
		Side:    s.Int("side", 7),
		Softmax: s.Int("softmax", 0) != 0,
		Sqrt:    s.Int("sqrt", 0) != 0,
	}
	for key, v := range map[string]int{"num": p.Num, "side": p.Side} {
		if err := positive(s, key, v); err != nil {
			return err
		}
	}
	if p.Classes < 0 || p.Classes > maxDim {
		return s.Errorf("classes", "must be between 0 and %d, got %d", maxDim, p.Classes)
	}
	if p.Coords < 0 || p.Coords > maxDim {
		return s.Errorf("coords", "must be between 0 and %d, got %d", maxDim, p.Coords)
	}
	inputs := flatInputs(b, l)
	want := p.Side * p.Side * ((1+p.Coords)*p.Num + p.Classes)
	if inputs != want {
		// make_detection_layer asserts this.
		return fmt.Errorf("the previous layer outputs %d values but side=%d, num=%d, coords=%d, classes=%d need side*side*((1+coords)*num+classes) = %d",
			inputs, p.Side, p.Num, p.Coords, p.Classes, want)
	}
	consume(s, "rescore", "max", "coord_scale", "forced", "object_scale", "noobject_scale", "class_scale",
		"jitter", "resize", "random", "reorg")
	consume(s, layerCommonKeys...)
	// make_detection_layer sets w = h = side, leaves c and the output
	// dimensions 0.
	l.In = Shape{H: p.Side, W: p.Side}
	l.Out = Shape{}
	l.Outputs = inputs
	l.op = &detection{p: p}
	return nil
}

func (d *detection) params() []param { return nil }

func (d *detection) forward(ins [][]float32, out []float32) {
	copy(out, ins[0])
	if !d.p.Softmax {
		return
	}
	for i := 0; i < d.p.Side*d.p.Side; i++ {
		softmax(out[i*d.p.Classes:(i+1)*d.p.Classes], 1)
	}
}
