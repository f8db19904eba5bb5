package engine

import (
	"context"
	"errors"
	"fmt"
	"image"
)

// Prediction is one class of a classifier's answer.
type Prediction struct {
	Class       int
	Name        string  // class name, if the Net has names
	Probability float32 // the network's output for the class (softmax: a probability)
}

// IsClassifier reports, as an error naming the cfg, why the network is not
// an image classifier, or nil. A classifier ends in a [softmax] or [cost]
// layer and has no detection layer, as the cfgs Darknet's `classifier`
// commands take.
func (n *Net) IsClassifier() error {
	if n.IsDetector() == nil {
		return fmt.Errorf("%s: the network is a detector, not a classifier", n.File)
	}
	if len(n.Layers) == 0 {
		return fmt.Errorf("%s: the network has no layers", n.File)
	}
	switch t := n.Layers[len(n.Layers)-1].Type; t {
	case "softmax", "cost":
		return nil
	default:
		return fmt.Errorf("%s: the last layer is [%s], not [softmax] or [cost]: it is not a classifier", n.File, t)
	}
}

// Classify runs a classifier on an image as Darknet's `classifier predict`
// does: resize_min to the network width, centred crop to the network size
// (not the detector's stretch), forward, and the k classes with the highest
// outputs, best first (ties keep the lower class first, as Darknet's top_k).
// k larger than the number of classes is reduced to it.
func (n *Net) Classify(ctx context.Context, img image.Image, k int) ([]Prediction, error) {
	if err := n.IsClassifier(); err != nil {
		return nil, err
	}
	if k <= 0 {
		return nil, fmt.Errorf("engine: Classify needs k >= 1, got %d", k)
	}
	b := img.Bounds()
	if b.Dx() <= 0 || b.Dy() <= 0 {
		return nil, errors.New("engine: empty image")
	}
	s, err := n.getSession()
	if err != nil {
		return nil, err
	}
	defer n.putSession(s)
	if err := s.prep.ClassifierInput(s.input, img, n.Input.W, n.Input.H, n.Input.C); err != nil {
		return nil, err
	}
	return n.ClassifyInput(ctx, s, k)
}

// ClassifyInput is the second half of Classify, for callers that prepare
// the network input themselves (preprocess.ClassifierInput into s.Input()):
// it runs the network and returns the top k classes.
func (n *Net) ClassifyInput(ctx context.Context, s *Session, k int) ([]Prediction, error) {
	if s.net != n {
		return nil, errors.New("engine: the session belongs to another network")
	}
	if err := n.IsClassifier(); err != nil {
		return nil, err
	}
	if k <= 0 {
		return nil, fmt.Errorf("engine: Classify needs k >= 1, got %d", k)
	}
	if err := s.run(ctx); err != nil {
		return nil, err
	}
	out := s.Output(len(n.Layers) - 1)
	idx := TopK(out, k)
	preds := make([]Prediction, len(idx))
	for i, c := range idx {
		preds[i] = Prediction{Class: c, Probability: out[c]}
		if c < len(n.names) {
			preds[i].Name = n.names[c]
		}
	}
	return preds, nil
}

// TopK returns the indices of the k largest values of a, largest first,
// exactly as Darknet's top_k picks them (k is limited to len(a)). Each value
// walks down the list and swaps with the first entry it strictly beats; the
// entry it displaces walks on the same way. So among equal values the
// earlier index stays ahead, and a displaced entry can be dropped in favour
// of an equal one behind it, as in Darknet.
func TopK(a []float32, k int) []int {
	k = min(k, len(a))
	if k <= 0 {
		return nil
	}
	idx := make([]int, k)
	for j := range idx {
		idx[j] = -1
	}
	for i := range a {
		cur := i
		for j := range idx {
			if cur < 0 {
				break // the rest of the list only holds empty slots
			}
			if idx[j] < 0 || a[cur] > a[idx[j]] {
				cur, idx[j] = idx[j], cur
			}
		}
	}
	return idx
}
