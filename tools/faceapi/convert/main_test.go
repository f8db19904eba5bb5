package main

import (
	"bytes"
	"github.com/darkgo/darkgo/internal/golden"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	return golden.RepoRoot(t)
}

// TestReproducible converts the committed copy of face-api's model again and
// requires the committed cfg/ files byte for byte.
func TestReproducible(t *testing.T) {
	root := repoRoot(t)
	files, err := convert(filepath.Join(root, "testdata", "faceapi", "model"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 {
		t.Fatalf("%d files, want 3", len(files))
	}
	for _, f := range files {
		committed, err := os.ReadFile(filepath.Join(root, "cfg", f.name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(committed, f.data) {
			t.Errorf("cfg/%s differs from the converter's output (%d bytes, committed %d): run go run ./tools/faceapi/convert", f.name, len(f.data), len(committed))
		}
	}
}

// TestFoldMean checks the folding on a random-looking conv: on any input, the
// folded conv of x/255 equals the original conv of (x-mean)/255.
func TestFoldMean(t *testing.T) {
	const in, k, out = 3, 3, 2
	w := make([]float32, out*in*k*k)
	b := []float32{0.25, -0.5}
	x := make([]float64, in*k*k) // one 3x3 window of 0..255 pixels
	for i := range w {
		w[i] = float32(math.Sin(float64(i)*1.7)) * 0.8
	}
	for i := range x {
		x[i] = float64((i * 97) % 256)
	}
	folded := foldMean(w, b, in, k)
	for o := 0; o < out; o++ {
		want, got := float64(b[o]), float64(folded[o])
		for c := 0; c < in; c++ {
			for t2 := 0; t2 < k*k; t2++ {
				wv := float64(w[(o*in+c)*k*k+t2])
				want += wv * (x[c*k*k+t2] - meanRGB[c]) / 255
				got += wv * x[c*k*k+t2] / 255
			}
		}
		if math.Abs(got-want) > 1e-6 {
			t.Errorf("filter %d: folded %g, original %g", o, got, want)
		}
	}
}

// TestLayouts checks the TensorFlow to Darknet reorderings on index-valued
// tensors.
func TestLayouts(t *testing.T) {
	const k, in, out = 3, 2, 4
	hwio := make([]float32, k*k*in*out)
	for i := range hwio {
		hwio[i] = float32(i)
	}
	d := fromHWIO(hwio, k, in, out)
	for o := 0; o < out; o++ {
		for c := 0; c < in; c++ {
			for i := 0; i < k; i++ {
				for j := 0; j < k; j++ {
					if got, want := d[((o*in+c)*k+i)*k+j], hwio[((i*k+j)*in+c)*out+o]; got != want {
						t.Fatalf("fromHWIO o=%d c=%d i=%d j=%d: %g, want %g", o, c, i, j, got, want)
					}
				}
			}
		}
	}
	dw := make([]float32, k*k*in)
	for i := range dw {
		dw[i] = float32(i)
	}
	dd := fromDepthwise(dw, k, in)
	for c := 0; c < in; c++ {
		for i := 0; i < k; i++ {
			for j := 0; j < k; j++ {
				if got, want := dd[(c*k+i)*k+j], dw[(i*k+j)*in+c]; got != want {
					t.Fatalf("fromDepthwise c=%d i=%d j=%d: %g, want %g", c, i, j, got, want)
				}
			}
		}
	}
}
