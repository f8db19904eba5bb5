package detect

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"testing"
)

func twoDets() []Detection {
	return []Detection{
		{Box: Box{0.5, 0.5, 0.25, 0.5}, Objectness: 0.9, Prob: []float32{0, 0.8, 0.3}},
		{Box: Box{0.1, 0.2, 0.3, 0.2}, Objectness: 0.7, Prob: []float32{0.625, 0, 0.004}},
		{Box: Box{0.9, 0.9, 0.1, 0.1}, Objectness: 0.6, Prob: []float32{0, 0, 0}},
	}
}

func TestAppendText(t *testing.T) {
	names := []string{"person", "dog", "cat"}
	got := string(AppendText(nil, twoDets(), 100, 50, 0.25, names, true))
	// Sorted by left edge: det 1 (left -0.05) before det 0 (left 0.375).
	// left_x of det 1: round(-0.05*100) = -5; top_y of det 0: round(12.5)
	// = 13 (half away from zero); det 0's cat line follows dog.
	want := "person: 62%\t(left_x:   -5   top_y:    5   width:   30   height:   10)\n" +
		"dog: 80%\t(left_x:   38   top_y:   13   width:   25   height:   25)\n" +
		"cat: 30%\n"
	if got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	// Without -ext_output. A "dont_show" class cannot be the best class, but
	// Darknet still prints it among the other classes of the box.
	got = string(AppendText(nil, twoDets(), 100, 50, 0.25, []string{"person", "dont_show dog", "cat"}, false))
	want = "person: 62%\ncat: 30%\ndont_show dog: 80%\n"
	if got != want {
		t.Errorf("dont_show: got %q want %q", got, want)
	}
}

func TestExtNegativeZero(t *testing.T) {
	e := Box{0.1, 0.5, 0.201, 0.2}.Ext(100, 100) // (0.1-0.1005)*100 = -0.05 -> -0
	if e.LeftX != 0 || !math.Signbit(e.LeftX) {
		t.Fatalf("LeftX = %v, want -0", e.LeftX)
	}
	if s := string(appendC4(nil, e.LeftX)); s != "  -0" {
		t.Errorf("%%4.0f of -0 = %q, want \"  -0\"", s)
	}
}

func TestPixels(t *testing.T) {
	p := Box{0.5, 0.5, 0.5, 0.5}.Pixels(768, 576)
	if p != (PixelBox{192, 144, 576, 432}) {
		t.Errorf("%+v", p)
	}
	// Darknet clamps only left/top at 0 and right/bottom at size-1; values
	// are truncated from double ((1.5-0.1000000015)*100 = 139.99999985).
	p = Box{1.5, -0.5, 0.2, 0.2}.Pixels(100, 100)
	if p != (PixelBox{139, 0, 99, -39}) {
		t.Errorf("outside box: %+v", p)
	}
	p = Box{float32(math.NaN()), 0.5, 0.2, 0.2}.Pixels(100, 100)
	if p.Left != 0 || p.Right != math.MinInt32 {
		t.Errorf("NaN box: %+v", p)
	}
}

func TestJSONWriter(t *testing.T) {
	var buf bytes.Buffer
	w := NewJSONWriter(&buf)
	names := []string{"person", "dog", "cat"}
	if err := w.WriteFrame(1, "data/dog.jpg", twoDets(), names); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFrame(2, `dir\a"b.jpg`, nil, names); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := "[\n" +
		"{\n \"frame_id\":1, \n \"filename\":\"data/dog.jpg\", \n \"objects\": [ \n" +
		"  {\"class_id\":1, \"name\":\"dog\", \"relative_coordinates\":{\"center_x\":0.500000, \"center_y\":0.500000, \"width\":0.250000, \"height\":0.500000}, \"confidence\":0.800000}, \n" +
		"  {\"class_id\":2, \"name\":\"cat\", \"relative_coordinates\":{\"center_x\":0.500000, \"center_y\":0.500000, \"width\":0.250000, \"height\":0.500000}, \"confidence\":0.300000}, \n" +
		"  {\"class_id\":0, \"name\":\"person\", \"relative_coordinates\":{\"center_x\":0.100000, \"center_y\":0.200000, \"width\":0.300000, \"height\":0.200000}, \"confidence\":0.625000}\n" +
		" ] \n}, \n" +
		"{\n \"frame_id\":2, \n \"filename\":\"dir\\\\a\\\"b.jpg\", \n \"objects\": [ \n\n ] \n}\n]"
	if got := buf.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	var v []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &v); err != nil || len(v) != 2 {
		t.Errorf("output is not a JSON array of 2 frames: %v", err)
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errors.New("disk full")
	}
	f.n--
	return len(p), nil
}

