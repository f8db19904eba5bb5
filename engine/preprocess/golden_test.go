package preprocess

import (
	"encoding/json"
	"github.com/darkgo/darkgo/internal/golden"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// goldenDir returns ../shared/golden relative to the repository root (the
// directory holding go.mod), failing the test if it is missing.
func goldenDir(t testing.TB) string {
	t.Helper()
	return golden.Dir(t)
}

func readF32(t testing.TB, path string) []float32 {
	t.Helper()
	return golden.ReadF32(t, path)
}

// dogRun is one full/<net>/dog case: the network input size and whether
// detector test letterboxed the image.
type dogRun struct {
	name      string
	w, h, c   int
	letterbox bool
	want      []float32
}

func dogRuns(t *testing.T) []dogRun {
	g := goldenDir(t)
	dirs, err := filepath.Glob(filepath.Join(g, "full", "*", "dog", "input_image.f32"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden dog inputs found (%v)", err)
	}
	var runs []dogRun
	for _, p := range dirs {
		dir := filepath.Dir(p)
		var lj struct {
			Net       struct{ W, H, C int }
			LetterBox int `json:"letter_box"`
		}
		b, err := os.ReadFile(filepath.Join(dir, "layers.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &lj); err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		runs = append(runs, dogRun{
			name: filepath.Base(filepath.Dir(dir)),
			w:    lj.Net.W, h: lj.Net.H, c: lj.Net.C,
			letterbox: lj.LetterBox == 1,
			want:      readF32(t, p),
		})
	}
	return runs
}

func diffStats(got, want []float32) (maxAbs, meanAbs float64, nDiff int) {
	var sum float64
	for i := range got {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		sum += d
		if d > maxAbs {
			maxAbs = d
		}
		if d != 0 {
			nDiff++
		}
	}
	return maxAbs, sum / float64(len(got)), nDiff
}

// TestGoldenDogExactFromSTBPixels feeds the pixels stb_image decodes from
// dog.jpg (testdata/dog.stb.png, see testdata/README.md) through the float
// conversion and resize/letterbox: the result must be bit-identical to the
// input_image.f32 Darknet wrote for every full net, letterboxed or not.
func TestGoldenDogExactFromSTBPixels(t *testing.T) {
	f, err := os.Open("testdata/dog.stb.png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	var s Scratch
	for _, r := range dogRuns(t) {
		got := make([]float32, r.c*r.h*r.w)
		if err := s.NetworkInput(got, img, r.w, r.h, r.c, r.letterbox); err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		if len(got) != len(r.want) {
			t.Fatalf("%s: %d values, golden has %d", r.name, len(got), len(r.want))
		}
		maxAbs, _, n := diffStats(got, r.want)
		t.Logf("%s (%dx%d letterbox=%v): %d of %d values differ, max abs %g", r.name, r.w, r.h, r.letterbox, n, len(got), maxAbs)
		if n != 0 {
			t.Errorf("%s: stb pixels -> input differs from Darknet in %d values (max %g)", r.name, n, maxAbs)
		}
		// The allocating API must agree bit for bit with the scratch path.
		im := FromImage(img)
		var alt *Image
		if r.letterbox {
			alt = Letterbox(im, r.w, r.h)
		} else {
			alt = Resize(im, r.w, r.h)
		}
		if _, _, n := diffStats(alt.Data, got); n != 0 {
			t.Errorf("%s: FromImage+Resize/Letterbox differs from NetworkInput in %d values", r.name, n)
		}
	}
}

// TestGoldenDogFromJPEG: decoding the golden dog.jpg (stb_image-exact,
// internal/jpeg + jpegycc.go) and converting it gives every golden
// full/*/dog/input_image.f32 bit for bit, plain and letterboxed.
func TestGoldenDogFromJPEG(t *testing.T) {
	g := goldenDir(t)
	f, err := os.Open(filepath.Join(g, "images", "dog.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, format, err := Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if format != "jpeg" || img.Bounds() != image.Rect(0, 0, 768, 576) {
		t.Fatalf("decoded %s %v, want jpeg 768x576", format, img.Bounds())
	}
	var s Scratch
	for _, r := range dogRuns(t) {
		got := make([]float32, r.c*r.h*r.w)
		if err := s.NetworkInput(got, img, r.w, r.h, r.c, r.letterbox); err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		maxAbs, _, n := diffStats(got, r.want)
		if n != 0 {
			t.Errorf("%s (%dx%d letterbox=%v): %d of %d values differ from Darknet's input (max abs %g)",
				r.name, r.w, r.h, r.letterbox, n, len(got), maxAbs)
		}
	}
}

// TestGoChromaWouldFail documents why jpegycc.go exists: Go's own
// YCbCr->RGB (nearest-neighbour chroma) is off by many levels.
func TestGoChromaWouldFail(t *testing.T) {
	g := goldenDir(t)
	f, err := os.Open(filepath.Join(g, "images", "dog.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	rgba := image.NewNRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			rgba.Set(x, y, img.At(x, y))
		}
	}
	r := dogRuns(t)[0]
	got := make([]float32, r.c*r.h*r.w)
	if err := NetworkInput(got, rgba, r.w, r.h, r.c, r.letterbox); err != nil {
		t.Fatal(err)
	}
	maxAbs, meanAbs, _ := diffStats(got, r.want)
	t.Logf("Go color conversion: max abs %.2f levels, mean %.4f levels", maxAbs*255, meanAbs*255)
	if maxAbs <= 4.0/255 {
		t.Errorf("expected Go's nearest-neighbour chroma to be off by more than 4 levels; max %g", maxAbs)
	}
}
