package detect

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// NMSKind is the cfg's nms_kind, numbered like Darknet's NMS_KIND.
type NMSKind int

const (
	DefaultNMS NMSKind = iota // nms_kind=default (or absent): do_nms_sort, plain IoU
	GreedyNMS                 // nms_kind=greedynms: diounms_sort with box_diou
	DIoUNMS                   // nms_kind=diounms: diounms_sort with box_diounms(beta_nms)
	CornersNMS                // nms_kind=cornersnms ([Gaussian_yolo] only): diounms_sort with IoU
)

// ParseNMSKind maps a cfg nms_kind value to its kind the way Darknet's
// parser does: unknown names mean DefaultNMS, and "cornersnms" is only
// recognised in [Gaussian_yolo] sections (gaussian=true).
func ParseNMSKind(s string, gaussian bool) NMSKind {
	switch s {
	case "greedynms":
		return GreedyNMS
	case "diounms":
		return DIoUNMS
	case "cornersnms":
		if gaussian {
			return CornersNMS
		}
	}
	return DefaultNMS
}

func (k NMSKind) String() string {
	switch k {
	case DefaultNMS:
		return "default"
	case GreedyNMS:
		return "greedynms"
	case DIoUNMS:
		return "diounms"
	case CornersNMS:
		return "cornersnms"
	}
	return fmt.Sprintf("NMSKind(%d)", int(k))
}

// NMS suppresses overlapping detections in place as Darknet's detector test
// does with thresh=nms (0.45): DoNMSSort for DefaultNMS, else DIoUNMSSort
// with kind and beta (the last layer's nms_kind and beta_nms). Like Darknet
// it reorders dets; the returned slice is dets.
func NMS(dets []Detection, classes int, thresh float32, kind NMSKind, beta float32) []Detection {
	if kind == DefaultNMS {
		DoNMSSort(dets, classes, thresh)
	} else {
		DIoUNMSSort(dets, classes, thresh, kind, beta)
	}
	return dets
}

// DoNMSSort is Darknet's do_nms_sort: greedy, class by class, IoU > thresh
// suppresses the lower-scored box's probability for that class.
func DoNMSSort(dets []Detection, classes int, thresh float32) {
	nmsSort(dets, classes, thresh, CornersNMS, 0) // CornersNMS's test is plain IoU
}

// DIoUNMSSort is Darknet's diounms_sort: like DoNMSSort with the overlap
// test chosen by kind: GreedyNMS box_diou > thresh, DIoUNMS
// box_diounms(beta) > thresh, CornersNMS IoU > thresh; DefaultNMS
// suppresses nothing (as in Darknet, which only calls it for other kinds).
func DIoUNMSSort(dets []Detection, classes int, thresh float32, kind NMSKind, beta float32) {
	nmsSort(dets, classes, thresh, kind, beta)
}

// candidate is a detection's box with the edges and area Darknet's
// box_iou computes from it, precomputed (same float32 operations, so the
// same values) and stored contiguously for the O(n²) loop.
type candidate struct {
	l, r, t, b, area float32
	box              Box
	alive            bool
	det              int32
}

// iou is IoU(a.box, b.box) from the precomputed values, bit for bit.
func (a *candidate) iou(b *candidate) float32 {
	w := overlapEdges(a.l, a.r, b.l, b.r)
	h := overlapEdges(a.t, a.b, b.t, b.b)
	if w < 0 || h < 0 {
		return 0
	}
	i := w * h
	u := a.area + b.area - i
	if i == 0 || u == 0 {
		return 0
	}
	return i / u
}

