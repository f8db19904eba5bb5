package engine

import (
	"fmt"

	"github.com/darkgo/darkgo/cfgparse"
)

// contrastive is Darknet's [contrastive] layer (src/softmax_layer.c,
// make_contrastive_layer): a training loss on the embeddings a [yolo] layer
// points at. Darknet's forward returns at once when not training, so its
// output buffer stays all zeros; darkgo passes the embeddings through
// instead, which is the only useful thing the layer could output.
type contrastive struct{}

func init() { register("contrastive", buildContrastive) }

func buildContrastive(b *buildState, s *cfgparse.Section, l *Layer) error {
	s.Int("classes", 1000) // replaced by the [yolo] layer's classes
	// parse_contrastive dereferences yolo_layer= unconditionally: without it,
	// or pointing at anything but a [yolo] layer, Darknet crashes or exits.
	if !s.Has("yolo_layer") {
		return s.Errorf("", "yolo_layer= is required (Darknet crashes without it)")
	}
	v := s.Int("yolo_layer", 0)
	idx, err := b.ref(l, v)
	if err != nil {
		return s.Errorf("yolo_layer", "%v", err)
	}
	yl := b.layers[idx]
	y, ok := yl.op.(*yolo)
	if !ok {
		return s.Errorf("yolo_layer", "layer %d is a %s layer, not a [yolo] layer", idx, yl.Type)
	}
	inputs := flatInputs(b, l)
	cells := len(y.p.Mask) * l.In.H * l.In.W
	if cells == 0 || inputs%cells != 0 {
		return fmt.Errorf("the %d input values are not a whole number of embeddings for %d anchors on a %dx%d grid", inputs, len(y.p.Mask), l.In.W, l.In.H)
	}
	consume(s, "temperature", "cls_normalizer", "max_delta", "contrastive_neg_max")
	consume(s, layerCommonKeys...)
	l.Out = Shape{}
	l.Outputs = inputs
	l.op = contrastive{}
	return nil
}

func (contrastive) params() []param { return nil }

func (contrastive) forward(ins [][]float32, out []float32) { copy(out, ins[0]) }
