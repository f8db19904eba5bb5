package engine

import (
	"bytes"
	"testing"

	"github.com/darkgo/darkgo/cfgparse"
	"github.com/darkgo/darkgo/weights"
)

// TestDontLoad checks dontload / dontloadscales remove a layer's tensors
// from the .weights layout, as Darknet's load_weights_upto does.
func TestDontLoad(t *testing.T) {
	const text = `[net]
width=8
height=8
channels=3
[convolutional]
filters=4
size=3
pad=1
batch_normalize=1
activation=leaky
dontloadscales=1
[convolutional]
filters=2
size=1
activation=linear
dontload=1
`
	cfg, err := cfgparse.Parse("t.cfg", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	n, err := Build(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Layer 0: biases (4) + weights (4*3*3*3); BN tensors skipped. Layer 1: nothing.
	if got, want := n.Layers[0].Params, 4+108; got != want {
		t.Errorf("layer 0 params %d, want %d", got, want)
	}
	if n.Layers[1].Params != 0 {
		t.Errorf("layer 1 params %d, want 0", n.Layers[1].Params)
	}
	var buf bytes.Buffer
	data := make([]float32, 112)
	if err := weights.Write(&buf, weights.DefaultHeader(), []weights.Layer{{Tensors: []weights.Tensor{{Name: "all", Data: data}}}}); err != nil {
		t.Fatal(err)
	}
	if err := n.LoadWeights(&buf, "t.weights"); err != nil {
		t.Fatal(err)
	}
	c := n.Layers[0].op.(*convolutional)
	if c.scales[0] != 1 || c.variance[0] != 1 || c.mean[0] != 0 {
		t.Errorf("skipped BN tensors should be neutral, got scale %v var %v mean %v", c.scales[0], c.variance[0], c.mean[0])
	}
}
