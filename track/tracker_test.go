package track

import (
	"math"
	"math/rand/v2"
	"testing"
)

// mover is a synthetic object moving at constant velocity.
type mover struct {
	x, y, w, h, vx, vy float64
	class              int
}

func (m mover) at(frame int) Detection {
	f := float64(frame)
	return Detection{Box: Box{X: m.x + m.vx*f, Y: m.y + m.vy*f, W: m.w, H: m.h}, Class: m.class}
}

func newTracker(t *testing.T, o Options) *Tracker {
	t.Helper()
	tr, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// run feeds frames 0..n-1, where visible(obj, frame) says whether object
// obj is detected; it returns ids[frame][obj] (-1 when not detected).
// Detections are given in a shuffled order so that matching cannot lean on
// the order.
func run(t *testing.T, tr *Tracker, objs []mover, n int, visible func(obj, frame int) bool) [][]int {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, uint64(n)))
	out := make([][]int, n)
	for f := range n {
		var dets []Detection
		var who []int
		for o, m := range objs {
			if visible == nil || visible(o, f) {
				dets = append(dets, m.at(f))
				who = append(who, o)
			}
		}
		rng.Shuffle(len(dets), func(i, j int) { dets[i], dets[j] = dets[j], dets[i]; who[i], who[j] = who[j], who[i] })
		ids := tr.Update(dets)
		if len(ids) != len(dets) {
			t.Fatalf("frame %d: %d ids for %d detections", f, len(ids), len(dets))
		}
		out[f] = make([]int, len(objs))
		for o := range out[f] {
			out[f][o] = -1
		}
		for i, o := range who {
			out[f][o] = ids[i]
		}
	}
	return out
}

// checkStable asserts that every object keeps one ID, distinct from the
// others', on every frame it is detected from frame `from` on, except on
// frames where two objects' boxes are identical: there no tracker can tell
// them apart, and only the frames after matter.
func checkStable(t *testing.T, objs []mover, ids [][]int, from int) {
	t.Helper()
	first := make(map[int]int) // object -> id
	owner := make(map[int]int) // id -> object
	for f := from; f < len(ids); f++ {
		if coincide(objs, f) {
			continue
		}
		for o, id := range ids[f] {
			if id < 0 {
				continue
			}
			if id == 0 {
				t.Fatalf("frame %d object %d: no ID", f, o)
			}
			if want, ok := first[o]; ok && id != want {
				t.Fatalf("frame %d object %d: ID %d, was %d", f, o, id, want)
			}
			if other, ok := owner[id]; ok && other != o {
				t.Fatalf("frame %d: ID %d given to object %d and %d", f, id, other, o)
			}
			first[o], owner[id] = id, o
		}
	}
}

func coincide(objs []mover, f int) bool {
	for i := range objs {
		for j := range i {
			if objs[i].at(f) == objs[j].at(f) {
				return true
			}
		}
	}
	return false
}

func TestIDsAfterMinHitsDenseAndDeterministic(t *testing.T) {
	objs := []mover{
		{x: 10, y: 10, w: 40, h: 80, vx: 3},
		{x: 300, y: 10, w: 40, h: 80, vx: -2, vy: 1},
		{x: 10, y: 300, w: 60, h: 30, vy: -2, class: 1},
	}
	for _, minHits := range []int{1, 3, 5} {
		o := DefaultOptions()
		o.MinHits = minHits
		ids := run(t, newTracker(t, o), objs, 30, nil)
		for f := range minHits - 1 {
			for obj, id := range ids[f] {
				if id != 0 {
					t.Errorf("MinHits %d frame %d object %d: ID %d before confirmation", minHits, f, obj, id)
				}
			}
		}
		checkStable(t, objs, ids, minHits-1)
		seen := map[int]bool{}
		for _, id := range ids[minHits-1] {
			seen[id] = true
		}
		if !seen[1] || !seen[2] || !seen[3] {
			t.Errorf("MinHits %d: IDs %v, want 1, 2, 3", minHits, ids[minHits-1])
		}
		again := run(t, newTracker(t, o), objs, 30, nil)
		for f := range ids {
			for obj := range ids[f] {
				if ids[f][obj] != again[f][obj] {
					t.Fatalf("MinHits %d: a second run gives different IDs at frame %d", minHits, f)
				}
			}
		}
	}
}

