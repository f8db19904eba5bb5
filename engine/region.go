package engine

import (
	"fmt"
	"math"
	"slices"

	"github.com/darkgo/darkgo/cfgparse"
)

// region is Darknet's [region] layer (src/region_layer.c), the YOLOv2 head.
//
// Unlike [yolo] it rearranges its output: Darknet's CPU forward "flattens"
// the [anchor*entries][h][w] input so that the output is
// [h*w][anchor][entries] (all values of one cell and anchor contiguous).
// Only objectness (entry 4) gets the logistic here and the classes (from
// entry 5) a softmax; x and y get their logistic later, in get_region_box.
type region struct {
	p RegionParams
}

// RegionParams are the options of a [region] layer the detection decoder
// needs. Anchors are in grid cells (not pixels as in [yolo]).
type RegionParams struct {
	W, H    int
	Classes int       // classes=
	Coords  int       // coords=
	Num     int       // num=: anchors per cell
	Anchors []float32 // 2*Num values w0,h0,... (missing ones are 0.5)
	Softmax bool      // softmax=1: classes are softmaxed in the layer
	// Classfix is classfix=: -1 makes the decoder treat objectness below
	// 0.5 as 0 (Darknet's get_region_boxes); other values change nothing
	// at inference.
	Classfix int
}

// Entries is the number of values per cell and anchor.
func (p *RegionParams) Entries() int { return p.Coords + 1 + p.Classes }

// Region returns the options of a [region] layer, or nil for any other
// layer. The result is a copy.
func (l *Layer) Region() *RegionParams {
	if r, ok := l.op.(*region); ok {
		c := r.p
		c.Anchors = slices.Clone(r.p.Anchors)
		return &c
	}
	return nil
}

func init() { register("region", buildRegion) }

func buildRegion(b *buildState, s *cfgparse.Section, l *Layer) error {
	p := RegionParams{
		Coords:   s.Int("coords", 4),
		Classes:  s.Int("classes", 20),
		Num:      s.Int("num", 1),
		Softmax:  s.Int("softmax", 0) != 0,
		Classfix: s.Int("classfix", 0),
	}
	if err := positive(s, "num", p.Num); err != nil {
		return err
	}
	if p.Classes < 0 || p.Classes > maxDim {
		return s.Errorf("classes", "must be between 0 and %d, got %d", maxDim, p.Classes)
	}
	// Darknet hard-codes objectness at entry 4 and classes from entry 5,
	// whatever coords= says; other values would read the wrong entries.
	if p.Coords != 4 {
		l.unsupported = s.Errorf("coords", "coords=%d is not supported: Darknet's region layer reads objectness and classes as if coords=4", p.Coords)
	}
	if p.Coords < 0 || p.Coords > maxDim {
		return s.Errorf("coords", "must be between 0 and %d, got %d", maxDim, p.Coords)
	}
	p.Anchors = make([]float32, 2*p.Num)
	for i := range p.Anchors {
		p.Anchors[i] = 0.5
	}
	for i, v := range s.Floats("anchors") {
		if i < len(p.Anchors) {
			p.Anchors[i] = float32(v)
		}
	}
	if s.Has("tree") {
		// softmax_tree needs the hierarchy file (e.g. data/9k.tree); the
		// shapes do not depend on it.
		l.unsupported = s.Errorf("tree", "hierarchical softmax (tree=%s) is not supported by darkgo", s.String("tree", ""))
	}
	consume(s, "max", "log", "sqrt", "focal_loss", "jitter", "resize", "rescore", "thresh",
		"absolute", "random", "coord_scale", "object_scale", "noobject_scale", "mask_scale",
		"class_scale", "bias_match", "map")
	consume(s, layerCommonKeys...)
	p.W, p.H = l.In.W, l.In.H
	l.In = Shape{C: p.Num * p.Entries(), H: p.H, W: p.W}
	l.Out = l.In
	if in := flatInputs(b, l); l.Out.Size() != in || in == 0 {
		return fmt.Errorf("the previous layer outputs %d values but num=%d x (coords=%d + 1 + classes=%d) on a %dx%d grid need %d: filters= of the convolutional layer before must be %d",
			in, p.Num, p.Coords, p.Classes, p.W, p.H, l.Out.Size(), p.Num*p.Entries())
	}
	l.op = &region{p: p}
	return nil
}

func (r *region) params() []param { return nil }

func (r *region) forward(ins [][]float32, out []float32) {
	in := ins[0]
	plane := r.p.W * r.p.H
	depth := r.p.Num * r.p.Entries() // channels of the input
	// Transpose [depth][plane] to [plane][depth].
	for c := 0; c < depth; c++ {
		for i := 0; i < plane; i++ {
			out[i*depth+c] = in[c*plane+i]
		}
	}
	entries := r.p.Entries()
	for k := 0; k < plane*r.p.Num; k++ {
		e := out[k*entries : (k+1)*entries]
		e[4] = logistic(e[4])
		if r.p.Softmax {
			softmax(e[5:], 1)
		}
	}
}

// softmax is Darknet's softmax (src/blas.c): subtract the maximum, divide
// logits by temp, exponentiate, normalise; in place.
func softmax(x []float32, temp float32) {
	largest := float32(-math.MaxFloat32)
	for _, v := range x {
		if v > largest {
			largest = v
		}
	}
	var sum float32
	for i, v := range x {
		e := expf(v/temp - largest/temp)
		sum += e
		x[i] = e
	}
	for i := range x {
		x[i] /= sum
	}
}