// nmsSort is the shared body of do_nms_sort and diounms_sort.
//
// Darknet first moves detections with objectness 0 to the end (swapping
// each with the last candidate), then for every class sorts the candidates
// by that class's probability, descending, with qsort - which in glibc is a
// stable merge sort - and zeroes the class probability of every later box
// whose overlap with an earlier box that still has it is above thresh.
//
// The final order is what Darknet leaves in its array. To save work the
// sort permutes indices instead of the structs, and the inner loop only
// visits boxes whose probability for the class is non-zero (zeroing an
// already-zero probability is all Darknet does for the others), held in a
// contiguous array. kind selects the overlap test as in diounms_sort;
// DefaultNMS suppresses nothing and CornersNMS is plain IoU (do_nms_sort).
func nmsSort(dets []Detection, classes int, thresh float32, kind NMSKind, beta float32) {
	k := len(dets) - 1
	for i := 0; i <= k; i++ {
		if dets[i].Objectness == 0 {
			dets[i], dets[k] = dets[k], dets[i]
			k--
			i--
		}
	}
	total := k + 1
	if total <= 0 {
		return
	}
	// Any other kind reaches no branch of diounms_sort: it only sorts.
	sortOnly := kind != GreedyNMS && kind != DIoUNMS && kind != CornersNMS
	for i := 0; i < total; i++ {
		if len(dets[i].Prob) < classes {
			classes = len(dets[i].Prob) // never index past a short Prob
		}
	}
	order := make([]int32, total)
	for i := range order {
		order[i] = int32(i)
	}
	cands := make([]candidate, 0, total)
	var idx overlapIndex
	var zeros []int32
	for c := 0; c < classes; c++ {
		// nms_comparator_v3: larger probability first; equal keeps order.
		zeros = sortByClass(order, zeros, dets, c)
		if sortOnly {
			continue
		}
		cands = cands[:0]
		for _, o := range order {
			if dets[o].Prob[c] != 0 {
				b := dets[o].Box
				cands = append(cands, candidate{
					l: b.X - b.W/2, r: b.X + b.W/2, t: b.Y - b.H/2, b: b.Y + b.H/2,
					area: b.W * b.H, box: b, alive: true, det: o,
				})
			}
		}
		if thresh >= 0 {
			idx.build(cands)
		}
		for i := range cands {
			a := &cands[i]
			if !a.alive {
				continue
			}
			if thresh < 0 {
				// Non-overlapping boxes pass a negative threshold: test all.
				for j := i + 1; j < len(cands); j++ {
					if b := &cands[j]; b.alive && suppresses(a, b, thresh, kind, beta) {
						b.alive = false
					}
				}
				continue
			}
			idx.visit(cands, i, func(b *candidate) {
				if suppresses(a, b, thresh, kind, beta) {
					b.alive = false
				}
			})
		}
		for i := range cands {
			if !cands[i].alive {
				dets[cands[i].det].Prob[c] = 0
			}
		}
	}
	// Apply the final permutation to the first total entries.
	tmp := make([]Detection, total)
	for i, o := range order {
		tmp[i] = dets[o]
	}
	copy(dets, tmp)
}

// suppresses is diounms_sort's test for kind (CornersNMS: plain IoU, the
// do_nms_sort test).
func suppresses(a, b *candidate, thresh float32, kind NMSKind, beta float32) bool {
	iou := a.iou(b)
	switch kind {
	case CornersNMS:
		return iou > thresh
	case GreedyNMS:
		// DIoU = IoU - u with u >= 0, so in float32 DIoU <= IoU: when IoU is
		// not above a non-negative thresh neither is DIoU, and pow() can be
		// skipped without changing the decision.
		return (thresh < 0 || iou > thresh) && DIoU(a.box, b.box) > thresh
	case DIoUNMS:
		return (thresh < 0 || iou > thresh) && DIoUBeta(a.box, b.box, beta) > thresh
	}
	return false
}

// overlapIndex finds, for a box, the candidates that can overlap it with a
// positive area, so the greedy loop need not test all pairs. It is exact
// for thresh >= 0: every test above (IoU, DIoU <= IoU) can only pass when
// the intersection is positive, i.e. l_b < r_a, r_b > l_a, t_b < b_a and
// b_b > t_a. Boxes with a non-finite edge or area are left out: their IoU
// with anything is 0 or NaN, so they never suppress nor get suppressed.
//
// Candidates are grouped by width and height class (powers of two). In a
// group whose boxes are at most maxW wide and maxH high, r_b > l_a implies
// l_b > l_a - maxW and b_b > t_a implies t_b > t_a - maxH; each group is cut
// into horizontal strips maxH high by top edge, and each strip is sorted by
// left edge, so a query scans only the few strips and the left-edge range
// that can hold an overlapping box.
type overlapIndex struct {
	groups [sizeClasses * sizeClasses]overlapGroup
}

type overlapGroup struct {
	maxW, maxH float64
	top0       float64 // smallest top edge
	strips     []overlapStrip
	members    []int32
}

type overlapStrip struct {
	left []float64   // sorted left edges
	ent  []edgeEntry // the entry for each left edge
}

// edgeEntry is a candidate's other edges next to its index, so most
// non-overlapping candidates are rejected without touching cands.
type edgeEntry struct {
	r, t, b float32
	cand    int32
}

const sizeClasses = 8

// sizeClass buckets a width or height: up to 1/64, then powers of two up
// to >= 2.
func sizeClass(v float64) int {
	_, e := math.Frexp(v)
	return min(max(e+sizeClasses-3, 0), sizeClasses-1)
}

func finite(v float32) bool { return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) }

