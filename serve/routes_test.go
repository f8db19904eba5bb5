package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/darkgo/darkgo/engine"
	"github.com/darkgo/darkgo/engine/preprocess"
)

// want is the Go API's answer for img at thresh (face NMS 0.4), highest
// confidence first: what the server must return, computed without it.
func want(t *testing.T, img []byte, thresh float32) []engine.Detection {
	t.Helper()
	m, _, err := preprocess.Decode(bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	dets, err := face(t).Net.Detect(context.Background(), m, &engine.DetectOptions{Thresh: thresh, NMS: 0.4})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortStableFunc(dets, func(a, b engine.Detection) int {
		switch {
		case a.Confidence > b.Confidence:
			return -1
		case a.Confidence < b.Confidence:
			return 1
		}
		return 0
	})
	return dets
}

// checkPredictions compares DeepStack predictions with the Go API's
// detections: same order, labels, confidences and pixel boxes.
func checkPredictions(t *testing.T, obj map[string]any, dets []engine.Detection) {
	t.Helper()
	preds, _ := obj["predictions"].([]any)
	if obj["success"] != true || len(preds) != len(dets) || obj["count"] != float64(len(dets)) {
		t.Fatalf("got %v, want %d predictions", obj, len(dets))
	}
	for i, p := range preds {
		p := p.(map[string]any)
		d := dets[i]
		got := fmt.Sprintf("%v %.6f %v %v %v %v", p["label"], p["confidence"], p["x_min"], p["y_min"], p["x_max"], p["y_max"])
		exp := fmt.Sprintf("%v %.6f %v %v %v %v", d.Name, d.Confidence, d.Rect.Min.X, d.Rect.Min.Y, d.Rect.Max.X, d.Rect.Max.Y)
		if got != exp {
			t.Errorf("prediction %d: got %s, want %s", i, got, exp)
		}
	}
}

func TestVisionRoutes(t *testing.T) {
	s := newServer(t, Config{})
	ts := handlerServer(t, s)
	img := sample(t)
	ref := want(t, img, DefaultMinConfidence)
	if len(ref) != 3 {
		t.Fatalf("the Go API finds %d faces in sample1.jpg, the test expects 3", len(ref))
	}
	for _, route := range []string{"/v1/vision/detection", "/v1/vision/face", "/v1/vision/custom/face"} {
		status, _, obj := postImage(t, nil, ts.URL+route, img)
		if status != http.StatusOK {
			t.Fatalf("%s: status %d: %v", route, status, obj)
		}
		checkPredictions(t, obj, ref)
	}
	// CodeProject.AI clients send min_confidence.
	status, _, obj := postImage(t, nil, ts.URL+"/v1/vision/detection", img, [2]string{"min_confidence", "0.7"})
	if status != http.StatusOK {
		t.Fatalf("status %d: %v", status, obj)
	}
	checkPredictions(t, obj, want(t, img, 0.7))
	if n := len(want(t, img, 0.7)); n == 0 || n == 3 {
		t.Fatalf("min_confidence 0.7 keeps %d of 3 faces: the test needs a threshold that cuts", n)
	}
	// Nothing found is success with no predictions (an array, not null).
	status, _, obj = postImage(t, nil, ts.URL+"/v1/vision/detection", img, [2]string{"min_confidence", "0.99"})
	if preds, ok := obj["predictions"].([]any); status != http.StatusOK || !ok || len(preds) != 0 {
		t.Errorf("min_confidence 0.99: status %d, %v", status, obj)
	}
}

func TestMaxPredictions(t *testing.T) {
	s := newServer(t, Config{MaxPredictions: 2})
	ts := handlerServer(t, s)
	img := sample(t)
	status, _, obj := postImage(t, nil, ts.URL+"/v1/vision/detection", img)
	if status != http.StatusOK {
		t.Fatalf("status %d: %v", status, obj)
	}
	ref := want(t, img, DefaultMinConfidence)
	if len(ref) <= 2 {
		t.Fatalf("the test needs more than 2 faces, found %d", len(ref))
	}
	checkPredictions(t, obj, ref[:2]) // the two most confident
}

func TestDetectRoute(t *testing.T) {
	s := newServer(t, Config{})
	ts := handlerServer(t, s)
	img := sample(t)
	ref := want(t, img, 0.5) // the face model's own threshold is /v1/detect's default

	check := func(what string, status int, obj map[string]any, ref []engine.Detection, file string) {
		t.Helper()
		if status != http.StatusOK {
			t.Fatalf("%s: status %d: %v", what, status, obj)
		}
		dets, _ := obj["detections"].([]any)
		if obj["file"] != file || obj["width"] != 1920.0 || obj["height"] != 1280.0 || obj["model"] != "face" || len(dets) != len(ref) {
			t.Fatalf("%s: got %v, want %d detections of a 1920x1280 image", what, obj, len(ref))
		}
		if tm, ok := obj["time_ms"].(map[string]any); !ok || tm["network"] == nil {
			t.Errorf("%s: no time_ms.network: %v", what, obj)
		}
		for i, d := range dets {
			d := d.(map[string]any)
			box := d["box"].(map[string]any)
			r := ref[i].Rect
			got := fmt.Sprintf("%v %v %.6f %v %v %v %v", d["class_id"], d["name"], d["confidence"], box["left"], box["top"], box["width"], box["height"])
			exp := fmt.Sprintf("%v %v %.6f %v %v %v %v", float64(ref[i].Class), ref[i].Name, ref[i].Confidence, r.Min.X, r.Min.Y, r.Dx(), r.Dy())
			if got != exp {
				t.Errorf("%s: detection %d: got %s, want %s", what, i, got, exp)
			}
		}
	}
	status, _, obj := post(t, nil, ts.URL+"/v1/detect", "image/jpeg", img, nil)
	check("raw body", status, obj, ref, "upload")
	body, ct := form(t, nil, "image", "cam1.jpg", img)
	status, _, obj = post(t, nil, ts.URL+"/v1/detect?model=face", ct, body, nil)
	check("multipart", status, obj, ref, "cam1.jpg")
	status, _, obj = post(t, nil, ts.URL+"/v1/detect?thresh=0.7&nms=0.4&classes=face", "", img, nil)
	check("thresh=0.7", status, obj, want(t, img, 0.7), "upload")
	status, _, obj = post(t, nil, ts.URL+"/v1/detect?classes=0", "", img, nil)
	check("classes=0", status, obj, ref, "upload")

	// Without NMS the boxes come in grid order, not by confidence: the
	// answer must still be sorted (with NMS, single-class models are
	// sorted already by Darknet's NMS).
	status, _, obj = post(t, nil, ts.URL+"/v1/detect?nms=0&thresh=0.05", "", img, nil)
	dets, _ := obj["detections"].([]any)
	if status != http.StatusOK || len(dets) < 4 {
		t.Fatalf("nms=0: %d, %d detections (want several boxes per face)", status, len(dets))
	}
	for i := 1; i < len(dets); i++ {
		if a, b := dets[i-1].(map[string]any)["confidence"].(float64), dets[i].(map[string]any)["confidence"].(float64); a < b {
			t.Errorf("nms=0: detection %d (%g) after %d (%g): not sorted by confidence", i, b, i-1, a)
		}
	}

	for _, c := range []struct{ query string }{
		{"model=nope"}, {"thresh=1"}, {"thresh=abc"}, {"nms=-0.1"}, {"classes=car"}, {"classes=7"},
	} {
		status, _, obj := post(t, nil, ts.URL+"/v1/detect?"+c.query, "", img, nil)
		code := http.StatusBadRequest
		if strings.HasPrefix(c.query, "model=") {
			code = http.StatusNotFound
		}
		wantError(t, c.query, status, obj, code)
	}
}

func TestInfoRoutes(t *testing.T) {
	s := newServer(t, Config{})
	ts := handlerServer(t, s)
	get := func(path string) (int, map[string]any, string) {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var obj map[string]any
		if resp.Header.Get("Content-Type") == "application/json" {
			obj = map[string]any{}
			if err := json.Unmarshal(b, &obj); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
		}
		return resp.StatusCode, obj, string(b)
	}
	status, obj, _ := get("/v1/models")
	models, _ := obj["models"].([]any)
	if status != 200 || len(models) != 1 {
		t.Fatalf("/v1/models: %d %v", status, obj)
	}
	m := models[0].(map[string]any)
	if m["name"] != "face" || m["default"] != true || m["width"] != 416.0 || m["classes"] != 1.0 || m["cfg"] != "tiny-face.cfg" ||
		m["bflops"].(float64) <= 0 || !strings.Contains(m["kernels"].(string), "gemm") {
		t.Errorf("/v1/models: %v", m)
	}
	if status, obj, _ := get("/healthz"); status != 200 || obj["success"] != true {
		t.Errorf("/healthz: %d %v", status, obj)
	}
	if status, obj, _ := get("/readyz"); status != 200 || obj["status"] != "ready" {
		t.Errorf("/readyz: %d %v", status, obj)
	}
	postImage(t, nil, ts.URL+"/v1/vision/detection", sample(t))
	status, _, text := get("/metrics")
	for _, want := range []string{
		`darkgo_requests_total{code="200",route="/v1/vision/detection"} 1`,
		`darkgo_stage_duration_seconds_count{model="face",stage="network"} 1`,
		`darkgo_stage_duration_seconds_count{model="face",stage="queue"} 1`,
		`darkgo_queue_capacity 4`,
		`darkgo_model_info{cfg="tiny-face.cfg"`,
		`darkgo_requests_in_flight 1`, // the scrape itself
		`process_resident_memory_bytes`,
	} {
		if status != 200 || !strings.Contains(text, want) {
			t.Errorf("/metrics: no %s", want)
		}
	}
	status, obj, _ = get("/nope")
	wantError(t, "unknown route", status, obj, http.StatusNotFound)
	status, _, obj = post(t, nil, ts.URL+"/v1/models", "", nil, nil)
	wantError(t, "POST /v1/models", status, obj, http.StatusMethodNotAllowed)
	resp, err := http.Get(ts.URL + "/v1/vision/detection")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET /v1/vision/detection: %s, Allow %q", resp.Status, resp.Header.Get("Allow"))
	}
}

