package mapeval

import (
	"math"
	"math/rand"
	"sort"
	"testing"

	"github.com/darkgo/darkgo/engine/detect"
)

// refImage is one image of a test set.
type refImage struct {
	dets   []detect.Detection
	truths []Truth
}

// refResult is what the literal reference computes.
type refResult struct {
	ap                    []float64
	mAP                   float64
	tp, fp                int
	classTP, classFP      []int
	avgIoU                float32
	precision, recall, f1 float32
	detections            int
}

// darknetReference is validate_detector_map transcribed step by step, with
// the full precision/recall table per class and rank (O(ranks × classes)),
// as the independent reference for the compact Set.
func darknetReference(images []refImage, classes int, o Options) refResult {
	type boxProb struct {
		p          float32
		class      int
		truthFlag  bool
		uniqueTI   int
		imageIndex int
	}
	var dets []boxProb
	truthCount := make([]int, classes)
	unique := 0
	var avgIoU float32
	r := refResult{classTP: make([]int, classes), classFP: make([]int, classes)}
	for img, im := range images {
		for _, t := range im.truths {
			truthCount[t.Class]++
		}
		checkpoint := len(dets)
		for _, d := range im.dets {
			for c := 0; c < classes; c++ {
				p := d.Prob[c]
				if !(p > 0) {
					continue
				}
				ti, maxIoU := -1, float32(0)
				for j, t := range im.truths {
					iou := detect.IoU(d.Box, t.Box)
					if iou > o.IoUThresh && c == t.Class && iou > maxIoU {
						maxIoU, ti = iou, unique+j
					}
				}
				dets = append(dets, boxProb{p: p, class: c, truthFlag: ti > -1, uniqueTI: ti, imageIndex: img})
				if p > o.Thresh {
					found := false
					for z := checkpoint; z < len(dets)-1; z++ {
						if dets[z].uniqueTI == ti {
							found = true
							break
						}
					}
					if ti > -1 && !found {
						avgIoU += maxIoU
						r.tp++
						r.classTP[c]++
					} else {
						r.fp++
						r.classFP[c]++
					}
				}
			}
		}
		unique += len(im.truths)
	}
	if r.tp+r.fp > 0 {
		avgIoU = avgIoU / float32(r.tp+r.fp)
	}
	r.avgIoU = avgIoU
	sort.SliceStable(dets, func(a, b int) bool { return dets[a].p > dets[b].p })
	n := len(dets)
	r.detections = n
	type pr struct {
		precision, recall float64
		tp, fp            int
	}
	table := make([][]pr, classes)
	for c := range table {
		table[c] = make([]pr, n)
	}
	flags := make([]bool, unique)
	for rank := 0; rank < n; rank++ {
		if rank > 0 {
			for c := range table {
				table[c][rank].tp, table[c][rank].fp = table[c][rank-1].tp, table[c][rank-1].fp
			}
		}
		d := dets[rank]
		if d.truthFlag && !flags[d.uniqueTI] {
			flags[d.uniqueTI] = true
			table[d.class][rank].tp++
		} else {
			table[d.class][rank].fp++
		}
		for c := range table {
			e := &table[c][rank]
			fn := truthCount[c] - e.tp
			if e.tp+e.fp > 0 {
				e.precision = float64(e.tp) / float64(e.tp+e.fp)
			}
			if e.tp+fn > 0 {
				e.recall = float64(e.tp) / float64(e.tp+fn)
			}
		}
	}
	r.ap = make([]float64, classes)
	for c := range table {
		ap := 0.0
		if n == 0 {
			r.ap[c] = 0
			continue
		}
		if o.Points == 0 {
			lastR, lastP := table[c][n-1].recall, table[c][n-1].precision
			for rank := n - 2; rank >= 0; rank-- {
				delta := lastR - table[c][rank].recall
				lastR = table[c][rank].recall
				if table[c][rank].precision > lastP {
					lastP = table[c][rank].precision
				}
				ap += delta * lastP
			}
			ap += (lastR - 0) * lastP
		} else {
			for point := 0; point < o.Points; point++ {
				cur := float64(point) * 1.0 / float64(o.Points-1)
				best := 0.0
				for rank := 0; rank < n; rank++ {
					if table[c][rank].recall >= cur && table[c][rank].precision > best {
						best = table[c][rank].precision
					}
				}
				ap += best
			}
			ap /= float64(o.Points)
		}
		r.ap[c] = ap
		r.mAP += ap
	}
	r.mAP /= float64(classes)
	tp, fp := float32(r.tp), float32(r.fp)
	r.precision = tp / (tp + fp)
	r.recall = tp / (tp + float32(unique-r.tp))
	r.f1 = float32(2*r.precision*r.recall) / (r.precision + r.recall)
	return r
}

