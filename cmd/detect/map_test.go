package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/darkgo/darkgo/engine/detect/mapeval"
	"github.com/darkgo/darkgo/engine/preprocess"
)

// mapReport holds the numbers of one `detector map` report, as printed.
type mapReport struct {
	detections, truths int
	classes            []mapClassLine
	precision, recall  string
	f1                 string
	tp, fp, fn         int
	avgIoU             string
	iouLine            string
	mAP, mAPPercent    string
}

type mapClassLine struct {
	id       int
	name, ap string
	tp, fp   int
}

var (
	reCounts  = regexp.MustCompile(`detections_count = (\d+), unique_truth_count = (\d+)`)
	reClass   = regexp.MustCompile(`class_id = (\d+), name = ([^,]*), ap = ([-\w.]+)%\s+\t \(TP = (\d+), FP = (\d+)\)`)
	rePRF     = regexp.MustCompile(`for conf_thresh = [\d.]+, precision = ([-\w.]+), recall = ([-\w.]+), F1-score = ([-\w.]+)`)
	reTPFP    = regexp.MustCompile(`for conf_thresh = [\d.]+, TP = (\d+), FP = (\d+), FN = (\d+), average IoU = ([-\w.]+) %`)
	reIoULine = regexp.MustCompile(`IoU threshold = [^\n]*`)
	reMAP     = regexp.MustCompile(`mean average precision \(mAP@([\d.]+)\) = ([\d.]+), or ([\d.]+) %`)
)

// parseMapReport reads Darknet's (or darkgo's) report. Darknet's stdout is
// interleaved with "rank = ..." progress and, once, stderr's "Total
// Detection Time", which are removed first.
func parseMapReport(t *testing.T, text string) mapReport {
	t.Helper()
	text = regexp.MustCompile(`Total Detection Time: \d+ Seconds\n`).ReplaceAllString(text, "")
	atoi := func(s string) int {
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var r mapReport
	m := reCounts.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no detections_count line in\n%s", text)
	}
	r.detections, r.truths = atoi(m[1]), atoi(m[2])
	for _, m := range reClass.FindAllStringSubmatch(text, -1) {
		r.classes = append(r.classes, mapClassLine{atoi(m[1]), m[2], m[3], atoi(m[4]), atoi(m[5])})
	}
	if m = rePRF.FindStringSubmatch(text); m == nil {
		t.Fatalf("no precision line in\n%s", text)
	}
	r.precision, r.recall, r.f1 = m[1], m[2], m[3]
	if m = reTPFP.FindStringSubmatch(text); m == nil {
		t.Fatalf("no TP/FP line in\n%s", text)
	}
	r.tp, r.fp, r.fn, r.avgIoU = atoi(m[1]), atoi(m[2]), atoi(m[3]), m[4]
	r.iouLine = strings.TrimSpace(reIoULine.FindString(text))
	if m = reMAP.FindStringSubmatch(text); m == nil {
		t.Fatalf("no mAP line in\n%s", text)
	}
	r.mAP, r.mAPPercent = m[2], m[3]
	return r
}

// mapVariants are the flag sets of the golden map runs.
var mapVariants = []struct {
	name string
	opts mapeval.Options
}{
	{"default", mapeval.Options{IoUThresh: 0.5, Points: 0, Thresh: 0.25}},
	{"points11", mapeval.Options{IoUThresh: 0.5, Points: 11, Thresh: 0.25}},
	{"points101", mapeval.Options{IoUThresh: 0.5, Points: 101, Thresh: 0.25}},
	{"iou75", mapeval.Options{IoUThresh: 0.75, Points: 0, Thresh: 0.25}},
	{"thresh50", mapeval.Options{IoUThresh: 0.5, Points: 0, Thresh: 0.5}},
}

