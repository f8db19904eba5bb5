package engine

import (
	"github.com/darkgo/darkgo/cfgparse"
)

// cost is Darknet's [cost] layer (src/cost_layer.c): a training loss. At
// inference Darknet's forward returns at once (there is no truth), leaving
// its own output buffer untouched, and get_network_output skips [cost]
// layers so a classifier's result is the layer before it. darkgo passes the
// input through instead, so the cost layer's output is that same result and
// "the last layer" means what Darknet means by the network output.
type cost struct{}

func init() { register("cost", buildCost) }

func buildCost(b *buildState, s *cfgparse.Section, l *Layer) error {
	// The loss type (get_cost_type falls back to sse for unknown names) and
	// its options never matter at inference.
	consume(s, "type", "scale", "ratio", "noobj", "thresh")
	consume(s, layerCommonKeys...)
	// make_cost_layer sets no c/h/w and no out_c/out_h/out_w.
	l.In = Shape{}
	l.Out = Shape{}
	l.Outputs = flatInputs(b, l)
	l.op = cost{}
	return nil
}

func (cost) params() []param { return nil }

func (cost) forward(ins [][]float32, out []float32) { copy(out, ins[0]) }
