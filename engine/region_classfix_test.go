package engine

import (
	"context"
	"image"
	"strings"
	"testing"
)

// TestRegionClassfix: [region] classfix=-1 reaches the decoder as in
// Darknet's get_region_boxes, which treats objectness below 0.5 as 0. The
// same weights with classfix=0 must give the same probabilities except that
// some (the low-objectness boxes) are now zero.
func TestRegionClassfix(t *testing.T) {
	load := func(classfix string) *Net {
		src := "[net]\nwidth=32\nheight=32\nchannels=3\n\n[convolutional]\nfilters=21\nsize=3\nstride=8\npad=1\nactivation=linear\n\n" +
			"[region]\nanchors=1,1,2,2,3,1\nclasses=2\ncoords=4\nnum=3\nsoftmax=1\nclassfix=" + classfix + "\n"
		n, err := Load(strings.NewReader(src), nil, &Options{Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		if p := n.Layers[1].Region(); p == nil {
			t.Fatal("layer 1 is not a region layer")
		}
		return n
	}
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 29)
	}
	opts := &DetectOptions{Thresh: 1e-6, NMS: -1}
	base, err := load("0").DetectBoxes(context.Background(), img, opts)
	if err != nil {
		t.Fatal(err)
	}
	fixed, err := load("-1").DetectBoxes(context.Background(), img, opts)
	if err != nil {
		t.Fatal(err)
	}
	if p := load("-1").Layers[1].Region(); p.Classfix != -1 {
		t.Fatalf("RegionParams.Classfix = %d, want -1", p.Classfix)
	}
	if len(base.Detections) != len(fixed.Detections) || len(base.Detections) != 4*4*3 {
		t.Fatalf("%d and %d detections, want 48 each", len(base.Detections), len(fixed.Detections))
	}
	zeroed, kept := 0, 0
	for i := range base.Detections {
		for c, p := range fixed.Detections[i].Prob {
			b := base.Detections[i].Prob[c]
			switch {
			case p == b && p != 0:
				kept++
			case p == 0 && b != 0:
				zeroed++
			case p != b:
				t.Fatalf("box %d class %d: %v with classfix=-1, %v without", i, c, p, b)
			}
		}
	}
	if zeroed == 0 || kept == 0 {
		t.Errorf("classfix=-1 zeroed %d and kept %d probabilities: want some of each", zeroed, kept)
	}
}