// mapGoldenDir lays out golden map/images with ext (jpg or stb.png) and
// the set's labels under the names Darknet looks for (x.jpg -> x.txt,
// x.stb.png -> x.stb.txt), and returns the images in sorted order.
func mapGoldenDir(t *testing.T, set, ext string) []string {
	t.Helper()
	root := filepath.Join(goldenDir(t), "map")
	imgs, err := filepath.Glob(filepath.Join(root, "images", "*."+ext))
	if err != nil || len(imgs) != 10 {
		t.Fatalf("want 10 golden .%s images, found %d (%v)", ext, len(imgs), err)
	}
	dir := t.TempDir()
	var out []string
	for _, src := range imgs {
		base := strings.TrimSuffix(filepath.Base(src), "."+ext)
		dst := filepath.Join(dir, filepath.Base(src))
		if err := os.Symlink(src, dst); err != nil {
			t.Fatal(err)
		}
		lab, err := os.ReadFile(filepath.Join(root, "labels-"+set, base+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(labelPath(dst), lab, 0o644); err != nil {
			t.Fatal(err)
		}
		out = append(out, dst)
	}
	return out
}

// jpegIsSTBExact reports whether darkgo decodes every golden JPEG to
// exactly stb_image's pixels (the .stb.png beside it).
func jpegIsSTBExact(t *testing.T) bool {
	t.Helper()
	imgs, _ := filepath.Glob(filepath.Join(goldenDir(t), "map", "images", "*.jpg"))
	for _, j := range imgs {
		a, _, err := readImage(j, true)
		if err != nil {
			t.Fatal(err)
		}
		b, _, err := readImage(strings.TrimSuffix(j, ".jpg")+".stb.png", true)
		if err != nil {
			t.Fatal(err)
		}
		fa, fb := preprocess.FromImage(a), preprocess.FromImage(b)
		if fa.W != fb.W || fa.H != fb.H {
			return false
		}
		for i := range fa.Data {
			if fa.Data[i] != fb.Data[i] {
				return false
			}
		}
	}
	return true
}

// TestMapMatchesDarknet compares -map's report with Darknet's detector map
// on the golden sets: the bundled face model and random-weight yolov4-tiny,
// each on the .stb.png images (stb_image's pixels) and on the JPEGs, with
// the five golden flag sets. The detections are collected once per set and
// scored five times.
//
// Face: every printed number must be equal. yolov4-tiny's random weights
// put ~500k class probabilities in a narrow band around 0.25
// (objectness ≈ 0.5 × class ≈ 0.5), the -thresh of the TP/FP line, and
// nearly equal scores into NMS; a last-bit difference between darkgo's and
// Darknet's float arithmetic (Darknet is built with -Ofast and FMA) moves
// a few of them across: measured 2 of 995 720 detections and 1 of 513 239
// false positives. So the counts there may differ by a few and everything
// else - every AP, P/R/F1, average IoU, mAP - must be equal. The face JPEG
// set is held to the same rules when darkgo's JPEG decoder gives
// stb_image's pixels, and checked loosely (mAP within 2 points) otherwise;
// the yolov4-tiny JPEG set is skipped (see below).
func TestMapMatchesDarknet(t *testing.T) {
	exactJPEG := jpegIsSTBExact(t)
	if !exactJPEG {
		t.Log("darkgo's JPEG pixels differ from stb_image's: the JPEG sets are checked loosely")
	}
	y4t := filepath.Join(goldenDir(t), "full", "yolov4-tiny")
	for _, c := range []struct {
		set, ext string
		o        options
		slack    int // allowed count difference (see above)
	}{
		{"face", "stb.png", options{}, 0},
		{"face", "jpg", options{}, 0},
		{"yolov4-tiny", "stb.png", options{cfg: filepath.Join(y4t, "model.cfg"), weights: filepath.Join(y4t, "model.weights.gz")}, 3},
		{"yolov4-tiny", "jpg", options{cfg: filepath.Join(y4t, "model.cfg"), weights: filepath.Join(y4t, "model.weights.gz")}, 3},
	} {
		ext := strings.TrimPrefix(c.ext, "stb.")
		t.Run(c.set+"."+ext, func(t *testing.T) {
			strict := ext == "png" || exactJPEG
			if ext == "jpg" && c.set != "face" {
				// yolov4-tiny's 1M detections cost seconds of NMS, and the
				// run would repeat the .stb.png one: with stb-exact JPEG
				// decoding (checked above) the network sees the same
				// pixels, and the face JPEG set covers the JPEG path.
				t.Skipf("JPEG pixels identical to the .stb.png set: %v; covered by the png run and the face JPEG set", exactJPEG)
			}
			images := mapGoldenDir(t, c.set, c.ext)
			o := c.o
			m, err := loadModel(&o, true, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			set, err := collectMap(context.Background(), &o, m, images, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			coco := set.COCOMAP()
			for _, v := range mapVariants {
				t.Run(v.name, func(t *testing.T) {
					want, err := os.ReadFile(filepath.Join(goldenDir(t), "map", c.set+"."+ext+"."+v.name+".txt"))
					if err != nil {
						t.Fatal(err)
					}
					r, err := set.Evaluate(v.opts)
					if err != nil {
						t.Fatal(err)
					}
					var buf bytes.Buffer
					writeMapText(&buf, r, coco, m)
					compareMapReports(t, parseMapReport(t, buf.String()), parseMapReport(t, string(want)), c.slack, strict)
				})
			}
		})
	}
}

func compareMapReports(t *testing.T, got, want mapReport, slack int, strict bool) {
	t.Helper()
	if !strict {
		g, _ := strconv.ParseFloat(got.mAP, 64)
		w, _ := strconv.ParseFloat(want.mAP, 64)
		if d := g - w; d > 0.02 || d < -0.02 {
			t.Errorf("mAP %s, Darknet %s (loose check: JPEG pixels differ)", got.mAP, want.mAP)
		}
		return
	}
	near := func(what string, g, w int) {
		if d := g - w; d > slack || d < -slack {
			t.Errorf("%s = %d, Darknet %d (allowed difference %d)", what, g, w, slack)
		}
	}
	near("detections_count", got.detections, want.detections)
	if got.truths != want.truths {
		t.Errorf("unique_truth_count = %d, Darknet %d", got.truths, want.truths)
	}
	if len(got.classes) != len(want.classes) {
		t.Fatalf("%d class lines, Darknet %d", len(got.classes), len(want.classes))
	}
	for i, g := range got.classes {
		w := want.classes[i]
		if g.id != w.id || g.name != w.name || g.ap != w.ap || g.tp != w.tp {
			t.Errorf("class line %d: %+v, Darknet %+v", i, g, w)
		}
		near("class "+w.name+" FP", g.fp, w.fp)
	}
	if got.precision != want.precision || got.recall != want.recall || got.f1 != want.f1 {
		t.Errorf("precision/recall/F1 %s/%s/%s, Darknet %s/%s/%s", got.precision, got.recall, got.f1, want.precision, want.recall, want.f1)
	}
	if got.tp != want.tp || got.fn != want.fn || got.avgIoU != want.avgIoU {
		t.Errorf("TP/FN/avg IoU %d/%d/%s, Darknet %d/%d/%s", got.tp, got.fn, got.avgIoU, want.tp, want.fn, want.avgIoU)
	}
	near("FP", got.fp, want.fp)
	if got.iouLine != want.iouLine {
		t.Errorf("%q, Darknet %q", got.iouLine, want.iouLine)
	}
	if got.mAP != want.mAP || got.mAPPercent != want.mAPPercent {
		t.Errorf("mAP %s (%s %%), Darknet %s (%s %%)", got.mAP, got.mAPPercent, want.mAP, want.mAPPercent)
	}
}

// TestMapCLI runs `detect -map obj.data` end to end on the face .stb.png
// set: a .data file (valid= a list, names=), Darknet's display flags
// accepted, the text report and the -json object.
func TestMapCLI(t *testing.T) {
	images := mapGoldenDir(t, "face", "stb.png")
	dir := filepath.Dir(images[0])
	os.WriteFile(filepath.Join(dir, "valid.txt"), []byte(strings.Join(images, "\n")+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "obj.names"), []byte("face\n"), 0o644)
	data := filepath.Join(dir, "obj.data")
	os.WriteFile(data, []byte("classes = 1\nvalid = "+filepath.Join(dir, "valid.txt")+"\nnames = "+filepath.Join(dir, "obj.names")+"\nbackup = backup/\n"), 0o644)
	want, err := os.ReadFile(filepath.Join(goldenDir(t), "map", "face.png.points11.txt"))
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCmd("-map", data, "-points", "11", "-dont_show", "-mjpeg_port", "8090")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	compareMapReports(t, parseMapReport(t, out), parseMapReport(t, string(want)), 0, true)
	if !strings.Contains(out, "COCO-style mAP@[.50:.05:.95]") {
		t.Errorf("no COCO line in\n%s", out)
	}
	code, out, errs = runCmd("-map", dir, "-json", "-iou_thresh", "0.75")
	if code != 0 {
		t.Fatalf("-json on a directory: exit %d: %s", code, errs)
	}
	var j jsonMap
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	wantIoU := parseMapReport(t, readGolden(t, "face.png.iou75.txt"))
	if got := strconv.FormatFloat(j.MAP, 'f', 6, 64); got != wantIoU.mAP || j.GroundTruth != wantIoU.truths ||
		j.Detections != wantIoU.detections || j.TP != wantIoU.tp || j.FP != wantIoU.fp || len(j.Classes) != 1 ||
		j.Classes[0].Name != "face" || j.Points != 0 || j.IoUThresh != 0.75 || j.Images != 10 || !(j.MAP5095 > 0 && j.MAP5095 < j.MAP) {
		t.Errorf("JSON %s does not match Darknet's %+v", out, wantIoU)
	}
	for _, bad := range [][]string{
		{"-map", data, "photo.jpg"}, {"-map", data, "-points", "1"}, {"-map", data, "-iou_thresh", "1.5"}, {"-map", data, "-ext_output"},
	} {
		if code, _, _ := runCmd(bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)", bad, code)
		}
	}
	if code, _, errs := runCmd("-map", filepath.Join(dir, "nothing.data")); code != 1 || !strings.Contains(errs, "nothing.data") {
		t.Errorf("missing .data: exit %d, %q", code, errs)
	}
}

func readGolden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(goldenDir(t), "map", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestMapBadLabels: a label of a class the network does not have stops
// the run with an error naming the label file (Darknet would write out of
// bounds); an image without a label file is counted as having no objects,
// with a warning.
func TestMapBadLabels(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join(goldenDir(t), "map", "images", "s5_small.stb.png"))
	if err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(dir, "a.png")
	os.WriteFile(img, src, 0o644)
	list := filepath.Join(dir, "list.txt")
	os.WriteFile(list, []byte("a.png\n"), 0o644) // relative to the list's directory
	code, out, errs := runCmd("-map", list)
	if code != 0 || !strings.Contains(errs, "no label file "+filepath.Join(dir, "a.txt")) || !strings.Contains(out, "unique_truth_count = 0") {
		t.Errorf("no labels: exit %d, stderr %q, stdout %q", code, errs, out)
	}
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("0 0.5 0.5 0.2 0.2\n5 0.5 0.5 0.1 0.1\n"), 0o644)
	code, _, errs = runCmd("-map", list)
	if code != 1 || !strings.Contains(errs, "a.txt") || !strings.Contains(errs, "class 5") {
		t.Errorf("class 5 in a 1-class set: exit %d, stderr %q", code, errs)
	}
}
