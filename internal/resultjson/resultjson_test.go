package resultjson

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/darkgo/darkgo/engine/detect"
)

func TestDetectionsAndSort(t *testing.T) {
	dets := []detect.Detection{
		{Box: detect.Box{X: 0.5, Y: 0.5, W: 0.5, H: 0.5}, Prob: []float32{0.3, 0.9}},
		{Box: detect.Box{X: 0.25, Y: 0.25, W: 0.1, H: 0.1}, Prob: []float32{0.6, 0}},
		{Box: detect.Box{X: 0.75, Y: 0.75, W: 0.1, H: 0.1}, Prob: []float32{0.3, 0.2}},
	}
	names := []string{"cat", "dog"}
	got := Detections(dets, 100, 200, 0.25, func(c int) string { return names[c] })
	// Darknet's order, one entry per box and class above the threshold.
	want := []struct {
		name string
		conf float32
	}{{"cat", 0.3}, {"dog", 0.9}, {"cat", 0.6}, {"cat", 0.3}}
	if len(got) != len(want) {
		t.Fatalf("%d detections, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].Name != w.name || float32(got[i].Confidence) != w.conf {
			t.Errorf("%d: %s %g, want %s %g", i, got[i].Name, got[i].Confidence, w.name, w.conf)
		}
	}
	if b := got[1].Box; b != (PixelBox{Left: 25, Top: 50, Width: 50, Height: 100}) {
		t.Errorf("pixel box %+v", b)
	}
	SortByConfidence(got)
	order := []float32{0.9, 0.6, 0.3, 0.3}
	for i, c := range order {
		if float32(got[i].Confidence) != c {
			t.Fatalf("sorted: %d is %g, want %g", i, got[i].Confidence, c)
		}
	}
	// Equal confidences keep Darknet's order (stable): the 0.3 of the
	// first box before the 0.3 of the third.
	if got[2].Box.Left != 25 || got[3].Box.Left != 69 {
		t.Errorf("equal confidences reordered: %+v, %+v", got[2].Box, got[3].Box)
	}
	b, _ := json.Marshal(Image{File: "x", Detections: got[:1], TimeMS: &Times{Network: Millis(1500 * time.Microsecond)}})
	if s := string(b); s != `{"file":"x","detections":[{"class_id":1,"name":"dog","confidence":0.9,"box":{"left":25,"top":50,"width":50,"height":100},"relative":{"center_x":0.5,"center_y":0.5,"width":0.5,"height":0.5}}],"time_ms":{"decode":0,"resize":0,"network":1.5,"post":0}}` {
		t.Errorf("JSON %s", s)
	}
}
