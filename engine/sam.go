package engine

import (
	"fmt"

	"github.com/darkgo/darkgo/cfgparse"
)

// sam is Darknet's [sam] layer (src/sam_layer.c), the spatial attention
// module of YOLOv4: the previous layer's output times the from= layer's,
// element by element, then an activation.
type sam struct {
	act Activation
	out Shape
}

func init() { register("sam", buildSam) }

func buildSam(b *buildState, s *cfgparse.Section, l *Layer) error {
	idx, err := fromLayer(b, s, l)
	if err != nil {
		return err
	}
	m := &sam{}
	if m.act, err = parseActivation(s.String("activation", "linear")); err != nil {
		return s.Errorf("activation", "%v", err)
	}
	from := b.layers[idx].Out
	if err := checkShape(from); err != nil {
		return s.Errorf("from", "layer %d output %v: %v", idx, from, err)
	}
	if l.In != from {
		// make_sam_layer asserts equal shapes.
		return fmt.Errorf("the previous layer's output %v differs from layer %d's %v", l.In, idx, from)
	}
	l.Inputs = []int{l.Index - 1, idx}
	m.out = from
	l.Out = from
	l.op = m
	return nil
}

func (m *sam) params() []param { return nil }

func (m *sam) forward(ins [][]float32, out []float32) {
	for i := range out {
		out[i] = ins[0][i] * ins[1][i]
	}
	activateArray(out, m.act, m.out.C, m.out.H*m.out.W)
}
