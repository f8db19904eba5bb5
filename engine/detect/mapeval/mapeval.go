// Package mapeval computes detection accuracy the way Darknet's
// `detector map` (src/detector.c, validate_detector_map) does: per-class
// average precision from the ranked detections of a whole validation set,
// the mean over all classes, and precision, recall, F1, TP/FP/FN and
// average IoU at a confidence threshold.
//
// Darknet's rules, reproduced here operation for operation:
//
//   - every (box, class) with a non-zero probability after NMS is one
//     detection; it matches the ground-truth box of its class, in its
//     image, with the largest IoU above the IoU threshold (the first such
//     box on ties);
//   - detections are ranked by probability (stable: equal probabilities
//     keep the order they were added in); down the ranking, a detection is
//     a true positive if it matches a ground truth no earlier detection
//     took, else a false positive;
//   - AP is the area under the interpolated precision/recall curve at every
//     distinct recall (Points 0), or the mean interpolated precision at 11
//     (VOC2007) or 101 (COCO) recall points;
//   - the mean is over ALL classes, those without ground truth counting as
//     AP 0;
//   - at the confidence threshold, a detection above it is a TP if it
//     matches a ground truth that no earlier detection of the same image
//     (above the threshold or not) matched, else an FP.
//
// A Set holds the detections once; Evaluate can then be called with any
// IoU threshold, point count or confidence threshold.
package mapeval

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/darkgo/darkgo/engine/detect"
)

// Truth is one ground-truth box of an image: a YOLO label line, the box
// relative to the image (centre and size).
type Truth struct {
	Class int
	Box   detect.Box
}

// entry is one (box, class) detection.
type entry struct {
	p     float32 // class probability
	class int32
	truth int32   // global index of the best-matching truth of its class, -1 if none overlaps
	iou   float32 // IoU with that truth
}

// Set accumulates the detections and ground truths of a validation set,
// image by image.
type Set struct {
	classes    int
	entries    []entry
	images     []int // entries[images[i]:images[i+1]] belong to image i
	truthClass []int32
	truthCount []int // per class

	ranked []entry // entries ranked by probability, made on first use
}

// NewSet returns an empty Set for a network with the given number of
// classes.
func NewSet(classes int) (*Set, error) {
	if classes <= 0 {
		return nil, fmt.Errorf("mapeval: %d classes: want at least 1", classes)
	}
	return &Set{classes: classes, truthCount: make([]int, classes), images: []int{0}}, nil
}

// Classes is the number of classes of the Set.
func (s *Set) Classes() int { return s.classes }

// Images is the number of images added.
func (s *Set) Images() int { return len(s.images) - 1 }

// Add records one image: its detections after NMS, in Darknet's array
// order, and its ground truth. A truth whose class is outside [0, classes)
// is an error (Darknet would write out of bounds); the image is then not
// added.
func (s *Set) Add(dets []detect.Detection, truths []Truth) error {
	for i, t := range truths {
		if t.Class < 0 || t.Class >= s.classes {
			return fmt.Errorf("label %d has class %d, the network has classes 0..%d", i+1, t.Class, s.classes-1)
		}
	}
	base := int32(len(s.truthClass))
	for _, d := range dets {
		for c, p := range d.Prob[:min(len(d.Prob), s.classes)] {
			if !(p > 0) {
				continue
			}
			e := entry{p: p, class: int32(c), truth: -1}
			// The best same-class truth: Darknet keeps the first truth with
			// the largest IoU (strictly larger replaces). Whether it counts
			// depends on the IoU threshold, applied in Evaluate.
			for j, t := range truths {
				if t.Class != c {
					continue
				}
				if iou := detect.IoU(d.Box, t.Box); iou > e.iou {
					e.iou, e.truth = iou, base+int32(j)
				}
			}
			s.entries = append(s.entries, e)
		}
	}
	for _, t := range truths {
		s.truthClass = append(s.truthClass, int32(t.Class))
		s.truthCount[t.Class]++
	}
	s.images = append(s.images, len(s.entries))
	s.ranked = nil
	return nil
}

// Options choose how Evaluate scores the Set. The zero value is not valid:
// use DefaultOptions and change fields.
type Options struct {
	IoUThresh float32 // a detection matches a truth with IoU above this (Darknet's -iou_thresh, 0.5)
	Points    int     // 0: area under the curve; else that many recall points (11, 101)
	Thresh    float32 // confidence threshold of the P/R/F1 line (Darknet's -thresh, 0.25)
}

// DefaultOptions are `darknet detector map`'s defaults.
func DefaultOptions() Options { return Options{IoUThresh: 0.5, Points: 0, Thresh: 0.25} }