func (x *overlapIndex) build(cands []candidate) {
	for g := range x.groups {
		grp := &x.groups[g]
		grp.maxW, grp.maxH, grp.top0 = 0, 0, math.Inf(1)
		grp.members = grp.members[:0]
		for s := range grp.strips {
			grp.strips[s].left = grp.strips[s].left[:0]
			grp.strips[s].ent = grp.strips[s].ent[:0]
		}
	}
	for i := range cands {
		c := &cands[i]
		if !finite(c.l) || !finite(c.r) || !finite(c.t) || !finite(c.b) || !finite(c.area) {
			continue
		}
		w, h := float64(c.r)-float64(c.l), float64(c.b)-float64(c.t)
		grp := &x.groups[sizeClass(w)*sizeClasses+sizeClass(h)]
		grp.maxW = max(grp.maxW, w)
		grp.maxH = max(grp.maxH, h)
		grp.top0 = min(grp.top0, float64(c.t))
		grp.members = append(grp.members, int32(i))
	}
	for g := range x.groups {
		grp := &x.groups[g]
		if len(grp.members) == 0 {
			continue
		}
		n := 1
		if grp.maxH > 0 {
			span := 0.0
			for _, m := range grp.members {
				span = max(span, float64(cands[m].t)-grp.top0)
			}
			n = min(int(span/grp.maxH)+1, 4096)
		}
		for len(grp.strips) < n {
			grp.strips = append(grp.strips, overlapStrip{})
		}
		for _, m := range grp.members {
			c := &cands[m]
			st := &grp.strips[grp.strip(float64(c.t), n)]
			st.left = append(st.left, float64(c.l))
			st.ent = append(st.ent, edgeEntry{c.r, c.t, c.b, m})
		}
		for s := 0; s < n; s++ {
			sort.Sort(byLeft{grp.strips[s].left, grp.strips[s].ent})
		}
		grp.strips = grp.strips[:n]
	}
}

// strip returns the strip of a top edge, clamped to [0, n).
func (g *overlapGroup) strip(top float64, n int) int {
	if g.maxH <= 0 {
		return 0
	}
	s := (top - g.top0) / g.maxH
	if !(s > 0) {
		return 0
	}
	return min(int(s), n-1)
}

// visit calls f for every alive candidate after i (in priority order) whose
// box can overlap candidate i's with positive area.
func (x *overlapIndex) visit(cands []candidate, i int, f func(b *candidate)) {
	a := &cands[i]
	if !finite(a.l) || !finite(a.r) || !finite(a.t) || !finite(a.b) {
		return
	}
	la, ra, ta, ba := float64(a.l), float64(a.r), float64(a.t), float64(a.b)
	for g := range x.groups {
		grp := &x.groups[g]
		if len(grp.members) == 0 {
			continue
		}
		// Margins absorb rounding of the float64 sizes: extra candidates
		// are harmless (they are tested exactly), missing ones are not.
		lo := la - grp.maxW*(1+1e-9) - 1e-9*(1+math.Abs(la))
		tlo := ta - grp.maxH*(1+1e-9) - 1e-9*(1+math.Abs(ta))
		n := len(grp.strips)
		s0, s1 := grp.strip(tlo, n), grp.strip(ba, n)
		for s := max(s0-1, 0); s <= min(s1+1, n-1); s++ {
			st := &grp.strips[s]
			k := sort.SearchFloat64s(st.left, lo)
			for ; k < len(st.left) && st.left[k] < ra; k++ {
				e := &st.ent[k]
				// The comparisons box_iou's max/min make: no candidate that
				// could have a positive intersection is dropped.
				if !(e.r > a.l && e.t < a.b && e.b > a.t) {
					continue
				}
				j := int(e.cand)
				if j > i && cands[j].alive {
					f(&cands[j])
				}
			}
		}
	}
}

type byLeft struct {
	left []float64
	ent  []edgeEntry
}

func (s byLeft) Len() int           { return len(s.left) }
func (s byLeft) Less(i, j int) bool { return s.left[i] < s.left[j] }
func (s byLeft) Swap(i, j int) {
	s.left[i], s.left[j] = s.left[j], s.left[i]
	s.ent[i], s.ent[j] = s.ent[j], s.ent[i]
}

// sortByClass stable-sorts order by dets[·].Prob[c], highest first
// (ByProbDesc), as Darknet's per-class qsort. Most boxes have probability
// 0 for most classes; when every probability of the class is 0 or a
// positive number, the sort is the stable partition into non-zero and
// zero entries with only the non-zero ones sorted (the same permutation:
// a positive value precedes 0, and the zeros, all equal, keep their
// order), which costs O(n) instead of O(n log n) per class. zeros is
// scratch space, returned for reuse.
func sortByClass(order, zeros []int32, dets []Detection, c int) []int32 {
	byProb := func(a, b int32) int { return ByProbDesc(dets[a].Prob[c], dets[b].Prob[c]) }
	for _, o := range order {
		if p := dets[o].Prob[c]; p != 0 && !(p > 0 && p <= math.MaxFloat32) {
			// Negative, NaN or infinite: the comparator's general case.
			slices.SortStableFunc(order, byProb)
			return zeros
		}
	}
	zeros = zeros[:0]
	k := 0
	for _, o := range order {
		if dets[o].Prob[c] == 0 {
			zeros = append(zeros, o)
		} else {
			order[k] = o
			k++
		}
	}
	copy(order[k:], zeros)
	slices.SortStableFunc(order[:k], byProb)
	return zeros
}
