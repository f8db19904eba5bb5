package engine

import (
	"fmt"

	"github.com/darkgo/darkgo/cfgparse"
)

// crop is Darknet's [crop] layer (src/crop_layer.c) at inference: a centred
// crop_height x crop_width window, with values mapped x -> 2x-1 (from [0,1]
// to [-1,1]) unless noadjust=1. The random crop/flip and the
// angle/saturation/exposure options only apply when training.
type crop struct {
	noadjust bool
	in, out  Shape
}

func init() { register("crop", buildCrop) }

func buildCrop(b *buildState, s *cfgparse.Section, l *Layer) error {
	c := &crop{in: l.In}
	h, w := s.Int("crop_height", 1), s.Int("crop_width", 1)
	s.Int("flip", 0)
	s.Float("angle", 0)
	s.Float("saturation", 1)
	s.Float("exposure", 1)
	s.Float("shift", 0)
	c.noadjust = s.Int("noadjust", 0) != 0
	if err := checkShape(l.In); err != nil {
		return fmt.Errorf("input %v: %v (the layer before crop must output an image)", l.In, err)
	}
	if err := positive(s, "crop_height", h); err != nil {
		return err
	}
	if err := positive(s, "crop_width", w); err != nil {
		return err
	}
	if h > l.In.H || w > l.In.W {
		// Darknet would read outside the input.
		return s.Errorf("", "crop %dx%d is larger than the input %dx%d", w, h, l.In.W, l.In.H)
	}
	c.out = Shape{C: l.In.C, H: h, W: w}
	l.Out = c.out
	l.op = c
	return nil
}

func (c *crop) params() []param { return nil }

func (c *crop) forward(ins [][]float32, out []float32) {
	scale, trans := float32(2), float32(-1)
	if c.noadjust {
		scale, trans = 1, 0
	}
	dh := (c.in.H - c.out.H) / 2
	dw := (c.in.W - c.out.W) / 2
	i := 0
	for k := 0; k < c.in.C; k++ {
		for y := 0; y < c.out.H; y++ {
			row := ins[0][(k*c.in.H+y+dh)*c.in.W+dw:]
			for x := 0; x < c.out.W; x++ {
				out[i] = row[x]*scale + trans
				i++
			}
		}
	}
}