// randomSet makes a validation set whose detections are jittered copies of
// the truths plus random boxes, with probabilities from a small pool so
// that ties are frequent.
func randomSet(rng *rand.Rand, classes int) []refImage {
	pool := []float32{0.9, 0.6, 0.5, 0.3, 0.25, 0.2, 0.1, 0.01}
	images := make([]refImage, 1+rng.Intn(6))
	box := func() detect.Box {
		return detect.Box{X: rng.Float32(), Y: rng.Float32(), W: 0.05 + 0.4*rng.Float32(), H: 0.05 + 0.4*rng.Float32()}
	}
	for i := range images {
		im := &images[i]
		for k := rng.Intn(5); k > 0; k-- {
			im.truths = append(im.truths, Truth{Class: rng.Intn(classes), Box: box()})
		}
		for k := rng.Intn(12); k > 0; k-- {
			d := detect.Detection{Box: box(), Objectness: 1, Prob: make([]float32, classes)}
			if len(im.truths) > 0 && rng.Intn(3) > 0 {
				t := im.truths[rng.Intn(len(im.truths))]
				j := func() float32 { return (rng.Float32() - 0.5) * 0.1 }
				d.Box = detect.Box{X: t.Box.X + j(), Y: t.Box.Y + j(), W: t.Box.W * (1 + j()), H: t.Box.H * (1 + j())}
				d.Prob[t.Class] = pool[rng.Intn(len(pool))]
			}
			for c := range d.Prob {
				if rng.Intn(3) == 0 {
					if rng.Intn(2) == 0 {
						d.Prob[c] = pool[rng.Intn(len(pool))]
					} else {
						d.Prob[c] = rng.Float32()
					}
				}
			}
			im.dets = append(im.dets, d)
		}
	}
	return images
}

// TestEvaluateMatchesReference compares Set.Evaluate bit for bit with the
// literal transcription of Darknet's algorithm on random sets, for every
// point count, several IoU and confidence thresholds, and COCOMAP with the
// reference averaged the same way.
func TestEvaluateMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for iter := 0; iter < 300; iter++ {
		classes := 1 + rng.Intn(4)
		images := randomSet(rng, classes)
		s, err := NewSet(classes)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range images {
			if err := s.Add(im.dets, im.truths); err != nil {
				t.Fatal(err)
			}
		}
		for _, o := range []Options{
			{IoUThresh: 0.5, Points: 0, Thresh: 0.25}, {IoUThresh: 0.5, Points: 11, Thresh: 0.25},
			{IoUThresh: 0.5, Points: 101, Thresh: 0.5}, {IoUThresh: 0.75, Points: 0, Thresh: 0.1},
			{IoUThresh: 0.3, Points: 7, Thresh: 0},
		} {
			want := darknetReference(images, classes, o)
			got, err := s.Evaluate(o)
			if err != nil {
				t.Fatal(err)
			}
			same := func(a, b float32) bool { return a == b || (a != a && b != b) }
			if got.MAP != want.mAP || got.TP != want.tp || got.FP != want.fp || got.AverageIoU != want.avgIoU ||
				!same(got.Precision, want.precision) || !same(got.Recall, want.recall) || !same(got.F1, want.f1) ||
				got.Detections != want.detections {
				t.Fatalf("iter %d %+v: got mAP %v TP %d FP %d IoU %v P/R/F1 %v/%v/%v n %d, reference %v %d %d %v %v/%v/%v %d",
					iter, o, got.MAP, got.TP, got.FP, got.AverageIoU, got.Precision, got.Recall, got.F1, got.Detections,
					want.mAP, want.tp, want.fp, want.avgIoU, want.precision, want.recall, want.f1, want.detections)
			}
			for c := range got.Classes {
				g := got.Classes[c]
				if g.AP != want.ap[c] || g.TP != want.classTP[c] || g.FP != want.classFP[c] {
					t.Fatalf("iter %d %+v class %d: AP %v TP %d FP %d, reference %v %d %d", iter, o, c, g.AP, g.TP, g.FP, want.ap[c], want.classTP[c], want.classFP[c])
				}
			}
		}
		coco := 0.0
		for _, th := range COCOThresholds {
			coco += darknetReference(images, classes, Options{IoUThresh: th, Points: 101, Thresh: 0.25}).mAP
		}
		coco /= float64(len(COCOThresholds))
		if got := s.COCOMAP(); got != coco {
			t.Fatalf("iter %d: COCOMAP %v, reference %v", iter, got, coco)
		}
	}
}