func (o Options) check() error {
	if !(o.IoUThresh >= 0 && o.IoUThresh < 1) {
		return fmt.Errorf("mapeval: IoU threshold %g: want [0, 1)", o.IoUThresh)
	}
	if o.Points < 0 || o.Points == 1 {
		return fmt.Errorf("mapeval: %d recall points: want 0 (area under the curve) or at least 2", o.Points)
	}
	if math.IsNaN(float64(o.Thresh)) {
		return errors.New("mapeval: the confidence threshold is NaN")
	}
	return nil
}

// ClassResult is one class's line of Darknet's report.
type ClassResult struct {
	Class       int
	AP          float64 // average precision, a fraction
	TP, FP      int     // at the confidence threshold
	GroundTruth int
	Detections  int // ranked detections of the class (all probabilities)
}

// Result is what `darknet detector map` prints, as numbers. Precision,
// Recall and F1 are float32 as Darknet computes them and are NaN when
// their denominators are 0 (Darknet prints -nan).
type Result struct {
	Options
	Classes []ClassResult
	MAP     float64 // mean AP over all classes

	Precision, Recall, F1 float32 // at Thresh
	TP, FP, FN            int     // at Thresh
	AverageIoU            float32 // mean IoU of the TPs over TP+FP (0 if none)

	Detections  int // all ranked detections
	GroundTruth int // all truth boxes
	// NoTruthClasses is the number of classes without any ground truth;
	// they count as AP 0 in MAP.
	NoTruthClasses int
}

// Evaluate scores the Set.
func (s *Set) Evaluate(o Options) (*Result, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	r := &Result{Options: o, Classes: make([]ClassResult, s.classes), Detections: len(s.entries), GroundTruth: len(s.truthClass)}
	for c := range r.Classes {
		r.Classes[c] = ClassResult{Class: c, GroundTruth: s.truthCount[c]}
		if s.truthCount[c] == 0 {
			r.NoTruthClasses++
		}
	}
	s.thresholdCounts(r)
	ap := s.averagePrecision(o.IoUThresh, o.Points, r.Classes)
	for c := range r.Classes {
		r.Classes[c].AP = ap[c]
		r.MAP += ap[c]
	}
	r.MAP /= float64(s.classes)
	return r, nil
}

// COCOThresholds are the IoU thresholds of COCO's AP@[.50:.05:.95].
var COCOThresholds = []float32{0.50, 0.55, 0.60, 0.65, 0.70, 0.75, 0.80, 0.85, 0.90, 0.95}

// COCOMAP is COCO-style AP@[.50:.05:.95]: the mean over the ten IoU
// thresholds of the 101-recall-point mAP, each mean taken over ALL classes
// like Darknet's mAP (classes without ground truth count as 0; COCO's own
// tool leaves them out).
func (s *Set) COCOMAP() float64 {
	total := 0.0
	for _, t := range COCOThresholds {
		ap := s.averagePrecision(t, 101, nil)
		m := 0.0
		for _, v := range ap {
			m += v
		}
		total += m / float64(s.classes)
	}
	return total / float64(len(COCOThresholds))
}

// matched is the truth a detection counts for at IoU threshold t, or -1.
func (e *entry) matched(t float32) int32 {
	if e.truth >= 0 && e.iou > t {
		return e.truth
	}
	return -1
}

// thresholdCounts fills the confidence-threshold numbers of r, image by
// image in the order the detections were added, as Darknet counts them
// while it collects the detections.
func (s *Set) thresholdCounts(r *Result) {
	var sumIoU float32
	seen := map[int32]bool{}
	for img := 0; img+1 < len(s.images); img++ {
		clear(seen)
		for _, e := range s.entries[s.images[img]:s.images[img+1]] {
			t := e.matched(r.IoUThresh)
			if e.p > r.Thresh {
				// "found": an earlier detection of this image (any
				// probability) already has this truth.
				if t >= 0 && !seen[t] {
					sumIoU += e.iou
					r.TP++
					r.Classes[e.class].TP++
				} else {
					r.FP++
					r.Classes[e.class].FP++
				}
			}
			seen[t] = true
		}
	}
	r.FN = r.GroundTruth - r.TP
	if n := r.TP + r.FP; n > 0 {
		r.AverageIoU = sumIoU / float32(n)
	}
	tp, fp := float32(r.TP), float32(r.FP)
	r.Precision = tp / (tp + fp)
	r.Recall = tp / (tp + float32(r.GroundTruth-r.TP))
	r.F1 = float32(2*r.Precision*r.Recall) / (r.Precision + r.Recall)
	// 0/0 above is NaN at run time, as in Darknet (which prints -nan).
}