func TestNewRefuses(t *testing.T) {
	f := face(t)
	for _, c := range []struct {
		name string
		cfg  Config
	}{
		{"no models", Config{Models: []*Model{}}},
		{"nil net", Config{Models: []*Model{{Name: "x"}}}},
		{"bad name", Config{Models: []*Model{{Name: "a/b", Net: f.Net}}}},
		{"duplicate", Config{Models: []*Model{f, f}}},
		{"unknown default", Config{Models: []*Model{f}, Default: "yolo"}},
	} {
		if _, err := New(c.cfg); err == nil {
			t.Errorf("%s: New succeeded", c.name)
		}
	}
}

func TestConcurrencyDefaults(t *testing.T) {
	for _, c := range []struct{ cores, w, t, ww, wt int }{
		{2, 0, 0, 2, 1}, {8, 0, 4, 2, 4}, {8, 2, 0, 2, 4}, {2, 0, 4, 1, 4}, {2, 3, 0, 3, 1}, {0, 0, 0, 1, 1}, {4, 3, 3, 3, 3},
	} {
		if w, th := Concurrency(c.cores, c.w, c.t); w != c.ww || th != c.wt {
			t.Errorf("Concurrency(%d, %d, %d) = %d, %d; want %d, %d", c.cores, c.w, c.t, w, th, c.ww, c.wt)
		}
	}
}
