package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"

	"github.com/darkgo/darkgo/cfg"
	"github.com/darkgo/darkgo/engine/detect"
	"github.com/darkgo/darkgo/engine/detect/mapeval"
)

// Darknet's detector map fixes these: every detection above 0.005 after
// NMS at 0.45 is ranked.
const (
	mapDetectThresh = 0.005
	mapNMS          = 0.45
)

func checkMap(o *options) error {
	if len(o.inputs) > 0 {
		return usagef("unexpected argument %q: -map takes its images from its .data file, list or directory", o.inputs[0])
	}
	if err := onlyFlags(o, "-map", "map", "names", "json", "thresh", "iou_thresh", "points", "letter_box", "q", "exact"); err != nil {
		return err
	}
	if o.points < 0 || o.points == 1 {
		return usagef("-points %d: want 0 (area under the curve), 11 (VOC2007), 101 (COCO) or another count >= 2", o.points)
	}
	if !(o.iouThresh > 0 && o.iouThresh < 1) {
		return usagef("-iou_thresh %g: want an IoU in (0, 1)", o.iouThresh)
	}
	if o.thresh < 0 || o.thresh >= 1 {
		return usagef("-thresh %g: want a probability in [0, 1)", o.thresh)
	}
	return nil
}

// runMap is Darknet's `detector map`: detect on every validation image,
// match against its YOLO labels, print the AP table and the summary lines.
func runMap(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	mi, err := resolveMapInputs(o.mapSpec)
	if err != nil {
		return err
	}
	m, err := loadModel(o, true, stderr)
	if err != nil {
		return err
	}
	if m.classes == 0 {
		return fmt.Errorf("%w (-map needs a detector)", m.net.IsDetector())
	}
	if o.names == "" && mi.names != "" {
		b, err := os.ReadFile(mi.names)
		if err != nil {
			return fmt.Errorf("%s: names=: %w", o.mapSpec, err)
		}
		m.names = cfg.ParseNames(b)
	}
	if len(m.names) > 0 && len(m.names) != m.classes {
		fmt.Fprintf(stderr, "warning: %d class names but %s predicts %d classes\n", len(m.names), m.name, m.classes)
	}
	if mi.classes > 0 && mi.classes != m.classes {
		fmt.Fprintf(stderr, "warning: %s says classes=%d but %s predicts %d classes; the network's count is used\n",
			o.mapSpec, mi.classes, m.name, m.classes)
	}
	if o.verbose {
		printVersion(stderr, m, o.threads)
	}
	set, err := collectMap(ctx, o, m, mi.images, stderr)
	if err != nil {
		return err
	}
	r, err := set.Evaluate(mapeval.Options{IoUThresh: float32(o.iouThresh), Points: o.points, Thresh: float32(o.thresh)})
	if err != nil {
		return err
	}
	coco := set.COCOMAP()
	bw := bufio.NewWriter(stdout)
	if o.json {
		b, err := json.Marshal(mapJSON(r, coco, m, set.Images()))
		if err != nil {
			return err
		}
		bw.Write(b)
		bw.WriteString("\n")
	} else {
		writeMapText(bw, r, coco, m)
	}
	return bw.Flush()
}

// collectMap detects on every image as Darknet's detector map does (the
// stored pixels, thresh 0.005, NMS 0.45 of the cfg's kind, letterbox as
// the cfg or -letter_box says) and adds the detections with the image's
// labels to a mapeval.Set. Any unreadable image or label file stops the
// evaluation: a score over part of the set would mislead.
func collectMap(ctx context.Context, o *options, m *model, images []string, stderr io.Writer) (*mapeval.Set, error) {
	set, err := mapeval.NewSet(m.classes)
	if err != nil {
		return nil, err
	}
	det, err := newDetector(m.net, o.threads)
	if err != nil {
		return nil, err
	}
	det.thresh, det.hier, det.nms = mapDetectThresh, 0.5, mapNMS
	det.letter = m.net.LetterBox || o.letterBox
	inputs := make([]input, len(images))
	for i, p := range images {
		inputs[i] = input{path: p}
	}
	dec := &decoder{w: m.net.Input.W, h: m.net.Input.H, c: m.net.Input.C, letter: det.letter, darknetPixels: true}
	ctx2, cancel := context.WithCancel(ctx)
	defer cancel()
	prog := &progress{w: stderr, on: len(images) > 1 && isTerminal(stderr)}
	defer prog.clear()
	missing := 0
	for r := range dec.start(ctx2, inputs) {
		prog.show(r.idx+1, len(inputs), r.path)
		if r.err != nil {
			return nil, r.err
		}
		w, h := r.img.Bounds().Dx(), r.img.Bounds().Dy()
		dets, _, _, err := det.run(ctx, r.tensor, w, h)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.path, err)
		}
		lp := labelPath(r.path)
		truths, exists, err := readLabels(lp)
		if err != nil {
			return nil, err
		}
		if !exists {
			missing++
			if missing <= 10 {
				prog.clear()
				fmt.Fprintf(stderr, "warning: no label file %s for %s: counted as an image without objects\n", lp, r.path)
			}
		}
		if err := set.Add(dets, truths); err != nil {
			return nil, fmt.Errorf("%s: %w", lp, err)
		}
	}
	if ctx.Err() != nil {
		return nil, &failedError{fmt.Sprintf("interrupted after %d of %d images", set.Images(), len(images))}
	}
	if missing > 10 {
		fmt.Fprintf(stderr, "warning: %d images have no label file\n", missing)
	}
	return set, nil
}