// TestEvaluateByHand checks one small case worked out on paper: truths A
// and B; detections 0.9 on A, 0.8 on nothing, 0.7 on B. Precision/recall
// down the ranking: (1, 1/2), (1/2, 1/2), (2/3, 1).
func TestEvaluateByHand(t *testing.T) {
	a := detect.Box{X: 0.25, Y: 0.25, W: 0.2, H: 0.2}
	b := detect.Box{X: 0.75, Y: 0.75, W: 0.2, H: 0.2}
	far := detect.Box{X: 0.25, Y: 0.75, W: 0.2, H: 0.2}
	det := func(bx detect.Box, p float32) detect.Detection {
		return detect.Detection{Box: bx, Objectness: 1, Prob: []float32{p, 0}}
	}
	s, _ := NewSet(2)
	if err := s.Add([]detect.Detection{det(a, 0.9), det(far, 0.8), det(b, 0.7)}, []Truth{{0, a}, {0, b}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		points int
		ap     float64
	}{
		{0, 0.5*(2.0/3) + 0.5*1},       // recall 1/2..1 at 2/3, 0..1/2 at 1
		{11, (6*1.0 + 5*(2.0/3)) / 11}, // levels 0-0.5 reach precision 1, 0.6-1 only 2/3
		{101, (51*1.0 + 50*(2.0/3)) / 101},
	} {
		r, err := s.Evaluate(Options{IoUThresh: 0.5, Points: c.points, Thresh: 0.75})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(r.Classes[0].AP-c.ap) > 1e-12 {
			t.Errorf("points %d: AP %v, want %v", c.points, r.Classes[0].AP, c.ap)
		}
		if math.Abs(r.MAP-c.ap/2) > 1e-12 || r.NoTruthClasses != 1 {
			t.Errorf("points %d: mAP %v (want %v: class 1 has no truth and counts 0), no-truth classes %d", c.points, r.MAP, c.ap/2, r.NoTruthClasses)
		}
		// At thresh 0.75: 0.9 is a TP (IoU 1 up to float rounding), 0.8 an FP,
		// 0.7 below.
		if r.TP != 1 || r.FP != 1 || r.FN != 1 || math.Abs(float64(r.AverageIoU)-0.5) > 1e-6 || r.Precision != 0.5 || r.Recall != 0.5 {
			t.Errorf("points %d: TP %d FP %d FN %d avg IoU %v P %v R %v, want 1 1 1 0.5 0.5 0.5", c.points, r.TP, r.FP, r.FN, r.AverageIoU, r.Precision, r.Recall)
		}
	}
	if err := s.Add(nil, []Truth{{2, a}}); err == nil {
		t.Error("a label of class 2 in a 2-class set was accepted")
	}
	if _, err := s.Evaluate(Options{IoUThresh: 0.5, Points: 1}); err == nil {
		t.Error("1 recall point was accepted")
	}
}

// BenchmarkEvaluate scores a set the size of the golden yolov4-tiny run:
// 10 images × 2535 boxes × 40 non-zero classes (~1M ranked detections),
// 8 truths per image.
func BenchmarkEvaluate(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	const classes = 80
	s, _ := NewSet(classes)
	for img := 0; img < 10; img++ {
		var truths []Truth
		for k := 0; k < 8; k++ {
			truths = append(truths, Truth{Class: rng.Intn(classes), Box: detect.Box{X: rng.Float32(), Y: rng.Float32(), W: 0.2, H: 0.2}})
		}
		dets := make([]detect.Detection, 2535)
		for i := range dets {
			dets[i] = detect.Detection{Box: detect.Box{X: rng.Float32(), Y: rng.Float32(), W: 0.1 + 0.3*rng.Float32(), H: 0.1 + 0.3*rng.Float32()}, Prob: make([]float32, classes)}
			for c := 0; c < classes; c += 2 {
				dets[i].Prob[c] = 0.005 + 0.5*rng.Float32()
			}
		}
		if err := s.Add(dets, truths); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("Evaluate", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := s.Evaluate(DefaultOptions()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("COCOMAP", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			s.COCOMAP()
		}
	})
}