func TestFlickerConsumesNoID(t *testing.T) {
	tr := newTracker(t, DefaultOptions())
	real := mover{x: 0, y: 0, w: 50, h: 50, vx: 2}
	for f := range 20 {
		dets := []Detection{real.at(f)}
		if f%4 == 1 { // a one-frame false positive somewhere else
			dets = append(dets, Detection{Box: Box{X: 400 + float64(f)*30, Y: 400, W: 20, H: 20}})
		}
		ids := tr.Update(dets)
		if f >= 2 && ids[0] != 1 {
			t.Fatalf("frame %d: real object has ID %d, want 1", f, ids[0])
		}
		if len(ids) > 1 && ids[1] != 0 {
			t.Fatalf("frame %d: one-frame detection got ID %d", f, ids[1])
		}
	}
	if n := len(tr.Tracks()); n != 1 {
		t.Errorf("%d confirmed tracks, want 1", n)
	}
	if n := len(tr.tracks); n > 2 {
		t.Errorf("%d tracks kept: tentative tracks must be dropped on a miss", n)
	}
}

func TestIntermittentNeverConfirmed(t *testing.T) {
	tr := newTracker(t, DefaultOptions()) // MinHits 3: consecutive hits
	m := mover{x: 0, y: 0, w: 50, h: 50, vx: 1}
	for f := range 30 {
		var dets []Detection
		if f%3 != 2 { // two frames on, one off
			dets = append(dets, m.at(f))
		}
		for _, id := range tr.Update(dets) {
			if id != 0 {
				t.Fatalf("frame %d: ID %d for a detection never seen 3 frames in a row", f, id)
			}
		}
	}
}

func TestCoastingAreaStaysPositive(t *testing.T) {
	k := newKalman(measurement(Box{W: 30, H: 30}))
	for w := 29.0; w >= 1; w-- { // shrinking by ~60 px² a frame
		k.predict()
		k.update(measurement(Box{W: w, H: w}))
	}
	for range 100 {
		k.predict()
		if k.x[2] < 0 {
			t.Fatalf("coasting area %v < 0", k.x[2])
		}
	}
	for _, s := range []float64{-5, 0, 1e-300} {
		if b := boxOf(0, 0, s, 1); !finiteBox(b) {
			t.Errorf("boxOf(area %v) = %+v", s, b)
		}
	}
	if b := boxOf(0, 0, 100, -1); !finiteBox(b) {
		t.Errorf("boxOf(ratio -1) = %+v", b)
	}
}

func TestOcclusionShorterThanTTLKeepsID(t *testing.T) {
	objs := []mover{
		{x: 0, y: 0, w: 40, h: 40, vx: 4, vy: 1},
		{x: 500, y: 100, w: 80, h: 40, vx: -3},
		{x: 0, y: 300, w: 30, h: 60, vx: 2, vy: -1},
	}
	for _, ttl := range []int{1, 5, 30} {
		o := DefaultOptions()
		o.TTL = ttl
		// Object 0 vanishes for exactly TTL frames, object 2 for TTL/2+1.
		gap0, gap2 := ttl, ttl/2+1
		ids := run(t, newTracker(t, o), objs, 20+ttl+10, func(obj, f int) bool {
			switch obj {
			case 0:
				return f < 20 || f >= 20+gap0
			case 2:
				return f < 15 || f >= 15+gap2
			}
			return true
		})
		checkStable(t, objs, ids, 2)
	}
}

func TestExpiresAfterTTL(t *testing.T) {
	o := DefaultOptions()
	o.TTL = 4
	tr := newTracker(t, o)
	m := mover{x: 0, y: 0, w: 40, h: 40, vx: 2}
	for f := range 10 {
		tr.Update([]Detection{m.at(f)})
	}
	for f := 10; f < 10+o.TTL; f++ {
		tr.Update(nil)
		if got := tr.Tracks(); len(got) != 1 || got[0].Missed != f-9 {
			t.Fatalf("frame %d: tracks %+v, want one missed %d times", f, got, f-9)
		}
	}
	tr.Update(nil) // the TTL+1st miss
	if got := tr.Tracks(); len(got) != 0 {
		t.Fatalf("after TTL+1 misses: tracks %+v, want none", got)
	}
	// It comes back where constant velocity puts it, but its track is gone:
	// a new one is confirmed after MinHits frames with the next ID.
	var ids []int
	for f := 15; f < 15+o.MinHits; f++ {
		ids = tr.Update([]Detection{m.at(f)})
	}
	if ids[0] != 2 {
		t.Errorf("reappearing object: ID %d, want a new ID 2", ids[0])
	}
}