// writeMapText prints Darknet's detector map report, line for line the
// format validate_detector_map prints (without its progress and
// layer-loading noise), then darkgo's two extra lines: how many classes had
// no ground truth and COCO-style mAP@[.50:.05:.95].
func writeMapText(w io.Writer, r *mapeval.Result, coco float64, m *model) {
	f := func(v float64, prec int) string { return detect.CFloat(v, prec) }
	fmt.Fprintf(w, "\n calculation mAP (mean average precision)...\n")
	fmt.Fprintf(w, "\n detections_count = %d, unique_truth_count = %d  \n", r.Detections, r.GroundTruth)
	for _, c := range r.Classes {
		fmt.Fprintf(w, "class_id = %d, name = %s, ap = %s%%   \t (TP = %d, FP = %d) \n",
			c.Class, m.className(c.Class), f(c.AP*100, 2), c.TP, c.FP)
	}
	th := f(float64(r.Thresh), 2)
	fmt.Fprintf(w, "\n for conf_thresh = %s, precision = %s, recall = %s, F1-score = %s \n",
		th, f(float64(r.Precision), 2), f(float64(r.Recall), 2), f(float64(r.F1), 2))
	fmt.Fprintf(w, " for conf_thresh = %s, TP = %d, FP = %d, FN = %d, average IoU = %s %% \n",
		th, r.TP, r.FP, r.FN, f(float64(r.AverageIoU*100), 2))
	fmt.Fprintf(w, "\n IoU threshold = %s %%, ", f(float64(r.IoUThresh*100), 0))
	if r.Points > 0 {
		fmt.Fprintf(w, "used %d Recall-points \n", r.Points)
	} else {
		fmt.Fprintf(w, "used Area-Under-Curve for each unique Recall \n")
	}
	fmt.Fprintf(w, " mean average precision (mAP@%s) = %s, or %s %% \n",
		f(float64(r.IoUThresh), 2), f(r.MAP, 6), f(r.MAP*100, 2))
	if r.NoTruthClasses > 0 {
		fmt.Fprintf(w, " note: %d of the %d classes have no ground truth; as in Darknet they count as AP 0 in the mean\n",
			r.NoTruthClasses, len(r.Classes))
	}
	fmt.Fprintf(w, " COCO-style mAP@[.50:.05:.95] (101 recall points, mean over all %d classes) = %s, or %s %% \n",
		len(r.Classes), f(coco, 6), f(coco*100, 2))
}

// jsonNumber is a float32 fraction in -map's JSON: shortest float32
// representation, null when undefined (NaN, from 0/0).
type jsonNumber float32

func (v jsonNumber) MarshalJSON() ([]byte, error) {
	if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, float64(v), 'g', -1, 32), nil
}

type jsonMapClass struct {
	ClassID     int     `json:"class_id"`
	Name        string  `json:"name"`
	AP          float64 `json:"ap"`
	TP          int     `json:"tp"`
	FP          int     `json:"fp"`
	GroundTruth int     `json:"ground_truth"`
}

type jsonMap struct {
	MAP            float64        `json:"map"`
	IoUThresh      jsonNumber     `json:"iou_thresh"`
	Points         int            `json:"points"`
	Thresh         jsonNumber     `json:"thresh"`
	Classes        []jsonMapClass `json:"classes"`
	Precision      jsonNumber     `json:"precision"`
	Recall         jsonNumber     `json:"recall"`
	F1             jsonNumber     `json:"f1"`
	TP             int            `json:"tp"`
	FP             int            `json:"fp"`
	FN             int            `json:"fn"`
	AverageIoU     jsonNumber     `json:"average_iou"`
	Detections     int            `json:"detections"`
	GroundTruth    int            `json:"ground_truth"`
	NoTruthClasses int            `json:"no_truth_classes"`
	Images         int            `json:"images"`
	MAP5095        float64        `json:"map_50_95"`
}

// mapJSON is -map -json's object: the numbers of the text report as
// fractions (not percents).
func mapJSON(r *mapeval.Result, coco float64, m *model, images int) jsonMap {
	j := jsonMap{MAP: r.MAP, IoUThresh: jsonNumber(r.IoUThresh), Points: r.Points, Thresh: jsonNumber(r.Thresh),
		Precision: jsonNumber(r.Precision), Recall: jsonNumber(r.Recall), F1: jsonNumber(r.F1),
		TP: r.TP, FP: r.FP, FN: r.FN, AverageIoU: jsonNumber(r.AverageIoU),
		Detections: r.Detections, GroundTruth: r.GroundTruth, NoTruthClasses: r.NoTruthClasses, Images: images, MAP5095: coco}
	for _, c := range r.Classes {
		j.Classes = append(j.Classes, jsonMapClass{ClassID: c.Class, Name: m.className(c.Class), AP: c.AP, TP: c.TP, FP: c.FP, GroundTruth: c.GroundTruth})
	}
	return j
}
