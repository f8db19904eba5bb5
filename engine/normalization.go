package engine

import (
	"fmt"
	"math"

	"github.com/darkgo/darkgo/cfgparse"
)

// normalization is Darknet's [lrn] / [normalization] layer
// (forward_normalization_layer in src/normalization_layer.c): local response
// normalization across channels, out = x * norm^-beta with norm = kappa +
// alpha * (sum of squares over a channel window).
//
// The window sum is Darknet's running sum, reproduced exactly: channel 0
// starts with channels [0, size/2) and each next channel k adds channel
// k+size/2 and drops channel k-(size-1)/2-1. So channel size/2 is never
// added (for size=5 channel 0 sums channels 0,1 instead of 0,1,2, channel 1
// sums 0,1,3, ...), and alpha is not divided by size.
type normalization struct {
	size               int
	alpha, beta, kappa float32
	shape              Shape
}

func init() { register("normalization", buildNormalization) }

func buildNormalization(b *buildState, s *cfgparse.Section, l *Layer) error {
	n := &normalization{
		alpha: float32(s.Float("alpha", .0001)),
		beta:  float32(s.Float("beta", .75)),
		kappa: float32(s.Float("kappa", 1)),
		size:  s.Int("size", 5),
		shape: l.In,
	}
	if err := positive(s, "size", n.size); err != nil {
		return err
	}
	if err := checkShape(l.In); err != nil {
		return fmt.Errorf("input %v: %v (the layer before [lrn] must output an image)", l.In, err)
	}
	l.Out = l.In
	l.op = n
	return nil
}

func (n *normalization) params() []param { return nil }

func (n *normalization) forward(ins [][]float32, out []float32) {
	in := ins[0]
	c, plane := n.shape.C, n.shape.H*n.shape.W
	sq := make([]float32, len(in))
	for i, v := range in {
		sq[i] = float32(math.Pow(float64(v), 2))
	}
	norms := out // the running sums are built in out, then turned into the result
	for i := 0; i < plane; i++ {
		norms[i] = n.kappa
	}
	for k := 0; k < n.size/2 && k < c; k++ {
		for i := 0; i < plane; i++ {
			norms[i] += n.alpha * sq[k*plane+i]
		}
	}
	for k := 1; k < c; k++ {
		cur, prevNorm := norms[k*plane:(k+1)*plane], norms[(k-1)*plane:k*plane]
		copy(cur, prevNorm)
		if prev := k - (n.size-1)/2 - 1; prev >= 0 {
			for i := range cur {
				cur[i] += -n.alpha * sq[prev*plane+i]
			}
		}
		if next := k + n.size/2; next < c {
			for i := range cur {
				cur[i] += n.alpha * sq[next*plane+i]
			}
		}
	}
	for i, v := range in {
		out[i] = float32(math.Pow(float64(norms[i]), float64(-n.beta))) * v
	}
}
