package engine

import (
	"github.com/darkgo/darkgo/cfgparse"
)

// softmaxLayer is Darknet's [softmax] / [soft] layer (src/softmax_layer.c):
// the flat input is split into groups= contiguous chunks and each chunk is
// softmaxed with its logits divided by temperature=.
//
// Like Darknet, the layer keeps the input's c, h, w as its own but leaves
// its output dimensions 0 (Outputs is the input's value count), so a layer
// after it that needs an image is rejected, as Darknet rejects it.
type softmaxLayer struct {
	groups int
	temp   float32
}

func init() { register("softmax", buildSoftmax) }

func buildSoftmax(b *buildState, s *cfgparse.Section, l *Layer) error {
	sm := &softmaxLayer{
		groups: s.Int("groups", 1),
		temp:   float32(s.Float("temperature", 1)),
	}
	if err := positive(s, "groups", sm.groups); err != nil {
		return err
	}
	inputs := flatInputs(b, l)
	if inputs%sm.groups != 0 {
		return s.Errorf("groups", "groups=%d does not divide the %d input values", sm.groups, inputs)
	}
	if sm.temp == 0 {
		return s.Errorf("temperature", "must not be 0")
	}
	if s.Has("tree") {
		l.unsupported = s.Errorf("tree", "hierarchical softmax (tree=%s) is not supported by darkgo", s.String("tree", ""))
	}
	// spatial= only changes Darknet's GPU path; its CPU forward ignores it,
	// and the CPU result is what darkgo reproduces.
	consume(s, "spatial", "noloss")
	consume(s, layerCommonKeys...)
	l.Out = Shape{}
	l.Outputs = inputs
	l.op = sm
	return nil
}

func (sm *softmaxLayer) params() []param { return nil }

func (sm *softmaxLayer) forward(ins [][]float32, out []float32) {
	copy(out, ins[0])
	n := len(out) / sm.groups
	for g := 0; g < sm.groups; g++ {
		softmax(out[g*n:(g+1)*n], sm.temp)
	}
}
