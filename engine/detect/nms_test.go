package detect

import (
	"math"
	"math/rand"
	"slices"
	"testing"
)

func TestIoUValues(t *testing.T) {
	a := Box{0.5, 0.5, 0.2, 0.2}
	for _, c := range []struct {
		b    Box
		want float32
	}{
		{a, 1},
		{Box{0.6, 0.5, 0.2, 0.2}, 0.02 / 0.06},
		{Box{0.9, 0.9, 0.1, 0.1}, 0},
		{Box{0.5, 0.5, 0.1, 0.1}, 0.25},
	} {
		if got := IoU(a, c.b); math.Abs(float64(got-c.want)) > 1e-6 {
			t.Errorf("IoU(%v, %v) = %g, want %g", a, c.b, got, c.want)
		}
	}
	// DIoU of concentric boxes equals IoU (no centre distance).
	if d, i := DIoU(a, Box{0.5, 0.5, 0.1, 0.1}), IoU(a, Box{0.5, 0.5, 0.1, 0.1}); d != i {
		t.Errorf("concentric DIoU %g != IoU %g", d, i)
	}
	// Distant centres lower DIoU below IoU.
	b := Box{0.6, 0.5, 0.2, 0.2}
	if !(DIoU(a, b) < IoU(a, b)) || !(DIoUBeta(a, b, 0.6) < IoU(a, b)) {
		t.Error("DIoU should be below IoU for offset boxes")
	}
}

func randBox(rng *rand.Rand) Box {
	b := Box{rng.Float32(), rng.Float32(), rng.Float32() * 0.4, rng.Float32() * 0.4}
	switch rng.Intn(60) {
	case 0:
		b.W = float32(math.NaN())
	case 1:
		b.H = float32(math.Inf(1))
	case 2:
		b.W = 0
	case 3:
		b.X = -b.X
	}
	return b
}

func newCand(b Box) candidate {
	return candidate{l: b.X - b.W/2, r: b.X + b.W/2, t: b.Y - b.H/2, b: b.Y + b.H/2, area: b.W * b.H, box: b}
}

// TestCandidateIoUBitExact: the precomputed-edge IoU is IoU bit for bit,
// NaN and Inf included.
func TestCandidateIoUBitExact(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for i := 0; i < 200000; i++ {
		a, b := randBox(rng), randBox(rng)
		ca, cb := newCand(a), newCand(b)
		got, want := ca.iou(&cb), IoU(a, b)
		if math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
			t.Fatalf("IoU(%v, %v): candidate %g, IoU %g", a, b, got, want)
		}
	}
}

// refNMS is do_nms_sort / diounms_sort written literally: a stable sort of
// the whole structs per class and the full double loop.
func refNMS(dets []Detection, classes int, thresh float32, kind NMSKind, beta float32, diou bool) {
	k := len(dets) - 1
	for i := 0; i <= k; i++ {
		if dets[i].Objectness == 0 {
			dets[i], dets[k] = dets[k], dets[i]
			k--
			i--
		}
	}
	total := k + 1
	for c := 0; c < classes; c++ {
		slices.SortStableFunc(dets[:total], func(a, b Detection) int {
			d := a.Prob[c] - b.Prob[c]
			if d < 0 {
				return 1
			} else if d > 0 {
				return -1
			}
			return 0
		})
		for i := 0; i < total; i++ {
			if dets[i].Prob[c] == 0 {
				continue
			}
			a := dets[i].Box
			for j := i + 1; j < total; j++ {
				b := dets[j].Box
				if !diou {
					if IoU(a, b) > thresh {
						dets[j].Prob[c] = 0
					}
					continue
				}
				if IoU(a, b) > thresh && kind == CornersNMS {
					dets[j].Prob[c] = 0
				} else if DIoU(a, b) > thresh && kind == GreedyNMS {
					dets[j].Prob[c] = 0
				} else if DIoUBeta(a, b, beta) > thresh && kind == DIoUNMS {
					dets[j].Prob[c] = 0
				}
			}
		}
	}
}

func randDets(rng *rand.Rand, n, classes int) []Detection {
	dets := make([]Detection, n)
	for i := range dets {
		d := &dets[i]
		d.Box = randBox(rng)
		d.Objectness = rng.Float32()
		if rng.Intn(10) == 0 {
			d.Objectness = 0
		}
		d.Prob = make([]float32, classes)
		for c := range d.Prob {
			if rng.Intn(3) == 0 {
				// Coarse values make ties, which test sort stability.
				d.Prob[c] = float32(1+rng.Intn(8)) / 8
			}
		}
		d.Uncertainty[0] = float32(i) // identity tag
	}
	return dets
}

func cloneDets(d []Detection) []Detection {
	out := make([]Detection, len(d))
	for i := range d {
		out[i] = d[i]
		out[i].Prob = slices.Clone(d[i].Prob)
	}
	return out
}

// TestNMSMatchesLiteral: the indexed, index-sorting implementation leaves
// exactly the array the literal transcription of Darknet's loops leaves,
// for every kind, with ties, zero objectness, NaN/Inf boxes and a negative
// threshold (which disables the overlap index).
func TestNMSMatchesLiteral(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	for iter := 0; iter < 60; iter++ {
		n := 1 + rng.Intn(300)
		classes := 1 + rng.Intn(5)
		dets := randDets(rng, n, classes)
		thresh := []float32{0.45, 0.1, 0, -0.2, 0.7}[iter%5]
		for _, kind := range []NMSKind{DefaultNMS, GreedyNMS, DIoUNMS, CornersNMS} {
			got, want := cloneDets(dets), cloneDets(dets)
			NMS(got, classes, thresh, kind, 0.6)
			refNMS(want, classes, thresh, kind, 0.6, kind != DefaultNMS)
			for i := range got {
				if got[i].Uncertainty[0] != want[i].Uncertainty[0] {
					t.Fatalf("iter %d kind %v thresh %g: position %d holds det %g, Darknet order has %g",
						iter, kind, thresh, i, got[i].Uncertainty[0], want[i].Uncertainty[0])
				}
				if !slices.Equal(got[i].Prob, want[i].Prob) {
					t.Fatalf("iter %d kind %v thresh %g: det %g probs %v, want %v",
						iter, kind, thresh, got[i].Uncertainty[0], got[i].Prob, want[i].Prob)
				}
			}
		}
	}
}

func TestParseNMSKind(t *testing.T) {
	for _, c := range []struct {
		s    string
		g    bool
		want NMSKind
	}{
		{"", false, DefaultNMS}, {"default", false, DefaultNMS}, {"greedynms", false, GreedyNMS},
		{"diounms", true, DIoUNMS}, {"cornersnms", false, DefaultNMS}, {"cornersnms", true, CornersNMS},
		{"bogus", false, DefaultNMS},
	} {
		if got := ParseNMSKind(c.s, c.g); got != c.want {
			t.Errorf("ParseNMSKind(%q, %v) = %v, want %v", c.s, c.g, got, c.want)
		}
	}
}
