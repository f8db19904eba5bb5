package engine

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/darkgo/darkgo/cfgparse"
)

// Tests of the output-head and classifier layers (yolo, Gaussian_yolo,
// region, detection, softmax, connected, cost, contrastive) beyond what the
// golden cases cover: options, error reporting, layouts no golden case has.

func buildText(t *testing.T, text string) (*Net, error) {
	t.Helper()
	cfg, err := cfgparse.Parse("test.cfg", []byte(text))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return Build(cfg, nil)
}

func mustBuild(t *testing.T, text string) *Net {
	t.Helper()
	n, err := buildText(t, text)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// forwardSynthetic runs the reference forward with synthetic weights on a
// deterministic input with negative and positive values.
func forwardSynthetic(t *testing.T, n *Net) (input []float32, outs [][]float32) {
	t.Helper()
	if err := n.SyntheticWeights(3); err != nil {
		t.Fatal(err)
	}
	input = make([]float32, n.Input.Size())
	for i := range input {
		input[i] = float32(math.Sin(float64(i)*0.7)) * 2
	}
	outs, err := n.ForwardReference(input)
	if err != nil {
		t.Fatal(err)
	}
	return input, outs
}

func near(a, b float32) bool {
	return math.Abs(float64(a)-float64(b)) <= 1e-6*math.Max(1, math.Abs(float64(b)))
}

const netHeader = "[net]\nwidth=4\nheight=4\nchannels=3\n"

func TestYoloParams(t *testing.T) {
	n := mustBuild(t, netHeader+`
[convolutional]
filters=14
size=1
activation=linear
[yolo]
mask = 2,0 # comment
anchors = 10,13, 16,30, 33
classes=2
num=3
scale_x_y = 1.05
nms_kind=diounms
beta_nms=0.5
new_coords=1
ignore_thresh=.7
iou_loss=ciou
`)
	l := n.Layers[1]
	p := l.YOLO()
	if p == nil {
		t.Fatal("no YOLO params")
	}
	want := YOLOParams{W: 4, H: 4, Classes: 2, Mask: []int{2, 0}, Num: 3,
		Anchors: []float32{10, 13, 16, 30, 33, 0.5}, ScaleXY: 1.05, NewCoords: true,
		NMSKind: DIoUNMS, BetaNMS: 0.5, MaxBoxes: 200}
	if p.W != want.W || p.H != want.H || p.Classes != want.Classes || !slices.Equal(p.Mask, want.Mask) ||
		p.Num != want.Num || !slices.Equal(p.Anchors, want.Anchors) || p.ScaleXY != want.ScaleXY ||
		!p.NewCoords || p.NMSKind != want.NMSKind || p.BetaNMS != want.BetaNMS || p.Gaussian || p.MaxBoxes != 200 {
		t.Errorf("params %+v, want %+v", *p, want)
	}
	p.Mask[0] = 99 // a copy: the net must not change
	if l.YOLO().Mask[0] != 2 {
		t.Error("YOLO() returned the layer's own slice")
	}
	if n.Layers[0].YOLO() != nil || l.Region() != nil || l.Detection() != nil {
		t.Error("accessor of the wrong layer type returned params")
	}
	for _, w := range n.Warnings {
		t.Errorf("unexpected warning %s", w)
	}
	if l.Out != (Shape{C: 14, H: 4, W: 4}) || l.In != l.Out {
		t.Errorf("in %v out %v", l.In, l.Out)
	}
}

func TestYoloDefaults(t *testing.T) {
	n := mustBuild(t, netHeader+"[convolutional]\nfilters=75\nsize=1\nactivation=linear\n[yolo]\nnum=3\n")
	p := n.Layers[1].YOLO()
	if !slices.Equal(p.Mask, []int{0, 1, 2}) || p.Classes != 20 || p.ScaleXY != 1 || p.BetaNMS != 0.6 ||
		p.NMSKind != DefaultNMS || !slices.Equal(p.Anchors, []float32{.5, .5, .5, .5, .5, .5}) {
		t.Errorf("defaults %+v", *p)
	}
}

// TestYoloForward checks the activations element by element, per plane,
// with and without new_coords.
func TestYoloForward(t *testing.T) {
	for _, newCoords := range []bool{false, true} {
		nc := "0"
		if newCoords {
			nc = "1"
		}
		n := mustBuild(t, netHeader+"[convolutional]\nfilters=16\nsize=1\nactivation=linear\n[yolo]\nmask=0,1\nnum=2\nclasses=3\nscale_x_y=1.2\nnew_coords="+nc+"\n")
		_, outs := forwardSynthetic(t, n)
		in, out := outs[0], outs[1]
		for i := range in {
			plane := (i / 16) % 8 // entry within the anchor
			x := in[i]
			want := x
			if !newCoords && plane != 2 && plane != 3 {
				want = logistic(x)
			}
			if plane < 2 {
				want = want*1.2 - 0.1
			}
			if !near(out[i], want) {
				t.Fatalf("new_coords=%v: value %d (entry %d): %g, want %g", newCoords, i, plane, out[i], want)
			}
		}
	}
}

func TestGaussianYoloForward(t *testing.T) {
	n := mustBuild(t, netHeader+"[convolutional]\nfilters=22\nsize=1\nactivation=linear\n[Gaussian_yolo]\nmask=0,1\nnum=2\nclasses=2\nscale_x_y=1.1\nyolo_point=left_top\nnms_kind=cornersnms\nuc_normalizer=1\n")
	p := n.Layers[1].YOLO()
	if p == nil || !p.Gaussian || p.BoxValues() != 8 || p.Entries() != 11 || p.YoloPoint != YoloLeftTop || p.NMSKind != CornersNMS {
		t.Fatalf("params %+v", p)
	}
	_, outs := forwardSynthetic(t, n)
	in, out := outs[0], outs[1]
	for i := range in {
		e := (i / 16) % 11
		want := in[i]
		if e != 4 && e != 6 {
			want = logistic(want)
		}
		if e == 0 || e == 2 {
			want = want*1.1 - 0.05
		}
		if !near(out[i], want) {
			t.Fatalf("value %d (entry %d): %g, want %g", i, e, out[i], want)
		}
	}
}

func TestRegionForward(t *testing.T) {
	n := mustBuild(t, netHeader+"[convolutional]\nfilters=16\nsize=1\nactivation=linear\n[region]\nanchors=1,2,3,4\nclasses=3\nnum=2\nsoftmax=1\nbias_match=1\nthresh=.6\n")
	p := n.Layers[1].Region()
	if p == nil || p.Num != 2 || p.Classes != 3 || p.Coords != 4 || !p.Softmax || !slices.Equal(p.Anchors, []float32{1, 2, 3, 4}) {
		t.Fatalf("params %+v", p)
	}
	_, outs := forwardSynthetic(t, n)
	in, out := outs[0], outs[1]
	for cell := 0; cell < 16; cell++ {
		for a := 0; a < 2; a++ {
			e := out[(cell*2+a)*8 : (cell*2+a+1)*8]
			src := func(k int) float32 { return in[(a*8+k)*16+cell] }
			for k := 0; k < 4; k++ {
				if e[k] != src(k) {
					t.Fatalf("cell %d anchor %d coord %d: %g, want the raw %g", cell, a, k, e[k], src(k))
				}
			}
			if !near(e[4], logistic(src(4))) {
				t.Fatalf("objectness %g, want %g", e[4], logistic(src(4)))
			}
			var sum float64
			for k := 5; k < 8; k++ {
				sum += math.Exp(float64(src(k)))
			}
			for k := 5; k < 8; k++ {
				if want := float32(math.Exp(float64(src(k))) / sum); !near(e[k], want) {
					t.Fatalf("class %d: %g, want %g", k-5, e[k], want)
				}
			}
		}
	}
}

// TestDetectionForward checks the YOLOv1 head: per-cell class softmax over
// the first side*side*classes values, the rest copied.
func TestDetectionForward(t *testing.T) {
	n := mustBuild(t, netHeader+`
[connected]
output=32
activation=linear
[detection]
classes=3
coords=4
rescore=1
side=2
num=1
softmax=1
sqrt=1
jitter=.2
object_scale=1
noobject_scale=.5
class_scale=1
coord_scale=5
`)
	l := n.Layers[1]
	if p := l.Detection(); p == nil || *p != (DetectionParams{Side: 2, Classes: 3, Coords: 4, Num: 1, Softmax: true, Sqrt: true}) {
		t.Fatalf("params %+v", p)
	}
	if l.Outputs != 32 || l.Out != (Shape{}) {
		t.Errorf("outputs %d out %v", l.Outputs, l.Out)
	}
	_, outs := forwardSynthetic(t, n)
	in, out := outs[0], outs[1]
	for c := 0; c < 4; c++ {
		var sum float64
		for k := 0; k < 3; k++ {
			sum += math.Exp(float64(in[c*3+k]))
		}
		for k := 0; k < 3; k++ {
			if want := float32(math.Exp(float64(in[c*3+k])) / sum); !near(out[c*3+k], want) {
				t.Fatalf("cell %d class %d: %g, want %g", c, k, out[c*3+k], want)
			}
		}
	}
	if !slices.Equal(out[12:], in[12:]) {
		t.Error("objectness and boxes changed")
	}
}

func TestSoftmaxCostContrastiveShapes(t *testing.T) {
	n := mustBuild(t, netHeader+"[convolutional]\nfilters=8\nsize=1\nactivation=linear\n[softmax]\ngroups=4\ntemperature=0.5\n[cost]\ntype=sse\n")
	sm, c := n.Layers[1], n.Layers[2]
	// Darknet keeps softmax's input c,h,w and zero output dims; cost has
	// neither.
	if sm.In != (Shape{C: 8, H: 4, W: 4}) || sm.Out != (Shape{}) || sm.Outputs != 128 {
		t.Errorf("softmax in %v out %v outputs %d", sm.In, sm.Out, sm.Outputs)
	}
	if c.In != (Shape{}) || c.Out != (Shape{}) || c.Outputs != 128 {
		t.Errorf("cost in %v out %v outputs %d", c.In, c.Out, c.Outputs)
	}
	_, outs := forwardSynthetic(t, n)
	for g := 0; g < 4; g++ {
		var sum float64
		chunk := outs[0][g*32 : (g+1)*32]
		for _, v := range chunk {
			sum += math.Exp(float64(v) / 0.5)
		}
		for i, v := range chunk {
			if want := float32(math.Exp(float64(v)/0.5) / sum); !near(outs[1][g*32+i], want) {
				t.Fatalf("group %d value %d: %g, want %g", g, i, outs[1][g*32+i], want)
			}
		}
	}
	if !slices.Equal(outs[2], outs[1]) {
		t.Error("cost does not pass its input through")
	}

	n = mustBuild(t, netHeader+`
[convolutional]
filters=8
size=1
activation=linear
[convolutional]
filters=14
size=1
activation=linear
[yolo]
mask=0,1
num=2
classes=2
embedding_layer=-2
[route]
layers=-3
[contrastive]
classes=1
temperature=1.0
yolo_layer=-2
cls_normalizer=1.0
max_delta=10
`)
	ct := n.Layers[4]
	if ct.Out != (Shape{}) || ct.Outputs != 128 {
		t.Errorf("contrastive out %v outputs %d", ct.Out, ct.Outputs)
	}
	_, outs = forwardSynthetic(t, n)
	if !slices.Equal(outs[4], outs[0]) {
		t.Error("contrastive does not pass the embeddings through")
	}
}

// TestConnectedTransposed loads the same parameters once in Darknet's
// normal order and once transposed (header minor > 1000): the outputs must
// agree, and differ from a run that ignores the flag.
func TestConnectedTransposed(t *testing.T) {
	const text = netHeader + "[connected]\noutput=5\nactivation=leaky\nbatch_normalize=1\n"
	const inputs, outputs = 48, 5
	w := make([]float32, inputs*outputs) // [outputs][inputs]
	for i := range w {
		w[i] = float32(math.Cos(float64(i))) * 0.2
	}
	wt := make([]float32, len(w)) // [inputs][outputs]
	for o := 0; o < outputs; o++ {
		for i := 0; i < inputs; i++ {
			wt[i*outputs+o] = w[o*inputs+i]
		}
	}
	file := func(minor int32, weights []float32) []byte {
		var b bytes.Buffer
		binary.Write(&b, binary.LittleEndian, []int32{0, minor, 0})
		// AlexeyAB's load_weights_upto reads a 64-bit seen whenever
		// major*10+minor >= 2, also for transposed files.
		binary.Write(&b, binary.LittleEndian, uint64(0))
		binary.Write(&b, binary.LittleEndian, []float32{0.1, -0.1, 0.2, 0, 0.05}) // biases
		binary.Write(&b, binary.LittleEndian, weights)
		binary.Write(&b, binary.LittleEndian, []float32{1, 1.1, 0.9, 1.2, 0.8}) // scales
		binary.Write(&b, binary.LittleEndian, []float32{0, 0.1, -0.1, 0.05, 0}) // rolling mean
		binary.Write(&b, binary.LittleEndian, []float32{1, 0.9, 1.1, 0.8, 1.3}) // rolling variance
		return b.Bytes()
	}
	input := make([]float32, inputs)
	for i := range input {
		input[i] = float32(i%7) * 0.1
	}
	forward := func(data []byte) []float32 {
		n := mustBuild(t, text)
		if err := n.LoadWeights(bytes.NewReader(data), "test.weights"); err != nil {
			t.Fatal(err)
		}
		outs, err := n.ForwardReference(input)
		if err != nil {
			t.Fatal(err)
		}
		return outs[0]
	}
	normal := forward(file(2, w))
	transposed := forward(file(1001, wt))
	ignored := forward(file(2, wt))
	if !slices.Equal(normal, transposed) {
		t.Errorf("transposed file: %v, want %v", transposed, normal)
	}
	if slices.Equal(normal, ignored) {
		t.Error("test is too weak: transposed weights read as normal give the same output")
	}
	// Check one output by hand: BN then bias then leaky.
	var s float64
	for i := 0; i < inputs; i++ {
		s += float64(w[2*inputs+i]) * float64(input[i])
	}
	want := (s-(-0.1))/math.Sqrt(1.1+bnEpsilon)*0.9 + 0.2
	if want < 0 {
		want *= 0.1
	}
	if math.Abs(float64(normal[2])-want) > 1e-5 {
		t.Errorf("output 2: %g, want %g", normal[2], want)
	}
}

func TestHeadErrors(t *testing.T) {
	conv := func(filters string) string {
		return netHeader + "[convolutional]\nfilters=" + filters + "\nsize=1\nactivation=linear\n"
	}
	for _, c := range []struct {
		name, text string
		msg        []string
	}{
		{"yolo filters", conv("20") + "[yolo]\nmask=0,1,2\nnum=3\nclasses=2\n", []string{"[yolo] #1", "filters=", "21"}},
		{"yolo mask", conv("7") + "[yolo]\nmask=-1\nnum=3\nclasses=2\n", []string{"mask", "anchor index -1"}},
		{"yolo num", conv("7") + "[yolo]\nnum=0\nclasses=2\n", []string{"num"}},
		{"yolo nms_kind", conv("7") + "[yolo]\nnum=1\nclasses=2\nnms_kind=diou\n", []string{"nms_kind", "diou"}},
		{"yolo embedding", conv("7") + "[yolo]\nnum=1\nclasses=2\nembedding_layer=5\n", []string{"embedding_layer"}},
		{"gaussian filters", conv("21") + "[Gaussian_yolo]\nmask=0,1,2\nnum=3\nclasses=2\n", []string{"[Gaussian_yolo] #1", "33"}},
		{"region filters", conv("20") + "[region]\nnum=2\nclasses=3\n", []string{"[region] #1", "16"}},
		{"detection size", netHeader + "[connected]\noutput=30\n[detection]\nclasses=3\ncoords=4\nside=2\nnum=1\n", []string{"[detection] #1", "32"}},
		{"softmax groups", conv("3") + "[softmax]\ngroups=5\n", []string{"groups=5", "48"}},
		{"connected output", netHeader + "[connected]\noutput=0\n", []string{"output"}},
		{"connected activation", netHeader + "[connected]\noutput=2\nactivation=leeky\n", []string{"leeky"}},
		{"contrastive without yolo", conv("8") + "[contrastive]\nclasses=1\n", []string{"[contrastive] #1", "yolo_layer"}},
		{"contrastive not yolo", conv("8") + "[contrastive]\nyolo_layer=-1\n", []string{"yolo_layer", "not a [yolo]"}},
		{"conv after softmax", conv("8") + "[softmax]\n[convolutional]\nfilters=2\nsize=1\n", []string{"[convolutional] #2"}},
	} {
		_, err := buildText(t, c.text)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, m := range c.msg {
			if !strings.Contains(err.Error(), m) {
				t.Errorf("%s: error %q does not mention %q", c.name, err, m)
			}
		}
		if !strings.Contains(err.Error(), "test.cfg:") {
			t.Errorf("%s: error %q does not name the file", c.name, err)
		}
	}
}

// TestYoloMaskBeyondNum: Darknet's cspx-p7-mish.cfg has num=16 but lists
// 20 anchors and uses mask=16..19. The listed anchors are kept; a mask
// beyond every listed anchor builds but refuses to run.
func TestYoloMaskBeyondNum(t *testing.T) {
	n := mustBuild(t, netHeader+"[convolutional]\nfilters=14\nsize=1\n[yolo]\nmask=2,3\nnum=2\nclasses=2\nanchors=1,2, 3,4, 5,6, 7,8\n")
	if p := n.Layers[1].YOLO(); !slices.Equal(p.Anchors, []float32{1, 2, 3, 4, 5, 6, 7, 8}) || p.Num != 2 {
		t.Errorf("params %+v", *p)
	}
	if err := n.SyntheticWeights(1); err != nil {
		t.Error(err)
	}
	n = mustBuild(t, netHeader+"[convolutional]\nfilters=7\nsize=1\n[yolo]\nmask=3\nnum=3\nclasses=2\n")
	if err := n.SyntheticWeights(1); err == nil || !strings.Contains(err.Error(), "anchor index 3") {
		t.Errorf("running with mask=3 of 3 anchors: %v", err)
	}
}

// TestTreeUnsupported: a hierarchical softmax builds (shapes are known) but
// refuses to run.
func TestTreeUnsupported(t *testing.T) {
	for _, text := range []string{
		netHeader + "[convolutional]\nfilters=16\nsize=1\n[region]\nnum=2\nclasses=3\ntree=data/9k.tree\n",
		netHeader + "[convolutional]\nfilters=16\nsize=1\n[softmax]\ntree=data/9k.tree\n",
	} {
		n := mustBuild(t, text)
		err := n.SyntheticWeights(1)
		if err == nil || !strings.Contains(err.Error(), "tree") {
			t.Errorf("running a tree= layer: %v", err)
		}
	}
}