// ranking returns the detections ordered by probability, highest first;
// equal probabilities keep their insertion order (glibc's qsort, which
// Darknet calls, is a stable merge sort). The ranked copy is kept: scoring
// walks it once per IoU threshold, and walking a copy in order is several
// times faster than following a permutation through 1M entries.
func (s *Set) ranking() []entry {
	if s.ranked == nil {
		order := make([]int32, len(s.entries))
		for i := range order {
			order[i] = int32(i)
		}
		slices.SortStableFunc(order, func(a, b int32) int { return detect.ByProbDesc(s.entries[a].p, s.entries[b].p) })
		s.ranked = make([]entry, len(order))
		for i, o := range order {
			s.ranked[i] = s.entries[o]
		}
	}
	return s.ranked
}

// prPoint is Darknet's pr_t: precision and recall of one class after a
// rank.
type prPoint struct{ precision, recall float64 }

// averagePrecision computes every class's AP at IoU threshold t with the
// given number of recall points (0: area under the curve). If cr is not
// nil, it also stores each class's detection count there.
//
// Darknet keeps a precision/recall pair per class for EVERY rank; a class's
// pair only changes at its own detections, and the repeated pairs add
// exactly 0 to both AP formulas, so each class keeps only its own points,
// plus the (0, 0) pair Darknet has for the ranks before the class's first
// detection.
func (s *Set) averagePrecision(t float32, points int, cr []ClassResult) []float64 {
	ranked := s.ranking()
	// One backing array for all curves: each class needs at most its
	// detection count plus the leading (0, 0) point.
	count := make([]int, s.classes)
	for i := range s.entries {
		count[s.entries[i].class]++
	}
	backing := make([]prPoint, len(s.entries)+s.classes)
	curves := make([][]prPoint, s.classes)
	off := 0
	for c, n := range count {
		curves[c] = backing[off : off : off+n+1]
		off += n + 1
	}
	tp := make([]int, s.classes)
	fp := make([]int, s.classes)
	taken := make([]bool, len(s.truthClass))
	for rank := range ranked {
		e := &ranked[rank]
		c := e.class
		if m := e.matched(t); m >= 0 && !taken[m] {
			taken[m] = true
			tp[c]++
		} else {
			fp[c]++
		}
		if len(curves[c]) == 0 && rank > 0 {
			curves[c] = append(curves[c], prPoint{})
		}
		var p prPoint
		if n := tp[c] + fp[c]; n > 0 {
			p.precision = float64(tp[c]) / float64(n)
		}
		if n := s.truthCount[c]; n > 0 { // tp + fn
			p.recall = float64(tp[c]) / float64(n)
		}
		curves[c] = append(curves[c], p)
	}
	ap := make([]float64, s.classes)
	for c, curve := range curves {
		if cr != nil {
			cr[c].Detections = tp[c] + fp[c]
		}
		if len(curve) == 0 {
			continue // Darknet's curve is all zeros: AP 0
		}
		if points == 0 {
			ap[c] = areaUnderCurve(curve)
		} else {
			ap[c] = interpolated(curve, points)
		}
	}
	return ap
}

// areaUnderCurve is Darknet's -points 0 AP: from the last rank back to the
// first, each drop in recall times the highest precision seen so far at or
// after it, then the remaining recall down to 0 at that precision.
func areaUnderCurve(curve []prPoint) float64 {
	last := curve[len(curve)-1]
	lastRecall, lastPrecision := last.recall, last.precision
	ap := 0.0
	for i := len(curve) - 2; i >= 0; i-- {
		delta := lastRecall - curve[i].recall
		lastRecall = curve[i].recall
		if curve[i].precision > lastPrecision {
			lastPrecision = curve[i].precision
		}
		ap += delta * lastPrecision
	}
	ap += lastRecall * lastPrecision
	return ap
}

// interpolated is Darknet's -points N AP: the mean over recall levels
// 0, 1/(N-1), ..., 1 of the highest precision at any rank whose recall
// reaches the level. Recall never decreases down the ranking, so the ranks
// that reach a level are a suffix of the curve: one pass of suffix maxima
// answers every level.
func interpolated(curve []prPoint, points int) float64 {
	best := make([]float64, len(curve)+1) // best[i]: max precision of curve[i:]
	for i := len(curve) - 1; i >= 0; i-- {
		best[i] = max(best[i+1], curve[i].precision)
	}
	ap := 0.0
	i := 0
	for k := 0; k < points; k++ {
		level := float64(k) * 1.0 / float64(points-1)
		for i < len(curve) && curve[i].recall < level {
			i++
		}
		ap += best[i]
	}
	return ap / float64(points)
}
