package serve

import (
	"net/http"
	"path/filepath"
	"slices"
	"testing"

	"github.com/darkgo/darkgo/cfg"
	"github.com/darkgo/darkgo/engine"
	"github.com/darkgo/darkgo/internal/golden"
)

func TestVisionNames(t *testing.T) {
	coco := visionNames(cfg.COCONames())
	for darknet, official := range cocoOfficial {
		if slices.Contains(coco, darknet) || !slices.Contains(coco, official) {
			t.Errorf("%s: not renamed to %s", darknet, official)
		}
	}
	if len(coco) != 80 || coco[0] != "person" || coco[3] != "motorcycle" || coco[62] != "tv" {
		t.Errorf("COCO names: %v", coco)
	}
	custom := []string{"cat", "sofa"}
	if got := visionNames(custom); !slices.Equal(got, custom) {
		t.Errorf("a custom model's names changed: %v", got)
	}
	if !slices.Contains(cfg.COCONames(), "motorbike") {
		t.Error("visionNames changed the shared COCO names")
	}
}

// TestVisionLabelsCOCO: an 80-class Darknet model answers the DeepStack
// routes with COCO's official names (what Frigate's labelmap has) and
// /v1/detect with Darknet's, for the same detections. The golden
// yolov4-tiny's weights are not COCO-trained, so on a face photo it finds
// many classes at low confidence — which is what this needs.
func TestVisionLabelsCOCO(t *testing.T) {
	d := filepath.Join(golden.Dir(t), "full", "yolov4-tiny")
	n, err := engine.LoadFiles(filepath.Join(d, "model.cfg"), filepath.Join(d, "model.weights.gz"), &engine.Options{Names: cfg.COCONames(), Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, Config{Models: []*Model{{Name: "yolo", Net: n, Names: n.Names()}}, Workers: 1, Threads: 1})
	ts := handlerServer(t, s)
	img := scaledJPEG(t, 320, 240)
	status, _, vision := postImage(t, nil, ts.URL+"/v1/vision/custom/yolo", img, [2]string{"min_confidence", "0.25"})
	status2, _, own := post(t, nil, ts.URL+"/v1/detect?model=yolo&thresh=0.25", "image/jpeg", img, nil)
	if status != http.StatusOK || status2 != http.StatusOK {
		t.Fatalf("status %d, %d", status, status2)
	}
	var labels, names []string
	legacy := 0
	for _, p := range vision["predictions"].([]any) {
		labels = append(labels, p.(map[string]any)["label"].(string))
	}
	for _, d := range own["detections"].([]any) {
		name := d.(map[string]any)["name"].(string)
		if o, ok := cocoOfficial[name]; ok {
			name = o
			legacy++
		}
		names = append(names, name)
	}
	if legacy == 0 {
		t.Fatal("no detection of a class Darknet names differently: the test checks nothing")
	}
	slices.Sort(labels)
	slices.Sort(names)
	if !slices.Equal(labels, names) {
		t.Errorf("DeepStack labels %v\nwant /v1/detect's names in COCO spelling %v", labels, names)
	}
}
