package engine

import (
	"github.com/darkgo/darkgo/cfgparse"
)

// activationLayer is Darknet's standalone [activation] layer
// (src/activation_layer.c): the previous layer's output through an
// activation. Darknet's CPU code returns 0 for relu6, swish, mish,
// hard_mish and normalize_channels* here (activate() has no case for them);
// darkgo computes them as the convolutional layer does.
type activationLayer struct {
	act   Activation
	shape Shape
}

func init() { register("activation", buildActivationLayer) }

func buildActivationLayer(b *buildState, s *cfgparse.Section, l *Layer) error {
	a := &activationLayer{shape: l.In}
	var err error
	if a.act, err = parseActivation(s.String("activation", "linear")); err != nil {
		return s.Errorf("activation", "%v", err)
	}
	passThrough(b, l)
	l.op = a
	return nil
}

func (a *activationLayer) params() []param { return nil }

func (a *activationLayer) forward(ins [][]float32, out []float32) {
	copy(out, ins[0])
	activateArray(out, a.act, a.shape.C, a.shape.H*a.shape.W)
}
