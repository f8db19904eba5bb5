package engine

import (
	"fmt"

	"github.com/darkgo/darkgo/cfgparse"
)

// avgpool is Darknet's [avgpool] / [avg] layer: a global average over each
// channel's plane, giving c x 1 x 1 (src/avgpool_layer.c). It has no options.
type avgpool struct{ in Shape }

func init() { register("avgpool", buildAvgpool) }

func buildAvgpool(b *buildState, s *cfgparse.Section, l *Layer) error {
	if err := checkShape(l.In); err != nil {
		return fmt.Errorf("input %v: %v (the layer before avgpool must output an image)", l.In, err)
	}
	l.Out = Shape{C: l.In.C, H: 1, W: 1}
	l.op = &avgpool{in: l.In}
	return nil
}

func (a *avgpool) params() []param { return nil }

// forward sums each plane in index order, then divides by its size, as
// Darknet does (accumulating in float).
func (a *avgpool) forward(ins [][]float32, out []float32) {
	plane := a.in.H * a.in.W
	for k := 0; k < a.in.C; k++ {
		var sum float32
		for _, v := range ins[0][k*plane : (k+1)*plane] {
			sum += v
		}
		out[k] = sum / float32(plane)
	}
}
