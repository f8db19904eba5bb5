package engine

import (
	"bufio"
	"bytes"
	"context"
	"image"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/darkgo/darkgo/engine/preprocess"
)

// goldenTop reads one classify/<net>/<image>.top5.txt: Darknet's
// "name: 0.001362" lines (names are c<index>).
func goldenTop(t *testing.T, path string) (classes []int, probs []float64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, p, ok := strings.Cut(sc.Text(), ": ")
		if !ok || !strings.HasPrefix(name, "c") {
			continue
		}
		c, err1 := strconv.Atoi(name[1:])
		v, err2 := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: bad line %q", path, sc.Text())
		}
		classes, probs = append(classes, c), append(probs, v)
	}
	if len(classes) == 0 {
		t.Fatalf("%s: no predictions", path)
	}
	return classes, probs
}

func decodeFile(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := preprocess.DecodeWithOptions(f, &preprocess.DecodeOptions{IgnoreOrientation: true})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// samePixels reports whether two images have the same 8-bit RGB pixels as
// darkgo converts them for the network (so a JPEG can be compared with
// stb_image's decoding of it, stored as PNG).
func samePixels(a, b image.Image) bool {
	fa, fb := preprocess.FromImage(a), preprocess.FromImage(b)
	if fa.W != fb.W || fa.H != fb.H {
		return false
	}
	for i := range fa.Data {
		if fa.Data[i] != fb.Data[i] {
			return false
		}
	}
	return true
}

// TestClassifyMatchesDarknet runs the random-weight EfficientNet-B0 on every
// image of golden map/images and compares the top 5 with Darknet's
// `classifier predict -top 5`: the same classes in the same order and the
// probabilities within 1e-6 (Darknet prints 6 decimals). On the .stb.png
// files (stb_image's pixels) the check is always strict; on the JPEGs it is
// strict when darkgo's JPEG decoder gives stb_image's pixels for the file,
// otherwise only the classes are required to agree with 1e-4 on the values.
func TestClassifyMatchesDarknet(t *testing.T) {
	root := goldenDir(t)
	n := loadGoldenFull(t, "efficientnet_b0")
	if err := n.IsClassifier(); err != nil {
		t.Fatal(err)
	}
	tops, err := filepath.Glob(filepath.Join(root, "classify", "efficientnet_b0", "*.top5.txt"))
	if err != nil || len(tops) != 20 {
		t.Fatalf("want 20 golden top-5 files, found %d (%v)", len(tops), err)
	}
	imgDir := filepath.Join(root, "map", "images")
	for _, top := range tops {
		file := strings.TrimSuffix(filepath.Base(top), ".top5.txt")
		t.Run(file, func(t *testing.T) {
			wantC, wantP := goldenTop(t, top)
			img := decodeFile(t, filepath.Join(imgDir, file))
			tol, strict := 1e-6, true
			if strings.HasSuffix(file, ".jpg") {
				stb := decodeFile(t, filepath.Join(imgDir, strings.TrimSuffix(file, ".jpg")+".stb.png"))
				if !samePixels(img, stb) {
					t.Logf("%s: darkgo's JPEG pixels differ from stb_image's: checking loosely", file)
					tol, strict = 1e-4, false
				}
			}
			got, err := n.Classify(context.Background(), img, 5)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(wantC) {
				t.Fatalf("got %d predictions, want %d", len(got), len(wantC))
			}
			for i, p := range got {
				if p.Class != wantC[i] {
					t.Errorf("rank %d: class %d, Darknet c%d (strict=%v)", i, p.Class, wantC[i], strict)
				}
				if d := math.Abs(float64(p.Probability) - wantP[i]); d > tol {
					t.Errorf("rank %d: probability %.7f, Darknet %.6f (|d|=%.2g > %g)", i, p.Probability, wantP[i], d, tol)
				}
			}
		})
	}
}

// TestClassifierInputGeometry checks resize_min + crop on small images
// against a direct evaluation of the definition: the shorter side scaled to
// the network width, the centred window, edge clamping where the crop is
// larger than the resized image.
func TestClassifierInputGeometry(t *testing.T) {
	for _, c := range []struct{ imW, imH, w, h int }{
		{8, 8, 8, 8}, {8, 8, 4, 4}, {10, 6, 4, 4}, {6, 10, 4, 4}, {7, 5, 3, 3}, {5, 7, 4, 6}, {3, 9, 5, 5}, {9, 3, 2, 7}, {1, 1, 3, 3},
	} {
		img := image.NewRGBA(image.Rect(0, 0, c.imW, c.imH))
		for i := range img.Pix {
			img.Pix[i] = uint8(i*37 + 11)
		}
		dst := make([]float32, 3*c.w*c.h)
		if err := preprocess.ClassifierInput(dst, img, c.w, c.h, 3); err != nil {
			t.Fatal(err)
		}
		rw, rh := preprocess.ResizeMinSize(c.imW, c.imH, c.w)
		if min(rw, rh) != c.w {
			t.Errorf("%v: resize_min size %dx%d, shorter side must be %d", c, rw, rh, c.w)
		}
		resized := preprocess.Resize(preprocess.FromImage(img), rw, rh)
		dx, dy := (rw-c.w)/2, (rh-c.h)/2
		for k := 0; k < 3; k++ {
			for y := 0; y < c.h; y++ {
				for x := 0; x < c.w; x++ {
					sy := min(max(y+dy, 0), rh-1)
					sx := min(max(x+dx, 0), rw-1)
					want := resized.Data[(k*rh+sy)*rw+sx]
					if got := dst[(k*c.h+y)*c.w+x]; got != want {
						t.Fatalf("%v: (%d,%d,%d) = %v, want %v", c, k, y, x, got, want)
					}
				}
			}
		}
	}
}

// TestTopKDarknetTies checks TopK against Darknet's top_k on ties,
// including the case where a displaced entry gives way to an equal one
// behind it.
func TestTopKDarknetTies(t *testing.T) {
	for _, c := range []struct {
		a    []float32
		k    int
		want []int
	}{
		{[]float32{1, 3, 2}, 2, []int{1, 2}},
		{[]float32{5, 3, 3, 4}, 3, []int{0, 3, 2}}, // 4 displaces index 1, which cannot pass the equal index 2
		{[]float32{2, 2, 2}, 2, []int{0, 1}},
		{[]float32{0.5}, 5, []int{0}},
		{[]float32{1, 2, 3, 4, 5}, 5, []int{4, 3, 2, 1, 0}},
	} {
		got := TopK(c.a, c.k)
		if len(got) != len(c.want) {
			t.Fatalf("TopK(%v, %d) = %v, want %v", c.a, c.k, got, c.want)
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Fatalf("TopK(%v, %d) = %v, want %v", c.a, c.k, got, c.want)
			}
		}
	}
}
