package detect

import (
	"bufio"
	"encoding/json"
	"github.com/darkgo/darkgo/internal/golden"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// goldenDir returns ../shared/golden next to the repository root.
func goldenDir(t testing.TB) string {
	t.Helper()
	return golden.Dir(t)
}

func readF32(t testing.TB, path string) []float32 {
	t.Helper()
	return golden.ReadF32(t, path)
}

// cfgSection is one [section] of a Darknet cfg: a tiny test-only reader
// (the real parser is cfgparse; this test must not depend on it).
type cfgSection struct {
	typ string
	kv  map[string]string
}

func readCfg(t testing.TB, path string) []cfgSection {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var secs []cfgSection
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			secs = append(secs, cfgSection{typ: strings.Trim(line, "[]"), kv: map[string]string{}})
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if ok && len(secs) > 0 {
			secs[len(secs)-1].kv[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return secs
}

func (s cfgSection) int(t testing.TB, k string, def int) int {
	v, ok := s.kv[k]
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("[%s] %s=%q: %v", s.typ, k, v, err)
	}
	return n
}

func (s cfgSection) float(t testing.TB, k string, def float32) float32 {
	v, ok := s.kv[k]
	if !ok {
		return def
	}
	f, err := strconv.ParseFloat(v, 32)
	if err != nil {
		t.Fatalf("[%s] %s=%q: %v", s.typ, k, v, err)
	}
	return float32(f)
}

func (s cfgSection) floats(t testing.TB, k string) []float32 {
	var out []float32
	for _, f := range strings.Split(s.kv[k], ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		v, err := strconv.ParseFloat(f, 32)
		if err != nil {
			t.Fatalf("[%s] %s: %v", s.typ, k, err)
		}
		out = append(out, float32(v))
	}
	return out
}

func (s cfgSection) ints(t testing.TB, k string) []int {
	var out []int
	for _, f := range s.floats(t, k) {
		out = append(out, int(f))
	}
	return out
}

// goldenLayers reads model.cfg and dog/layers.json of a full net and
// returns its detection outputs in network order.
func goldenLayers(t *testing.T, netDir string) []Output {
	secs := readCfg(t, filepath.Join(netDir, "model.cfg"))
	if len(secs) == 0 || (secs[0].typ != "net" && secs[0].typ != "network") {
		t.Fatalf("%s: cfg does not start with [net]", netDir)
	}
	layers := secs[1:]
	var lj struct {
		Layers []struct {
			I    int
			Type string
			Out  []int
			File string
		}
	}
	b, err := os.ReadFile(filepath.Join(netDir, "dog", "layers.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &lj); err != nil {
		t.Fatal(err)
	}
	var outs []Output
	for _, l := range lj.Layers {
		if l.Type != "yolo" && l.Type != "region" {
			continue
		}
		s := layers[l.I]
		if !strings.EqualFold(s.typ, l.Type) {
			t.Fatalf("layer %d: cfg section [%s], layers.json says %s", l.I, s.typ, l.Type)
		}
		h, w := l.Out[1], l.Out[2]
		data := readF32(t, filepath.Join(netDir, "dog", l.File))
		var layer Layer
		switch l.Type {
		case "yolo":
			total := s.int(t, "num", 1)
			anchors := make([]float32, 2*total)
			for i := range anchors {
				anchors[i] = .5 // make_yolo_layer's default
			}
			copy(anchors, s.floats(t, "anchors"))
			mask := s.ints(t, "mask")
			if len(mask) == 0 {
				for i := 0; i < total; i++ {
					mask = append(mask, i)
				}
			}
			layer = &Yolo{W: w, H: h, Classes: s.int(t, "classes", 20), Mask: mask, Anchors: anchors,
				NewCoords: s.int(t, "new_coords", 0) == 1,
				NMSKind:   ParseNMSKind(s.kv["nms_kind"], false), BetaNMS: s.float(t, "beta_nms", 0.6)}
		case "region":
			n := s.int(t, "num", 1)
			anchors := make([]float32, 2*n)
			for i := range anchors {
				anchors[i] = .5
			}
			copy(anchors, s.floats(t, "anchors"))
			layer = &Region{W: w, H: h, N: n, Classes: s.int(t, "classes", 20), Coords: s.int(t, "coords", 4),
				Anchors: anchors, Classfix: s.int(t, "classfix", 0)}
		}
		outs = append(outs, Output{Layer: layer, Data: data})
	}
	if len(outs) == 0 {
		t.Fatalf("%s: no detection layers", netDir)
	}
	return outs
}

type goldenDet struct {
	Index      int
	BBox       struct{ X, Y, W, H float32 } `json:"bbox"`
	Objectness float32
	Pixel      struct{ Left, Top, Right, Bot int }
	Ext        struct {
		LeftX  float64 `json:"left_x"`
		TopY   float64 `json:"top_y"`
		Width  float64
		Height float64
	} `json:"ext_output"`
	Probs map[string]float32
}

type goldenDetections struct {
	ImageW     int     `json:"image_w"`
	ImageH     int     `json:"image_h"`
	NetW       int     `json:"net_w"`
	NetH       int     `json:"net_h"`
	LetterBox  int     `json:"letter_box"`
	Thresh     float32 `json:"thresh"`
	HierThresh float32 `json:"hier_thresh"`
	NMS        float32 `json:"nms"`
	NMSFunc    string  `json:"nms_func"`
	NMSKind    int     `json:"nms_kind"`
	BetaNMS    float32 `json:"beta_nms"`
	Classes    int
	NBoxes     int `json:"nboxes"`
	NReported  int `json:"n_reported"`
	Detections []goldenDet
}

const (
	tolBox  = 1e-5 // bbox and objectness, absolute
	tolProb = 1e-5 // probabilities, absolute; also the flip window around thresh
)

// TestGoldenDetections decodes every full/*/dog*/ run from the raw golden
// layer outputs, applies the NMS Darknet's detector test chose, and
// compares with detections.json box for box.
func TestGoldenDetections(t *testing.T) {
	g := goldenDir(t)
	files, err := filepath.Glob(filepath.Join(g, "full", "*", "dog*", "detections.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden detections found (%v)", err)
	}
	for _, f := range files {
		runDir := filepath.Dir(f)
		netDir := filepath.Dir(runDir)
		name := filepath.Base(netDir) + "/" + filepath.Base(runDir)
		t.Run(name, func(t *testing.T) { checkGoldenRun(t, f, netDir) })
	}
}

func checkGoldenRun(t *testing.T, file, netDir string) {
	var gd goldenDetections
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &gd); err != nil {
		t.Fatal(err)
	}
	outs := goldenLayers(t, netDir)
	dets, err := GetNetworkBoxes(outs, gd.ImageW, gd.ImageH, gd.NetW, gd.NetH, gd.Thresh, gd.HierThresh, gd.LetterBox == 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(dets) != gd.NBoxes {
		t.Errorf("nboxes = %d, Darknet %d", len(dets), gd.NBoxes)
	}
	classes := outs[len(outs)-1].Layer.NumClasses()
	// The kind comes from the last layer, as test_detector reads it.
	var kind NMSKind
	var beta float32
	if y, ok := outs[len(outs)-1].Layer.(*Yolo); ok {
		kind, beta = y.NMSKind, y.BetaNMS
	}
	if int(kind) != gd.NMSKind {
		t.Fatalf("nms_kind %d from cfg, golden says %d", kind, gd.NMSKind)
	}
	if (kind == DefaultNMS) != (gd.NMSFunc == "do_nms_sort") {
		t.Fatalf("nms_func %s does not match kind %v", gd.NMSFunc, kind)
	}
	NMS(dets, classes, gd.NMS, kind, beta)

	thresh := gd.Thresh
	nearThresh := func(p float32) bool { return math.Abs(float64(p-thresh)) <= tolProb }
	// Our reported detections by array index.
	ours := map[int]*Detection{}
	for i := range dets {
		for _, p := range dets[i].Prob {
			if p > thresh {
				ours[i] = &dets[i]
				break
			}
		}
	}
	flips, matched, boxFails := 0, 0, 0
	seen := map[int]bool{}
	for _, g := range gd.Detections {
		seen[g.Index] = true
		d := ours[g.Index]
		if d == nil {
			// Acceptable only if every golden prob is a threshold flip.
			all := true
			for _, p := range g.Probs {
				all = all && nearThresh(p)
			}
			if all {
				flips += len(g.Probs)
				continue
			}
			t.Errorf("index %d: Darknet reports it (probs %v), we do not", g.Index, g.Probs)
			boxFails++
			continue
		}
		matched++
		ok := true
		bb := d.Box
		if !near(bb.X, g.BBox.X) || !near(bb.Y, g.BBox.Y) || !near(bb.W, g.BBox.W) || !near(bb.H, g.BBox.H) {
			t.Errorf("index %d: bbox %+v, Darknet %+v", g.Index, bb, g.BBox)
			ok = false
		}
		if !near(d.Objectness, g.Objectness) {
			t.Errorf("index %d: objectness %g, Darknet %g", g.Index, d.Objectness, g.Objectness)
			ok = false
		}
		for j, p := range d.Prob {
			gp, has := g.Probs[strconv.Itoa(j)]
			switch {
			case p > thresh && has:
				if math.Abs(float64(p-gp)) > tolProb {
					t.Errorf("index %d class %d: prob %g, Darknet %g", g.Index, j, p, gp)
					ok = false
				}
			case p > thresh && !has:
				if nearThresh(p) {
					flips++
				} else {
					t.Errorf("index %d class %d: prob %g, Darknet reports none", g.Index, j, p)
					ok = false
				}
			case has:
				if nearThresh(gp) {
					flips++
				} else {
					t.Errorf("index %d class %d: no prob, Darknet %g", g.Index, j, gp)
					ok = false
				}
			}
		}
		px := bb.Pixels(gd.ImageW, gd.ImageH)
		if px != (PixelBox{g.Pixel.Left, g.Pixel.Top, g.Pixel.Right, g.Pixel.Bot}) {
			t.Errorf("index %d: pixel box %+v, Darknet %+v", g.Index, px, g.Pixel)
			ok = false
		}
		e := bb.Ext(gd.ImageW, gd.ImageH)
		if e.LeftX != g.Ext.LeftX || e.TopY != g.Ext.TopY || e.Width != g.Ext.Width || e.Height != g.Ext.Height {
			t.Errorf("index %d: ext_output %+v, Darknet %+v", g.Index, e, g.Ext)
			ok = false
		}
		if !ok {
			boxFails++
		}
		if boxFails > 20 {
			t.Fatal("too many mismatches")
		}
	}
	var extra []int
	for i, d := range ours {
		if seen[i] {
			continue
		}
		all := true
		n := 0
		for _, p := range d.Prob {
			if p > thresh {
				all = all && nearThresh(p)
				n++
			}
		}
		if all {
			flips += n
			continue
		}
		extra = append(extra, i)
	}
	sort.Ints(extra)
	if len(extra) > 0 {
		t.Errorf("%d detections Darknet does not report, first indices %v", len(extra), extra[:min(len(extra), 10)])
	}
	if len(gd.Detections) != gd.NReported {
		t.Errorf("golden file lists %d detections, n_reported %d", len(gd.Detections), gd.NReported)
	}
	t.Logf("nboxes %d; %d of %d reported detections matched (bbox, objectness, probs, pixel, ext_output), %d threshold flips, %d mismatches",
		len(dets), matched, len(gd.Detections), flips, boxFails)
	if matched == 0 && len(gd.Detections) > 0 {
		t.Error("nothing matched")
	}
}

func near(a, b float32) bool { return math.Abs(float64(a)-float64(b)) <= tolBox }