func TestCrossingKeepsIDs(t *testing.T) {
	cases := []struct {
		name    string
		objs    []mover
		visible func(obj, f int) bool
	}{
		{"head-on, same line", []mover{
			{x: 0, y: 100, w: 40, h: 80, vx: 5},
			{x: 400, y: 100, w: 40, h: 80, vx: -5},
		}, nil}, // the boxes coincide at frame 40
		{"head-on, never coinciding", []mover{
			{x: 0, y: 100, w: 40, h: 80, vx: 5},
			{x: 403, y: 100, w: 40, h: 80, vx: -5},
		}, nil},
		{"X crossing", []mover{
			{x: 0, y: 0, w: 50, h: 50, vx: 4, vy: 4},
			{x: 320, y: 0, w: 50, h: 50, vx: -4, vy: 4},
		}, nil},
		{"overtaking", []mover{
			{x: 0, y: 100, w: 40, h: 80, vx: 6},
			{x: 100, y: 110, w: 40, h: 80, vx: 2},
		}, nil},
		{"different sizes", []mover{
			{x: 0, y: 100, w: 100, h: 200, vx: 5},
			{x: 400, y: 150, w: 40, h: 80, vx: -5},
		}, nil},
		{"hidden behind for 5 frames", []mover{
			{x: 0, y: 100, w: 40, h: 80, vx: 5},
			{x: 400, y: 100, w: 40, h: 80, vx: -5},
		}, func(obj, f int) bool { return obj == 0 || f < 38 || f > 42 }},
		{"hidden behind for 25 frames", []mover{
			{x: 0, y: 100, w: 40, h: 80, vx: 5},
			{x: 400, y: 100, w: 40, h: 80, vx: -5},
		}, func(obj, f int) bool { return obj == 0 || f < 28 || f > 52 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ids := run(t, newTracker(t, DefaultOptions()), c.objs, 80, c.visible)
			checkStable(t, c.objs, ids, 2)
		})
	}
}

// TestMergedWhileCrossing: while two objects cross, the detector sees one
// box around both for 10 frames; both keep their IDs. (For 16 frames at this
// speed one of them comes out with a new ID: a documented failure mode.)
func TestMergedWhileCrossing(t *testing.T) {
	tr := newTracker(t, DefaultOptions())
	objs := []mover{{x: 0, y: 100, w: 40, h: 80, vx: 5}, {x: 400, y: 100, w: 40, h: 80, vx: -5}}
	var want []int
	for f := range 90 {
		da, db := objs[0].at(f), objs[1].at(f)
		dets := []Detection{da, db}
		if f >= 35 && f < 45 {
			x0 := min(da.Box.X, db.Box.X)
			x1 := max(da.Box.X+da.Box.W, db.Box.X+db.Box.W)
			dets = []Detection{{Box: Box{X: x0, Y: 100, W: x1 - x0, H: 80}}}
		}
		ids := tr.Update(dets)
		switch {
		case f == 10:
			want = ids
		case f > 10 && len(ids) == 2 && (ids[0] != want[0] || ids[1] != want[1]):
			t.Fatalf("frame %d: IDs %v, were %v", f, ids, want)
		}
	}
}

// TestSpeedLimit pins the documented limit: a new track starts with zero
// velocity, so its second detection must overlap its first by MinIoU; for a
// 40-pixel box at MinIoU 0.3 that is (40-v)/(40+v) >= 0.3, v <= 21.5 px.
func TestSpeedLimit(t *testing.T) {
	for _, c := range []struct {
		v       float64
		tracked bool
	}{{5, true}, {21, true}, {22, false}} {
		objs := []mover{{x: 0, y: 0, w: 40, h: 40, vx: c.v}}
		ids := run(t, newTracker(t, DefaultOptions()), objs, 20, nil)
		if c.tracked {
			checkStable(t, objs, ids, 2)
		} else if ids[19][0] != 0 {
			t.Errorf("v %v: ID %d, expected the tracker to lose it", c.v, ids[19][0])
		}
	}
}

