package engine

import (
	"github.com/darkgo/darkgo/cfgparse"
)

// implicit is Darknet's [implicit] layer (IMPLICIT, make_implicit_layer in
// src/representation_layer.c), YOLOR's implicit knowledge: a learned
// constant tensor of filters x atoms x 1, read from the weights file. It
// takes no input; [shortcut] or [scale_channels] then add or multiply it
// (the "implicit_add" / "implicit_mul" pattern).
type implicit struct {
	n       int
	weights []float32
}

func init() { register("implicit", buildImplicit) }

func buildImplicit(b *buildState, s *cfgparse.Section, l *Layer) error {
	// mean and std only set Darknet's random initial values.
	s.Float("mean", 0)
	s.Float("std", 0.2)
	filters := s.Int("filters", 128)
	atoms := s.Int("atoms", 1)
	if err := positive(s, "filters", filters); err != nil {
		return err
	}
	if err := positive(s, "atoms", atoms); err != nil {
		return err
	}
	l.Inputs = nil
	l.In = Shape{C: 1, H: 1, W: 1} // as Darknet stores it
	l.Out = Shape{C: filters, H: atoms, W: 1}
	l.Params = filters * atoms
	l.op = &implicit{n: filters * atoms}
	return nil
}

func (im *implicit) params() []param { return []param{{"weights", im.n, &im.weights}} }

func (im *implicit) forward(ins [][]float32, out []float32) { copy(out, im.weights) }
