package engine

import (
	"math"

	"github.com/darkgo/darkgo/cfgparse"
)

// batchnorm is Darknet's standalone [batchnorm] layer (src/batchnorm_layer.c)
// at inference: per channel (x - rolling_mean)/sqrt(rolling_variance +
// .00001) * scale + bias. It has no options.
type batchnorm struct {
	shape                          Shape
	biases, scales, mean, variance []float32
}

func init() { register("batchnorm", buildBatchnorm) }

func buildBatchnorm(b *buildState, s *cfgparse.Section, l *Layer) error {
	if err := checkShape(l.In); err != nil {
		return s.Errorf("", "input %v: %v", l.In, err)
	}
	l.Out = l.In
	l.Params = 4 * l.In.C
	l.op = &batchnorm{shape: l.In}
	return nil
}

// params follows load_batchnorm_weights: biases, scales, rolling mean,
// rolling variance, c floats each.
func (bn *batchnorm) params() []param {
	c := bn.shape.C
	return []param{{"biases", c, &bn.biases}, {"scales", c, &bn.scales},
		{"rolling_mean", c, &bn.mean}, {"rolling_variance", c, &bn.variance}}
}

func (bn *batchnorm) forward(ins [][]float32, out []float32) {
	plane := bn.shape.H * bn.shape.W
	for k := 0; k < bn.shape.C; k++ {
		// normalize_cpu divides the float difference by a double sqrt.
		sd := math.Sqrt(float64(bn.variance[k] + bnEpsilon))
		for i := k * plane; i < (k+1)*plane; i++ {
			v := float32(float64(ins[0][i]-bn.mean[k]) / sd)
			out[i] = v*bn.scales[k] + bn.biases[k]
		}
	}
}
