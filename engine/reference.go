package engine

import (
	"errors"
	"fmt"
)

// ForwardReference runs the plain reference implementation of every layer
// on one input (CHW float32, n.Input.Size() values) and returns every
// layer's output. It is slow and simple on purpose: it is the ground truth
// the fast paths are tested against.
func (n *Net) ForwardReference(input []float32) ([][]float32, error) {
	if !n.loaded {
		return nil, errors.New("engine: no weights loaded")
	}
	if len(input) != n.Input.Size() {
		return nil, fmt.Errorf("engine: input has %d values, the network takes %v = %d", len(input), n.Input, n.Input.Size())
	}
	outs := make([][]float32, len(n.Layers))
	for i, l := range n.Layers {
		ins := make([][]float32, len(l.Inputs))
		for j, k := range l.Inputs {
			if k < 0 {
				ins[j] = input
			} else {
				ins[j] = outs[k]
			}
		}
		outs[i] = make([]float32, l.Outputs)
		l.op.forward(ins, outs[i])
	}
	return outs, nil
}
