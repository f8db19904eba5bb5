package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"testing"
	"time"
)

// frigateDetect is Frigate's deepstack detector (frigate/detectors/plugins/
// deepstack.py) in Go: it posts the frame with the form field api_key and
// the file field "image" (python-requests names the file after the field),
// with a 100 ms timeout, and fills at most 20 rows [label, confidence,
// y_min/h, x_min/w, y_max/h, x_max/w], reading the predictions in order
// and stopping at the first under 0.4 or with a label it does not know. A
// failed request is an empty frame, as in Frigate.
func frigateDetect(t *testing.T, url, apiKey string, frame []byte, w, h int, labels map[string]int) (rows [][6]float64, ok bool) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("api_key", apiKey)
	hdr := textproto.MIMEHeader{}
	hdr.Set("Content-Disposition", `form-data; name="image"; filename="image"`)
	part, _ := mw.CreatePart(hdr)
	part.Write(frame)
	mw.Close()
	client := &http.Client{Timeout: 100 * time.Millisecond}
	resp, err := client.Post(url, mw.FormDataContentType(), &buf)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, false // Frigate logs it and moves to the next frame
		}
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Predictions []map[string]any `json:"predictions"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("Frigate calls response.json(): %v", err)
	}
	if body.Predictions == nil {
		t.Fatalf("status %s: no predictions (Frigate would log a parse error)", resp.Status)
	}
	for i, d := range body.Predictions {
		conf := d["confidence"].(float64)
		if conf < 0.4 {
			break
		}
		label, known := labels[d["label"].(string)]
		if !known {
			break
		}
		if i >= 20 {
			t.Fatalf("more than 20 predictions over 0.4: Frigate's detections array has 20 rows")
		}
		rows = append(rows, [6]float64{float64(label), conf,
			d["y_min"].(float64) / float64(h), d["x_min"].(float64) / float64(w),
			d["y_max"].(float64) / float64(h), d["x_max"].(float64) / float64(w)})
	}
	return rows, true
}

func TestFrigateClient(t *testing.T) {
	s := newServer(t, Config{APIKey: "frigate-key"})
	url, _ := served(t, s)
	const w, h = 320, 320 // Frigate sends the detector's input size
	frame := scaledJPEG(t, w, h)
	ref := want(t, frame, 0.4)
	if len(ref) == 0 {
		t.Fatal("the Go API finds no face in the 320x320 frame: the test needs one")
	}
	// A loaded machine may miss the 100 ms; Frigate then goes on with the
	// next frame, and so does this client, a bounded number of times.
	for attempt := range 20 {
		rows, ok := frigateDetect(t, url+"/v1/vision/detection", "frigate-key", frame, w, h, map[string]int{"face": 0})
		if !ok {
			t.Logf("attempt %d: timed out after 100 ms", attempt)
			continue
		}
		if len(rows) != len(ref) {
			t.Fatalf("Frigate reads %d detections, the Go API finds %d: %v", len(rows), len(ref), rows)
		}
		for i, r := range rows {
			want := [6]float64{0, float64(ref[i].Confidence), float64(ref[i].Rect.Min.Y) / h, float64(ref[i].Rect.Min.X) / w,
				float64(ref[i].Rect.Max.Y) / h, float64(ref[i].Rect.Max.X) / w}
			if r[0] != want[0] || float32(r[1]) != float32(want[1]) || r[2] != want[2] || r[3] != want[3] || r[4] != want[4] || r[5] != want[5] {
				t.Errorf("row %d: got %v, want %v", i, r, want)
			}
			if i > 0 && rows[i-1][1] < r[1] {
				t.Errorf("row %d: confidence %g after %g: not sorted", i, r[1], rows[i-1][1])
			}
		}
		// The wrong key gets a JSON error without predictions, which
		// Frigate logs instead of crashing on.
		body, ct := form(t, [][2]string{{"api_key", "wrong"}}, "image", "image", frame)
		status, _, obj := post(t, nil, url+"/v1/vision/detection", ct, body, nil)
		wantError(t, "wrong key", status, obj, http.StatusUnauthorized)
		if _, has := obj["predictions"]; has {
			t.Errorf("an error has predictions: %v", obj)
		}
		return
	}
	t.Fatal("20 frames in a row took over Frigate's 100 ms timeout")
}

// TestCodeProjectClient posts as CodeProject.AI Server's clients (Blue
// Iris, Agent DVR) do: multipart image plus min_confidence, reading
// success, count, predictions and the timing fields.
func TestCodeProjectClient(t *testing.T) {
	s := newServer(t, Config{})
	url, _ := served(t, s)
	img := scaledJPEG(t, 640, 480)
	for _, minConf := range []string{"0.4", "0.65", "0"} {
		status, _, obj := postImage(t, nil, url+"/v1/vision/detection", img, [2]string{"min_confidence", minConf})
		if status != http.StatusOK || obj["success"] != true {
			t.Fatalf("min_confidence %s: %d %v", minConf, status, obj)
		}
		preds := obj["predictions"].([]any)
		if obj["count"] != float64(len(preds)) || obj["inferenceMs"] == nil || obj["processMs"] == nil {
			t.Errorf("min_confidence %s: %v", minConf, obj)
		}
		var mc float64
		json.Unmarshal([]byte(minConf), &mc)
		for _, p := range preds {
			if c := p.(map[string]any)["confidence"].(float64); c < mc {
				t.Errorf("min_confidence %s: prediction at %g", minConf, c)
			}
		}
		var f float32
		json.Unmarshal([]byte(minConf), &f)
		checkPredictions(t, obj, want(t, img, engineThresh(f)))
	}
}