func TestJSONWriterStickyError(t *testing.T) {
	w := NewJSONWriter(&failWriter{n: 1})
	if err := w.WriteFrame(1, "a", nil, nil); err == nil {
		t.Fatal("no error")
	}
	if err := w.Close(); err == nil {
		t.Fatal("Close after a failed write returned nil")
	}
}

// TestGaussianYoloDecode checks get_gaussian_yolo_detections on a 1×1 grid:
// entry order, uncertainty-weighted probabilities and the box formula.
func TestGaussianYoloDecode(t *testing.T) {
	l := &GaussianYolo{W: 1, H: 1, Classes: 2, Mask: []int{1}, Anchors: []float32{10, 10, 32, 64}}
	data := []float32{0.25, 0.1, 0.75, 0.2, 0, 0.3, float32(math.Log(2)), 0.4, 0.9, 0.8, 0.1}
	dets, err := GetNetworkBoxes([]Output{{l, data}}, 640, 480, 64, 64, 0.25, 0.5, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(dets) != 1 {
		t.Fatalf("%d detections", len(dets))
	}
	d := dets[0]
	want := Box{0.25, 0.75, 0.5, 2}
	if math.Abs(float64(d.Box.X-want.X)) > 1e-6 || math.Abs(float64(d.Box.Y-want.Y)) > 1e-6 ||
		math.Abs(float64(d.Box.W-want.W)) > 1e-6 || math.Abs(float64(d.Box.H-want.H)) > 1e-6 {
		t.Errorf("box %+v, want %+v", d.Box, want)
	}
	if d.Uncertainty != [4]float32{0.1, 0.2, 0.3, 0.4} {
		t.Errorf("uncertainty %v", d.Uncertainty)
	}
	// 0.9*0.8*(1-0.25) = 0.54; 0.9*0.1*0.75 = 0.0675 <= thresh -> 0.
	if math.Abs(float64(d.Prob[0]-0.54)) > 1e-6 || d.Prob[1] != 0 {
		t.Errorf("probs %v", d.Prob)
	}
}

func TestGetNetworkBoxesErrors(t *testing.T) {
	y := &Yolo{W: 2, H: 2, Classes: 3, Mask: []int{0}, Anchors: []float32{1, 1}}
	good := make([]float32, y.OutputSize())
	for _, c := range []struct {
		name string
		outs []Output
	}{
		{"no layers", nil},
		{"short data", []Output{{y, good[:5]}}},
		{"bad mask", []Output{{&Yolo{W: 2, H: 2, Classes: 3, Mask: []int{4}, Anchors: []float32{1, 1}}, good}}},
		{"class mismatch", []Output{{y, good}, {&Yolo{W: 2, H: 2, Classes: 2, Mask: []int{0}, Anchors: []float32{1, 1}}, make([]float32, 28)}}},
		{"region coords", []Output{{&Region{W: 1, H: 1, N: 1, Classes: 1, Coords: 5, Anchors: []float32{1, 1}}, make([]float32, 7)}}},
	} {
		if _, err := GetNetworkBoxes(c.outs, 10, 10, 32, 32, .25, .5, false); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}
