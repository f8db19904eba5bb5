package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/darkgo/darkgo/engine/detect"
)

// TestLabelPath checks Darknet's replace_image_to_label rules and darkgo's
// one addition (extensions Darknet does not list).
func TestLabelPath(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"data/obj/img1.jpg", "data/obj/img1.txt"},
		{"x.stb.png", "x.stb.txt"},
		{"VOC2007/JPEGImages/000001.jpg", "VOC2007/labels/000001.txt"},
		{"coco/images/val2014/a.jpg", "coco/labels/val2014/a.txt"},
		{"coco/images/train2017/a.JPEG", "coco/labels/train2017/a.txt"},
		{"my/images/a.jpg", "my/images/a.txt"}, // plain images/ is not renamed by Darknet
		{`C:\VOC\JPEGImages\a.bmp`, `C:\VOC\labels\a.txt`},
		{" padded.png\t", "padded.txt"},
		{"photo.webp", "photo.txt"}, // darkgo: Darknet lists no .webp
		{"a.jpg.d/x.jpg", "a.jpg.d/x.txt"},
		{"noext", "noext"},
	} {
		if got := labelPath(c.in); got != c.want {
			t.Errorf("labelPath(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestReadLabels: fscanf("%d %f %f %f %f")-style reading, across lines, up
// to the first group that does not parse; a missing file is no objects.
func TestReadLabels(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.txt")
	os.WriteFile(p, []byte("0 0.5 0.5 0.25 0.25\r\n3 .1 .2\n.3 .4\n\n7 1e-1 0.2 0.3 bad 1 0.1 0.1 0.1 0.1\n"), 0o644)
	truths, exists, err := readLabels(p)
	if err != nil || !exists {
		t.Fatal(exists, err)
	}
	if len(truths) != 2 || truths[0].Class != 0 || truths[0].Box.W != 0.25 ||
		truths[1].Class != 3 || truths[1].Box != (detect.Box{X: .1, Y: .2, W: .3, H: .4}) {
		t.Errorf("got %+v", truths)
	}
	if _, exists, err := readLabels(filepath.Join(dir, "missing.txt")); exists || err != nil {
		t.Errorf("missing file: exists=%v err=%v", exists, err)
	}
}

// TestLabelLines: one line per box, the best class above thresh (first on
// ties), "%d %2.4f %2.4f %2.4f %2.4f" as Darknet writes them.
func TestLabelLines(t *testing.T) {
	dets := []detect.Detection{
		{Box: detect.Box{X: 0.123456, Y: 0.5, W: 0.03125, H: 1}, Prob: []float32{0.3, 0.9, 0.9}},
		{Box: detect.Box{X: 0.1, Y: 0.1, W: 0.1, H: 0.1}, Prob: []float32{0.2, 0.25, 0}},
		{Box: detect.Box{X: 0.99995, Y: 0.00005, W: 0.5, H: 0.5}, Prob: []float32{0.26, 0, 0}},
	}
	got := string(labelLines(dets, 0.25))
	want := "1 0.1235 0.5000 0.0312 1.0000\n0 0.9999 0.0000 0.5000 0.5000\n"
	// float32(0.99995) and float32(0.00005) lie just below the decimal
	// halves and 0.03125 is an exact half (to even): C rounds the same.
	if got != want {
		t.Errorf("got\n%swant\n%s", got, want)
	}
}

// TestSaveLabelsCLI runs -save_labels on a copy of a golden image: the file
// appears beside it with one line per reported object, a second run is
// refused (exit 2) without touching it, -overwrite_labels replaces it.
func TestSaveLabelsCLI(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join(goldenDir(t), "map", "images", "s5.stb.png"))
	if err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(dir, "s5.stb.png")
	os.WriteFile(img, src, 0o644)
	code, out, errs := runCmd("-save_labels", "-dont_show", "-q", img)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lp := filepath.Join(dir, "s5.stb.txt")
	b, err := os.ReadFile(lp)
	if err != nil {
		t.Fatal(err)
	}
	objects := strings.Count(out, "face:")
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if objects == 0 || len(lines) != objects {
		t.Fatalf("%d objects reported, label file has %d lines:\n%s", objects, len(lines), b)
	}
	for _, l := range lines {
		if f := strings.Fields(l); len(f) != 5 || f[0] != "0" || len(f[1]) != 6 {
			t.Errorf("label line %q is not \"0 x.xxxx y.yyyy w.wwww h.hhhh\"", l)
		}
	}
	os.WriteFile(lp, []byte("keep"), 0o644)
	if code, _, errs := runCmd("-save_labels", img); code != 2 || !strings.Contains(errs, "-overwrite_labels") {
		t.Errorf("second run: exit %d, stderr %q; want 2 and a hint at -overwrite_labels", code, errs)
	}
	if b, _ := os.ReadFile(lp); string(b) != "keep" {
		t.Error("the refused run changed the label file")
	}
	if code, _, errs := runCmd("-save_labels", "-overwrite_labels", img); code != 0 {
		t.Fatalf("-overwrite_labels: exit %d: %s", code, errs)
	}
	if b, _ := os.ReadFile(lp); len(strings.Split(strings.TrimSpace(string(b)), "\n")) != objects {
		t.Errorf("-overwrite_labels wrote %q", b)
	}
	if code, _, _ := runCmd("-overwrite_labels", img); code != 2 {
		t.Errorf("-overwrite_labels alone: exit %d, want 2", code)
	}
}
