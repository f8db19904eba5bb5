package faceapi

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/darkgo/darkgo/engine"
	"github.com/darkgo/darkgo/engine/preprocess"
)

// TestEngine loads cfg/tiny-face.cfg + weights with darkgo's engine, feeds it
// face-api's network inputs through darkgo's own image pipeline and compares
// the [region] input with face-api's raw output, and the boxes decoded from
// the [region] output with face-api's candidates and detections.
func TestEngine(t *testing.T) {
	root := repoRoot(t)
	net, err := engine.BuildFile(filepath.Join(root, "cfg", "tiny-face.cfg"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := net.LoadWeightsFile(filepath.Join(root, "cfg", "tiny-face.weights")); err != nil {
		t.Fatal(err)
	}
	for _, w := range net.Warnings {
		t.Errorf("cfg warning: %v", w)
	}
	last := len(net.Layers) - 1
	rl := net.Layers[last]
	rp := rl.Region()
	if rp == nil {
		t.Fatalf("last layer is %s, want [region]", rl.Name)
	}
	if rp.Classes != 1 || rp.Coords != 4 || rp.Num != 5 || !rp.Softmax || rl.Inputs[0] != last-1 {
		t.Fatalf("region params %+v, inputs %v", rp, rl.Inputs)
	}
	conv := net.Layers[last-1]
	for _, n := range samples {
		name := fmt.Sprintf("sample%d", n)
		e := loadExpected(t, root, n)
		pngPath := filepath.Join(root, "testdata", "faceapi", e.Input.File)
		in := make([]float32, net.Input.Size())
		f, err := os.Open(pngPath)
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := preprocess.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := preprocess.NetworkInput(in, img, net.Input.W, net.Input.H, net.Input.C, false); err != nil {
			t.Fatal(err)
		}
		// The PNG is already 416x416: darkgo's input must be its pixels / 255.
		ref, err := loadPNGInput(pngPath)
		if err != nil {
			t.Fatal(err)
		}
		for i := range in {
			if in[i] != ref.d[i] {
				t.Fatalf("%s: network input value %d is %g, pixel/255 is %g", name, i, in[i], ref.d[i])
			}
		}

		outs, err := net.ForwardReference(in)
		if err != nil {
			t.Fatal(err)
		}
		convOut := &tensor{c: conv.Out.C, h: conv.Out.H, w: conv.Out.W, d: outs[last-1]}
		raw := compareRaw(t, name, convOut, loadRaw(t, root, e))

		regionOut := outs[last]
		decode := func(thresh float64) []det {
			return decodeRegionOutput(t, regionOut, rp, net.Input.W, net.Input.H, thresh)
		}
		nms := func(d []det) []det { return greedyNMS(d, e.IouThreshold) }
		inPx, imgPx := compareDetections(t, name, e, decode, nms)
		t.Logf("%s: max |raw diff| %.3g; boxes max diff %.3g px (input), %.3g px (photo); scores max diff %.3g",
			name, raw, inPx.box, imgPx.box, math.Max(inPx.score, imgPx.score))
	}
}

// decodeRegionOutput reads boxes from the engine's [region] output, which is
// Darknet's CPU layout [cell][anchor][entries] with objectness already
// logistic and classes softmaxed, the way Darknet's get_region_detections
// does: prob = objectness·class prob > thresh; x = (col+σ(tx))/w,
// w = exp(tw)·anchor_w/w.
func decodeRegionOutput(t *testing.T, out []float32, p *engine.RegionParams, netW, netH int, thresh float64) []det {
	t.Helper()
	entries := p.Entries()
	if len(out) != p.W*p.H*p.Num*entries {
		t.Fatalf("region output has %d values, want %d", len(out), p.W*p.H*p.Num*entries)
	}
	var dets []det
	for row := 0; row < p.H; row++ {
		for col := 0; col < p.W; col++ {
			for a := 0; a < p.Num; a++ {
				e := out[((row*p.W+col)*p.Num+a)*entries:][:entries]
				if e[5] != 1 {
					t.Fatalf("class probability at row %d col %d anchor %d is %g, want exactly 1", row, col, a, e[5])
				}
				prob := float64(e[4]) * float64(e[5])
				if !(prob > thresh) {
					continue
				}
				cx := (float64(col) + sigmoid(e[0])) / float64(p.W)
				cy := (float64(row) + sigmoid(e[1])) / float64(p.H)
				w := math.Exp(float64(e[2])) * float64(p.Anchors[2*a]) / float64(p.W)
				h := math.Exp(float64(e[3])) * float64(p.Anchors[2*a+1]) / float64(p.H)
				dets = append(dets, det{row: row, col: col, anchor: a, score: prob, box: rect{
					X: (cx - w/2) * float64(netW), Y: (cy - h/2) * float64(netH),
					Width: w * float64(netW), Height: h * float64(netH),
				}})
			}
		}
	}
	return dets
}
