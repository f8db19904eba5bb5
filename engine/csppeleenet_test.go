package engine

import (
	"math"
	"path/filepath"
	"slices"
	"testing"
)

// The shipped PeleeNet / CSPPeleeNet cfgs are written from the papers (no
// official cfg is public), so these tests are what ties them to the papers:
// the published cost and size, the detector's head geometry, and a forward
// pass that runs.

// weightsOnly is the parameter count the papers publish: convolution and
// fully-connected weights, without biases and batch-norm statistics (PeleeNet
// counted that way is 2.79 M; darkgo's Params counts every float of the
// .weights file).
func weightsOnly(n *Net) int {
	t := 0
	for _, l := range n.Layers {
		switch op := l.op.(type) {
		case *convolutional:
			if op.shareFrom < 0 {
				t += op.nweights()
			}
		case *connected:
			t += op.inputs * op.outputs
		}
	}
	return t
}

func buildShipped(t *testing.T, name string) *Net {
	t.Helper()
	n, err := BuildFile(filepath.Join(repoRoot(t), "cfg", name), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range n.Warnings {
		t.Errorf("%s: warning: %v", name, w)
	}
	for _, l := range n.Layers {
		if l.Type == "softmax" {
			// Darknet's softmax layer has no w/h/c, only outputs.
			if l.Outputs != l.In.Size() {
				t.Errorf("%s: %s: %d outputs for input %v", name, l.Name, l.Outputs, l.In)
			}
			continue
		}
		if l.Out.C <= 0 || l.Out.H <= 0 || l.Out.W <= 0 || l.Outputs != l.Out.Size() {
			t.Errorf("%s: %s (line %d): invalid output shape %v (%d values)", name, l.Name, l.Line, l.Out, l.Outputs)
		}
	}
	return n
}

func sumBFLOPs(ls []*Layer) float64 {
	var t float64
	for _, l := range ls {
		t += l.BFLOPs
	}
	return t
}

// within reports whether got is within rel (relative) of want.
func within(got, want, rel float64) bool { return math.Abs(got-want) <= rel*want }

func TestCSPPeleeClassifiers(t *testing.T) {
	for _, c := range []struct {
		cfg            string
		bflops, params float64 // published: Darknet BFLOPs at 224, weights in millions
	}{
		{"csppeleenet.cfg", 0.888, 2.83},
		{"pelee.cfg", 1.017, 2.79},
	} {
		t.Run(c.cfg, func(t *testing.T) {
			n := buildShipped(t, c.cfg)
			if n.Input != (Shape{C: 3, H: 224, W: 224}) {
				t.Errorf("input %v, want 3x224x224", n.Input)
			}
			bf, w := n.BFLOPs(), float64(weightsOnly(n))/1e6
			t.Logf("%s: %d layers, %.4f BFLOPs (published %.3f, %+.2f%%), %.4f M weights (published %.2f, %+.2f%%), %.4f M floats in .weights",
				c.cfg, len(n.Layers), bf, c.bflops, 100*(bf/c.bflops-1), w, c.params, 100*(w/c.params-1), float64(n.Params())/1e6)
			if !within(bf, c.bflops, 0.01) {
				t.Errorf("%.4f BFLOPs, want within 1%% of %.3f", bf, c.bflops)
			}
			if !within(w, c.params, 0.01) {
				t.Errorf("%.4f M weights, want within 1%% of %.2f M", w, c.params)
			}
			last := n.Layers[len(n.Layers)-1]
			if last.Type != "softmax" || last.Outputs != 1000 {
				t.Errorf("last layer %s with %d outputs, want a 1000-way softmax", last.Name, last.Outputs)
			}
			outs := runBoth(t, n)
			var sum float64
			for _, v := range outs[len(outs)-1] {
				sum += float64(v)
			}
			if math.Abs(sum-1) > 1e-3 {
				t.Errorf("softmax output sums to %g", sum)
			}
		})
	}
}

func TestCSPPeleeEFM(t *testing.T) {
	n := buildShipped(t, "csppeleenet-efm.cfg")
	if n.Input != (Shape{C: 3, H: 320, W: 320}) {
		t.Errorf("input %v, want 3x320x320", n.Input)
	}
	bf := n.BFLOPs()
	t.Logf("csppeleenet-efm.cfg: %d layers, %.4f BFLOPs (target 2.47, %+.2f%%), %.4f M weights, %.4f M floats in .weights",
		len(n.Layers), bf, 100*(bf/2.47-1), float64(weightsOnly(n))/1e6, float64(n.Params())/1e6)
	if !within(bf, 2.47, 0.05) {
		t.Errorf("%.4f BFLOPs, want within 5%% of 2.47", bf)
	}
	var yolos []*Layer
	for _, l := range n.Layers {
		if l.Type == "yolo" {
			yolos = append(yolos, l)
		}
	}
	sizes := []int{40, 20, 10} // strides 8, 16, 32 at 320x320
	if len(yolos) != len(sizes) {
		t.Fatalf("%d yolo layers, want %d", len(yolos), len(sizes))
	}
	for i, l := range yolos {
		y := l.op.(*yolo)
		if l.Out != (Shape{C: 255, H: sizes[i], W: sizes[i]}) || y.p.Classes != 80 || len(y.p.Mask) != 3 || len(y.p.Anchors) != 18 {
			t.Errorf("%s: out %v, %d classes, mask %v, %d anchors; want 255x%dx%d, 80 classes, 3 of 9 anchors",
				l.Name, l.Out, y.p.Classes, y.p.Mask, len(y.p.Anchors)/2, sizes[i], sizes[i])
		}
	}
	// At another input size the heads follow (Darknet detectors take any
	// multiple of 32).
	n416, err := BuildFile(n.File, &Options{Width: 416, Height: 416})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{52, 26, 13} {
		if got := n416.Layers[yolos[i].Index].Out; got.H != want || got.W != want {
			t.Errorf("at 416: %s is %v, want %dx%d", yolos[i].Name, got, want, want)
		}
	}
	// The detector's backbone is the classifier's layer for layer, so
	// ImageNet weights load into it (darknet partial).
	cls := buildShipped(t, "csppeleenet.cfg")
	det224, err := BuildFile(n.File, &Options{Width: 224, Height: 224})
	if err != nil {
		t.Fatal(err)
	}
	backbone := 0
	for cls.Layers[backbone].Type != "avgpool" {
		backbone++
	}
	for i, c := range cls.Layers[:backbone] {
		d := det224.Layers[i]
		if c.Type != d.Type || c.Out != d.Out || c.Params != d.Params || c.BFLOPs != d.BFLOPs || !slices.Equal(c.Inputs, d.Inputs) {
			t.Errorf("layer %d: detector %s %v inputs %v, classifier %s %v inputs %v", i, d.Name, d.Out, d.Inputs, c.Name, c.Out, c.Inputs)
		}
	}
	t.Logf("backbone: %d layers shared with csppeleenet.cfg, %.4f of the %.4f BFLOPs at 320", backbone, sumBFLOPs(n.Layers[:backbone]), bf)

	outs := runBoth(t, n)
	for _, l := range yolos {
		if len(outs[l.Index]) != l.Outputs {
			t.Errorf("%s: %d outputs, want %d", l.Name, len(outs[l.Index]), l.Outputs)
		}
	}
}

// runBoth runs the network with synthetic weights through the reference
// forward and through a session, checks that every layer's output is
// finite and that the two agree, and returns the reference outputs.
func runBoth(t *testing.T, n *Net) [][]float32 {
	t.Helper()
	if err := n.SyntheticWeights(1); err != nil {
		t.Fatal(err)
	}
	planned, naive := n.Memory()
	t.Logf("activations: %.2f MB planned, %.2f MB one buffer per layer", float64(planned)/1e6, float64(naive)/1e6)
	in := make([]float32, n.Input.Size())
	for i := range in {
		in[i] = float32(i%251) / 251
	}
	ref, err := n.ForwardReference(in)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range n.Layers {
		for _, v := range ref[i] {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("%s: reference output is not finite (%v)", l.Name, v)
			}
		}
	}
	s, err := n.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	copy(s.Input(), in)
	// A session reuses buffers once their last reader ran, so each layer is
	// compared right after it ran (a layer fused with the next computes no
	// output of its own: the next one is compared).
	err = s.ForwardUpTo(len(n.Layers), func(i int) {
		if s.Fused(i) {
			return
		}
		var scale, worst float64
		for j, v := range s.Output(i) {
			scale = max(scale, math.Abs(float64(ref[i][j])))
			worst = max(worst, math.Abs(float64(v)-float64(ref[i][j])))
		}
		// Sessions fold batch-norm and sum in another order: float32
		// rounding, relative to the layer's largest value.
		if math.IsNaN(worst) || worst > 1e-3*max(scale, 1) {
			t.Errorf("%s: session differs from the reference by %g (largest value %g)", n.Layers[i].Name, worst, scale)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return ref
}
