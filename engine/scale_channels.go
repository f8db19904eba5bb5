package engine

import (
	"fmt"

	"github.com/darkgo/darkgo/cfgparse"
)

// scaleChannels is Darknet's [scale_channels] layer
// (src/scale_channels_layer.c), the squeeze-and-excitation multiply: the
// from= layer's output with each channel multiplied by the matching value
// of the previous layer's c x 1 x 1 output. With scale_wh=1 it is the
// spatial variant: each pixel of every channel is multiplied by the
// previous layer's 1 x h x w value at that pixel.
type scaleChannels struct {
	scaleWH bool
	act     Activation
	out     Shape
}

func init() { register("scale_channels", buildScaleChannels) }

// fromLayer reads the single from= reference of [scale_channels] and [sam].
func fromLayer(b *buildState, s *cfgparse.Section, l *Layer) (int, error) {
	if !s.Has("from") {
		return 0, s.Errorf("from", "%s needs from = (the layer to scale)", l.Type)
	}
	idx, err := b.ref(l, s.Int("from", 0))
	if err != nil {
		return 0, s.Errorf("from", "%v", err)
	}
	return idx, s.Err()
}

func buildScaleChannels(b *buildState, s *cfgparse.Section, l *Layer) error {
	idx, err := fromLayer(b, s, l)
	if err != nil {
		return err
	}
	sc := &scaleChannels{scaleWH: s.Int("scale_wh", 0) != 0}
	if sc.act, err = parseActivation(s.String("activation", "linear")); err != nil {
		return s.Errorf("activation", "%v", err)
	}
	from := b.layers[idx].Out
	if err := checkShape(from); err != nil {
		return s.Errorf("from", "layer %d output %v: %v", idx, from, err)
	}
	// The checks are make_scale_channels_layer's asserts.
	if sc.scaleWH {
		if l.In.C != 1 || l.In.W != from.W || l.In.H != from.H {
			return fmt.Errorf("scale_wh=1 needs the previous layer to output 1 channel of the from layer's size %dx%d, got %v", from.W, from.H, l.In)
		}
	} else if l.In.W != 1 || l.In.H != 1 || l.In.C != from.C {
		return fmt.Errorf("the previous layer must output 1x1x%d (one scale per channel of layer %d), got %v", from.C, idx, l.In)
	}
	l.Inputs = []int{l.Index - 1, idx}
	sc.out = from
	l.Out = from
	l.op = sc
	return nil
}

func (sc *scaleChannels) params() []param { return nil }

func (sc *scaleChannels) forward(ins [][]float32, out []float32) {
	scale, from := ins[0], ins[1]
	plane := sc.out.H * sc.out.W
	for i := range out {
		if sc.scaleWH {
			out[i] = scale[i%plane] * from[i]
		} else {
			out[i] = scale[i/plane] * from[i]
		}
	}
	activateArray(out, sc.act, sc.out.C, plane)
}
