package engine

import (
	"github.com/darkgo/darkgo/cfgparse"
)

// identity is a layer whose inference output is its input: Darknet's
// [dropout] (its output aliases the previous layer's) and [empty] /
// [silence].
type identity struct{}

func (identity) params() []param { return nil }

func (identity) forward(ins [][]float32, out []float32) { copy(out, ins[0]) }

func init() { register("dropout", buildDropout) }

// buildDropout: parse_dropout keeps the previous layer's shape and element
// count (Darknet leaves l.w/h/c at 0; darkgo keeps In as the real input).
func buildDropout(b *buildState, s *cfgparse.Section, l *Layer) error {
	s.Float("probability", .2)
	consume(s, "dropblock", "dropblock_size_rel", "dropblock_size_abs")
	passThrough(b, l)
	l.op = identity{}
	return nil
}

// passThrough gives l the previous layer's shape and element count (which
// differ for Darknet's 0-shaped layers, e.g. a route of mismatched inputs).
func passThrough(b *buildState, l *Layer) {
	l.Out = l.In
	if l.Index > 0 {
		l.Outputs = b.layers[l.Index-1].Outputs
	} else {
		l.Outputs = b.net.Input.Size()
	}
}
