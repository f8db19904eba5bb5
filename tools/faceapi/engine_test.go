package faceapi

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/darkgo/darkgo/engine"
	"github.com/darkgo/darkgo/engine/preprocess"
)

// TestEngine runs cfg/tiny-face.cfg + weights through darkgo's public API on
// face-api's network inputs (the 416x416 PNGs, which darkgo's pre-processing
// passes through unchanged) and compares with face-api:
//
//   - the [region] input (conv8 with the class channels), from both the fast
//     session forward and ForwardReference, with face-api's raw output;
//   - the candidates of DetectBoxes with NMS off (darkgo's [region] decoder)
//     with face-api's boxes before NMS;
//   - Detect with NMS 0.4 (face-api's IoU threshold) with face-api's
//     detections, in order.
func TestEngine(t *testing.T) {
	root := repoRoot(t)
	net, err := engine.LoadFiles(filepath.Join(root, "cfg", "tiny-face.cfg"), filepath.Join(root, "cfg", "tiny-face.weights"),
		&engine.Options{Names: []string{"face"}})
	if err != nil {
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
	if rp.W != 13 || rp.H != 13 {
		t.Fatalf("grid %dx%d at %v input, want 13x13", rp.W, rp.H, net.Input)
	}
	conv := net.Layers[last-1]
	sess, err := net.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	netW, netH := float64(net.Input.W), float64(net.Input.H)
	for _, n := range samples {
		name := fmt.Sprintf("sample%d", n)
		e := loadExpected(t, root, n)
		pngPath := filepath.Join(root, "testdata", "faceapi", e.Input.File)
		f, err := os.Open(pngPath)
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := preprocess.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		in := make([]float32, net.Input.Size())
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

		want := loadRaw(t, root, e)
		outs, err := net.ForwardReference(in)
		if err != nil {
			t.Fatal(err)
		}
		rawRef := compareRaw(t, name+" ForwardReference", &tensor{c: conv.Out.C, h: conv.Out.H, w: conv.Out.W, d: outs[last-1]}, want)
		if err := sess.Forward(in); err != nil {
			t.Fatal(err)
		}
		raw := compareRaw(t, name+" Session.Forward", &tensor{c: conv.Out.C, h: conv.Out.H, w: conv.Out.W, d: sess.Output(last - 1)}, want)

		// Candidates: every box above the threshold before NMS, from
		// darkgo's decoder (one Darknet detection per cell and anchor, in
		// Darknet's order: cells row-major, anchors inner).
		decode := func(thresh float64) []det {
			bx, err := net.DetectBoxes(ctx, img, &engine.DetectOptions{Thresh: float32(thresh), NMS: -1, Letterbox: engine.LetterboxOff})
			if err != nil {
				t.Fatal(err)
			}
			if len(bx.Detections) != rp.W*rp.H*rp.Num {
				t.Fatalf("%s: %d boxes, want one per cell and anchor (%d)", name, len(bx.Detections), rp.W*rp.H*rp.Num)
			}
			var cands []det
			for i, d := range bx.Detections {
				if len(d.Prob) != 1 {
					t.Fatalf("%s: box %d has %d class probabilities", name, i, len(d.Prob))
				}
				if !(float64(d.Prob[0]) > thresh) {
					continue
				}
				cell := i / rp.Num
				cands = append(cands, det{
					row: cell / rp.W, col: cell % rp.W, anchor: i % rp.Num, score: float64(d.Prob[0]),
					box: relToInput(float64(d.Box.X), float64(d.Box.Y), float64(d.Box.W), float64(d.Box.H), netW, netH),
				})
			}
			return cands
		}
		// Detections: the public Detect with face-api's IoU threshold. Each is
		// tied to the candidate it came from (same box) for the position check.
		detect := func(thresh float64, cands []det) []det {
			ds, err := net.Detect(ctx, img, &engine.DetectOptions{Thresh: float32(thresh), NMS: float32(e.IouThreshold), Letterbox: engine.LetterboxOff})
			if err != nil {
				t.Fatal(err)
			}
			var got []det
			for _, d := range ds {
				if d.Class != 0 || d.Name != "face" {
					t.Errorf("%s: detection class %d %q, want 0 \"face\"", name, d.Class, d.Name)
				}
				g := det{row: -1, score: float64(d.Confidence),
					box: relToInput(float64(d.Box.X), float64(d.Box.Y), float64(d.Box.W), float64(d.Box.H), netW, netH)}
				best := math.Inf(1)
				for _, c := range cands {
					if bd := boxDiff(c.box, g.box); bd < best {
						best, g.row, g.col, g.anchor = bd, c.row, c.col, c.anchor
					}
				}
				got = append(got, g)
			}
			return got
		}
		inPx, imgPx := compareDetections(t, name, e, decode, detect)
		t.Logf("%s: max |raw diff| %.3g (reference forward %.3g); boxes max diff %.3g px (input), %.3g px (photo); scores max diff %.3g",
			name, raw, rawRef, inPx.box, imgPx.box, math.Max(inPx.score, imgPx.score))
	}
}

// relToInput turns Darknet's relative centre/size box into left, top, width,
// height in pixels of a w×h input.
func relToInput(x, y, bw, bh, w, h float64) rect {
	return rect{X: (x - bw/2) * w, Y: (y - bh/2) * h, Width: bw * w, Height: bh * h}
}
