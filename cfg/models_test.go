package cfg_test

import (
	"bytes"
	"context"
	"fmt"
	"github.com/darkgo/darkgo/internal/golden"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/darkgo/darkgo/cfg"
	"github.com/darkgo/darkgo/engine"
	"github.com/darkgo/darkgo/engine/preprocess"
)

// root walks up from the package directory to the repository root.
func root(t testing.TB) string {
	t.Helper()
	return golden.RepoRoot(t)
}

// TestCOCONames: the bundled coco.names is Darknet's data/coco.names, as
// in the golden data.
func TestCOCONames(t *testing.T) {
	g, err := os.ReadFile(filepath.Join(root(t), "..", "shared", "golden", "coco.names"))
	if err != nil {
		t.Fatalf("golden coco.names: %v", err)
	}
	b, err := fs.ReadFile(cfg.FS, "coco.names")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, g) {
		t.Error("cfg/coco.names differs from Darknet's data/coco.names")
	}
	n := cfg.COCONames()
	if len(n) != 80 || n[0] != "person" || n[16] != "dog" || n[79] != "toothbrush" {
		t.Errorf("%d names: %q", len(n), n)
	}
	n[0] = "changed"
	if cfg.COCONames()[0] != "person" {
		t.Error("COCONames shares its slice between calls")
	}
}

func TestParseNames(t *testing.T) {
	for in, want := range map[string][]string{
		"":                 nil,
		"face":             {"face"},
		"face\n":           {"face"},
		"a\r\nb\r\n":       {"a", "b"},
		"a\n\nc\n":         {"a", "", "c"},
		"traffic light\nx": {"traffic light", "x"},
	} {
		if got := cfg.ParseNames([]byte(in)); !slices.Equal(got, want) {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestBundled(t *testing.T) {
	for name, want := range map[string]bool{
		"tiny-face.cfg": true, "csppeleenet-efm.cfg": true, "face.names": true,
		"missing.cfg": false, "../cfg/tiny-face.cfg": false, "": false, ".": false,
	} {
		if got := cfg.Bundled(name); got != want {
			t.Errorf("Bundled(%q) = %v", name, got)
		}
	}
}

// TestDefault: the default model loads with its names and finds the three
// faces face-api finds on its own network input for demo photo 1.
func TestDefault(t *testing.T) {
	n, err := cfg.Default(&engine.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(n.Names(), []string{"face"}) || n.Input != (engine.Shape{C: 3, H: 416, W: 416}) || len(n.Warnings) != 0 {
		t.Fatalf("names %q, input %v, warnings %v", n.Names(), n.Input, n.Warnings)
	}
	f, err := os.Open(filepath.Join(root(t), "testdata", "faceapi", "sample1.input.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := preprocess.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	dets, err := n.Detect(context.Background(), img, cfg.DefaultDetectOptions())
	if err != nil {
		t.Fatal(err)
	}
	// face-api's scores for the same input (testdata/faceapi/sample1.expected.json).
	want := []float32{0.7830226, 0.7780058, 0.7189705}
	if len(dets) != len(want) {
		t.Fatalf("%d faces, face-api 3: %+v", len(dets), dets)
	}
	for i, d := range dets {
		if d.Name != "face" || d.Class != 0 || d.Confidence-want[i] > 1e-3 || want[i]-d.Confidence > 1e-3 {
			t.Errorf("face %d: %+v, face-api score %v", i, d, want[i])
		}
	}
	// Sizes other than 416 work (multiples of 32).
	if n, err := cfg.Default(&engine.Options{Width: 320, Height: 256}); err != nil || n.Input.W != 320 || n.Input.H != 256 {
		t.Errorf("320x256: %v", err)
	}
}

// The default model, embedded in the binary, in a few lines.
func ExampleDefault() {
	net, err := cfg.Default(nil) // tiny-face.cfg + tiny-face.weights, names ["face"]
	if err != nil {
		fmt.Println(err)
		return
	}
	f, err := os.Open("../testdata/faceapi/sample1.input.png")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	img, _, err := preprocess.Decode(f)
	if err != nil {
		fmt.Println(err)
		return
	}
	dets, err := net.Detect(context.Background(), img, cfg.DefaultDetectOptions())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range dets {
		fmt.Printf("%s %.0f%% at %v\n", d.Name, d.Confidence*100, d.Rect)
	}
	// Output:
	// face 78% at (168,96)-(235,151)
	// face 78% at (308,46)-(374,107)
	// face 72% at (72,85)-(139,140)
}