func TestClassesAreNotMatchedAcross(t *testing.T) {
	o := DefaultOptions()
	o.MinHits = 1
	tr := newTracker(t, o)
	b := Box{X: 10, Y: 10, W: 50, H: 50}
	a := tr.Update([]Detection{{Box: b, Class: 0}})
	c := tr.Update([]Detection{{Box: b, Class: 1}})
	if a[0] != 1 || c[0] != 2 {
		t.Errorf("same box, class 0 then 1: IDs %d, %d, want 1, 2", a[0], c[0])
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	for _, o := range []Options{
		{TTL: -1, MinHits: 1, MinIoU: 0.3},
		{TTL: 1, MinHits: 0, MinIoU: 0.3},
		{TTL: 1, MinHits: 1, MinIoU: 0},
		{TTL: 1, MinHits: 1, MinIoU: 1.5},
		{TTL: 1, MinHits: 1, MinIoU: math.NaN()},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

func finiteBox(b Box) bool {
	for _, v := range [4]float64{b.X, b.Y, b.W, b.H} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return b.W > 0 && b.H > 0
}

func TestDegenerateBoxes(t *testing.T) {
	o := DefaultOptions()
	o.MinHits = 1
	tr := newTracker(t, o)
	inf, nan := math.Inf(1), math.NaN()
	bad := []Box{
		{X: nan, Y: 0, W: 10, H: 10}, {X: 0, Y: 0, W: inf, H: 10}, {X: -inf, Y: 0, W: 1, H: 1},
		{X: 0, Y: 0, W: -5, H: 10}, {X: 1e300, Y: 0, W: 1e300, H: 1e300},
	}
	ids := tr.Update([]Detection{
		{Box: bad[0]}, {Box: bad[1]}, {Box: bad[2]}, {Box: bad[3]}, {Box: bad[4]},
		{Box: Box{X: 5, Y: 5, W: 0, H: 20}}, // zero width: tracked
		{Box: Box{X: 50, Y: 5, W: 0, H: 0}}, // a point: tracked
	})
	for i := range bad {
		if ids[i] != 0 {
			t.Errorf("untrackable box %+v got ID %d", bad[i], ids[i])
		}
	}
	if ids[5] == 0 || ids[6] == 0 {
		t.Errorf("zero-size boxes not tracked: %v", ids)
	}
	// Shrinking to nothing and beyond: the area extrapolates below zero.
	for f := range 40 {
		w := math.Max(0, 30-float64(f))
		tr.Update([]Detection{{Box: Box{X: 200, Y: 200, W: w, H: w}}})
		for _, trk := range tr.Tracks() {
			if !finiteBox(trk.Box) {
				t.Fatalf("frame %d: track box %+v", f, trk.Box)
			}
		}
	}
	for range 50 {
		tr.Update(nil)
		for _, trk := range tr.Tracks() {
			if !finiteBox(trk.Box) {
				t.Fatalf("coasting track box %+v", trk.Box)
			}
		}
	}
}

// TestRandomInputNeverBreaks feeds random boxes, including extreme and
// invalid values, and checks the invariants: one ID per detection, no ID
// twice in a frame, finite positive track boxes.
func TestRandomInputNeverBreaks(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	values := []float64{0, -1, 1, 1e-300, 1e-7, 1e7, -1e7, 1e8, math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat64}
	pick := func() float64 {
		if rng.IntN(4) == 0 {
			return values[rng.IntN(len(values))]
		}
		return rng.Float64() * 500
	}
	o := DefaultOptions()
	o.MinHits, o.TTL = 1+rng.IntN(3), 3
	tr := newTracker(t, o)
	for f := range 500 {
		dets := make([]Detection, rng.IntN(12))
		for i := range dets {
			dets[i] = Detection{Box: Box{pick(), pick(), pick(), pick()}, Class: rng.IntN(3) - 1}
		}
		ids := tr.Update(dets)
		if len(ids) != len(dets) {
			t.Fatalf("frame %d: %d ids for %d detections", f, len(ids), len(dets))
		}
		seen := map[int]bool{}
		for _, id := range ids {
			if id != 0 && seen[id] {
				t.Fatalf("frame %d: ID %d twice in %v", f, id, ids)
			}
			seen[id] = true
		}
		for _, trk := range tr.Tracks() {
			if !finiteBox(trk.Box) {
				t.Fatalf("frame %d: track box %+v", f, trk.Box)
			}
		}
	}
}

func TestKalmanLearnsVelocity(t *testing.T) {
	m := mover{x: 10, y: 20, w: 30, h: 60, vx: 3, vy: -2}
	k := newKalman(measurement(m.at(0).Box))
	for f := 1; f < 30; f++ {
		k.predict()
		k.update(measurement(m.at(f).Box))
	}
	k.predict()
	want := m.at(30).Box
	got := k.box()
	if math.Abs(got.X-want.X) > 0.5 || math.Abs(got.Y-want.Y) > 0.5 || math.Abs(got.W-want.W) > 0.5 || math.Abs(got.H-want.H) > 0.5 {
		t.Errorf("prediction for frame 30: %+v, want %+v", got, want)
	}
	if math.Abs(k.x[4]-m.vx) > 0.1 || math.Abs(k.x[5]-m.vy) > 0.1 {
		t.Errorf("velocity %v, %v, want %v, %v", k.x[4], k.x[5], m.vx, m.vy)
	}
}

func TestIoU(t *testing.T) {
	a := Box{0, 0, 10, 10}
	for _, c := range []struct {
		b    Box
		want float64
	}{
		{Box{0, 0, 10, 10}, 1},
		{Box{5, 0, 10, 10}, 50.0 / 150},
		{Box{10, 0, 10, 10}, 0}, // touching
		{Box{0, 0, 0, 10}, 0},
		{Box{2, 2, 5, 5}, 25.0 / 100},
	} {
		if got := IoU(a, c.b); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("IoU(%v, %v) = %v, want %v", a, c.b, got, c.want)
		}
	}
}
