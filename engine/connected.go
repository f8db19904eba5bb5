package engine

import (
	"math"

	"github.com/darkgo/darkgo/cfgparse"
)

// connected is Darknet's [connected] / [conn] layer
// (src/connected_layer.c): out = W·x (+ batch-norm) + b, then the
// activation. x is the previous layer's output taken as a flat vector;
// W is [outputs][inputs].
type connected struct {
	inputs, outputs int
	bn              bool
	act             Activation

	biases, weights, scales, mean, variance []float32
}

func init() { register("connected", buildConnected) }

func buildConnected(b *buildState, s *cfgparse.Section, l *Layer) error {
	c := &connected{
		outputs: s.Int("output", 1),
		bn:      s.Int("batch_normalize", 0) != 0,
		inputs:  flatInputs(b, l),
	}
	var err error
	if c.act, err = parseActivation(s.String("activation", "logistic")); err != nil {
		return s.Errorf("activation", "%v", err)
	}
	if err := positive(s, "output", c.outputs); err != nil {
		return err
	}
	consume(s, layerCommonKeys...)
	// Darknet's connected layer is a 1x1 image of inputs channels producing
	// outputs channels; it reports no BFLOPs (l.bflops stays 0).
	l.In = Shape{C: c.inputs, H: 1, W: 1}
	l.Out = Shape{C: c.outputs, H: 1, W: 1}
	// The weights product is bounded: inputs were charged to the budget as
	// the previous layer's output and outputs <= maxDim.
	l.Params = c.outputs + c.inputs*c.outputs
	if c.bn {
		l.Params += 3 * c.outputs
	}
	l.op = c
	return nil
}

// params follows load_connected_weights: biases, weights, then the
// batch-norm scales, rolling mean and rolling variance (after the weights,
// unlike convolutional layers).
func (c *connected) params() []param {
	ps := []param{{"biases", c.outputs, &c.biases}, {"weights", c.inputs * c.outputs, &c.weights}}
	if c.bn {
		ps = append(ps, param{"scales", c.outputs, &c.scales},
			param{"rolling_mean", c.outputs, &c.mean},
			param{"rolling_variance", c.outputs, &c.variance})
	}
	return ps
}

// prepare undoes the transposition of weights files whose header marks
// them (major or minor > 1000): those store W as [inputs][outputs].
func (c *connected) prepare(n *Net) error {
	if !n.Header.Transposed() {
		return nil
	}
	t := make([]float32, len(c.weights))
	for i := 0; i < c.inputs; i++ {
		for o := 0; o < c.outputs; o++ {
			t[o*c.inputs+i] = c.weights[i*c.outputs+o]
		}
	}
	c.weights = t
	return nil
}

func (c *connected) forward(ins [][]float32, out []float32) {
	x := ins[0]
	for o := 0; o < c.outputs; o++ {
		w := c.weights[o*c.inputs : (o+1)*c.inputs]
		var sum float32
		for i, v := range x[:c.inputs] {
			sum += w[i] * v
		}
		if c.bn {
			sd := float32(math.Sqrt(float64(c.variance[o] + bnEpsilon)))
			sum = (sum-c.mean[o])/sd*c.scales[o] + c.biases[o]
		} else {
			sum += c.biases[o]
		}
		out[o] = sum
	}
	activateArray(out, c.act, c.outputs, 1)
}
