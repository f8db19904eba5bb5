package engine

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/darkgo/darkgo/engine/preprocess"
)

// TestRawDetectionsMatchDetectInput: forwarding, copying the outputs and
// decoding them later (after the session has run another image) gives
// DetectInput's detections, for letterboxed and plain inputs.
func TestRawDetectionsMatchDetectInput(t *testing.T) {
	n := loadGoldenFull(t, "yolov4-tiny")
	f, err := os.Open(filepath.Join(goldenDir(t), "images", "dog.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := preprocess.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := n.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	opts := &DetectOptions{Thresh: 0.3}
	b := img.Bounds()
	for _, letter := range []bool{false, true} {
		var prep preprocess.Scratch
		in := n.Input
		if err := prep.NetworkInput(s.Input(), img, in.W, in.H, in.C, letter); err != nil {
			t.Fatal(err)
		}
		want, err := n.DetectInput(ctx, s, b.Dx(), b.Dy(), letter, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(want.Detections) == 0 {
			t.Fatal("no detections")
		}
		var raw RawDetections
		if err := n.ForwardDetections(ctx, s, b.Dx(), b.Dy(), letter, &raw); err != nil {
			t.Fatal(err)
		}
		// The session runs a grey input before raw is decoded.
		for i := range s.Input() {
			s.Input()[i] = 0.5
		}
		if _, err := n.DetectInput(ctx, s, b.Dx(), b.Dy(), letter, opts); err != nil {
			t.Fatal(err)
		}
		got, err := n.DecodeDetections(&raw, opts)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Detections, want.Detections) || got.Width != want.Width || got.Height != want.Height {
			t.Errorf("letterbox %v: decoded later %d detections, DetectInput %d", letter, len(got.Detections), len(want.Detections))
		}
	}
	other := loadGoldenFull(t, "yolov3-tiny")
	var raw RawDetections
	if err := n.ForwardDetections(ctx, s, b.Dx(), b.Dy(), false, &raw); err != nil {
		t.Fatal(err)
	}
	if _, err := other.DecodeDetections(&raw, opts); err == nil {
		t.Error("another network decoded the raw detections")
	}
	if err := other.ForwardDetections(ctx, s, b.Dx(), b.Dy(), false, &raw); err == nil {
		t.Error("another network's session accepted")
	}
}
