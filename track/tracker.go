package track

import (
	"fmt"
	"math"
)

// Options tune a Tracker. Start from DefaultOptions.
type Options struct {
	// TTL is how many consecutive frames a confirmed track may go without
	// a match and still be continued (the CLI's -track_ttl).
	TTL int
	// MinHits is how many consecutive matched frames a new track needs
	// before it is confirmed and gets an ID; 1 gives IDs from the first frame.
	MinHits int
	// MinIoU is the least IoU between a track's predicted box and a
	// detection for them to be matched.
	MinIoU float64
}

// DefaultOptions are SORT's settings, except TTL: 30 frames (one second
// at 30 fps) rather than SORT's 1, so objects survive short occlusions.
func DefaultOptions() Options { return Options{TTL: 30, MinHits: 3, MinIoU: 0.3} }

// Track is a confirmed track's state after the latest Update.
type Track struct {
	ID    int
	Class int
	// Box is the filter's estimate for the latest frame: the corrected box
	// if the track was matched (Missed == 0), else the prediction.
	Box Box
	// Missed counts the consecutive frames without a match (0: matched in
	// the latest frame).
	Missed int
	// Hits is the number of frames the track was matched in, all told.
	Hits int
}

// Tracker follows objects across the frames of one video. It is not safe
// for concurrent use; one Tracker per stream.
type Tracker struct {
	opts   Options
	tracks []*track // in order of creation
	nextID int
}

type track struct {
	id     int // 0 while tentative
	class  int
	kf     kalman
	hits   int // matched frames; consecutive while tentative (a miss drops it)
	missed int
}

// New returns a Tracker, or an error naming the option that is out of range.
func New(o Options) (*Tracker, error) {
	switch {
	case o.TTL < 0:
		return nil, fmt.Errorf("track: TTL %d: must be >= 0", o.TTL)
	case o.MinHits < 1:
		return nil, fmt.Errorf("track: MinHits %d: must be >= 1", o.MinHits)
	case !(o.MinIoU > 0 && o.MinIoU <= 1):
		return nil, fmt.Errorf("track: MinIoU %v: must be in (0, 1]", o.MinIoU)
	}
	return &Tracker{opts: o, nextID: 1}, nil
}

// Update advances the tracker by one frame with that frame's detections
// and returns one track ID per detection, in the same order: the ID of the
// confirmed track it continues or starts, or 0 while its track is still
// tentative (see the package doc) or when its box cannot be tracked.
// Call it for every frame, with an empty slice for frames without
// detections, so that the tracks' ages advance.
func (t *Tracker) Update(dets []Detection) []int {
	ids := make([]int, len(dets))
	live := t.tracks[:0]
	for _, tr := range t.tracks {
		tr.kf.predict()
		if tr.kf.finite() { // drop a filter that has degenerated
			live = append(live, tr)
		}
	}
	clear(t.tracks[len(live):])
	t.tracks = live

	owner := t.match(dets) // owner[i]: the track detection i continues, or nil
	matched := make(map[*track]bool, len(owner))
	for i, tr := range owner {
		if tr == nil {
			continue
		}
		if !tr.kf.update(measurement(dets[i].Box)) {
			tr.kf = newKalman(measurement(dets[i].Box))
		}
		matched[tr] = true
	}

	// Age the tracks left unmatched; drop tentative ones at once and
	// confirmed ones beyond TTL.
	live = t.tracks[:0]
	for _, tr := range t.tracks {
		if !matched[tr] {
			tr.missed++
			if tr.id == 0 || tr.missed > t.opts.TTL {
				continue
			}
		}
		live = append(live, tr)
	}
	clear(t.tracks[len(live):])
	t.tracks = live

	// Start tracks for unmatched detections, then count hits and hand out
	// IDs in detection order, so that IDs are deterministic.
	for i, d := range dets {
		if owner[i] == nil && d.Box.valid() {
			tr := &track{class: d.Class, kf: newKalman(measurement(d.Box))}
			owner[i] = tr
			t.tracks = append(t.tracks, tr)
		}
	}
	for i, tr := range owner {
		if tr == nil {
			continue
		}
		tr.hits++
		tr.missed = 0
		if tr.id == 0 && tr.hits >= t.opts.MinHits {
			tr.id = t.nextID
			t.nextID++
		}
		ids[i] = tr.id
	}
	return ids
}

// match pairs this frame's detections with the tracks' predictions, class
// by class, maximising the summed IoU over admissible pairs (IoU >= MinIoU).
// Detections with untrackable boxes are left unmatched.
func (t *Tracker) match(dets []Detection) []*track {
	owner := make([]*track, len(dets))
	if len(t.tracks) == 0 {
		return owner
	}
	byClass := make(map[int][]int) // class -> detection indices
	var classes []int              // in order of first appearance
	for i, d := range dets {
		if !d.Box.valid() {
			continue
		}
		if _, ok := byClass[d.Class]; !ok {
			classes = append(classes, d.Class)
		}
		byClass[d.Class] = append(byClass[d.Class], i)
	}
	var cost []float64
	for _, c := range classes {
		di := byClass[c]
		var trs []*track
		var boxes []Box
		for _, tr := range t.tracks {
			if tr.class == c {
				trs = append(trs, tr)
				boxes = append(boxes, tr.kf.box())
			}
		}
		if len(trs) == 0 {
			continue
		}
		// Minimise -IoU; inadmissible pairs cost 0, the same as leaving
		// both unmatched, so they never displace an admissible pair.
		cost = cost[:0]
		for _, b := range boxes {
			for _, i := range di {
				w := IoU(b, dets[i].Box)
				if !(w >= t.opts.MinIoU) || math.IsNaN(w) {
					w = 0
				}
				cost = append(cost, -w)
			}
		}
		for r, col := range Assign(cost, len(trs), len(di)) {
			if col >= 0 && cost[r*len(di)+col] < 0 {
				owner[di[col]] = trs[r]
			}
		}
	}
	return owner
}

// Tracks returns the confirmed tracks after the latest Update, matched or
// not, in order of creation.
func (t *Tracker) Tracks() []Track {
	var out []Track
	for _, tr := range t.tracks {
		if tr.id == 0 {
			continue
		}
		out = append(out, Track{ID: tr.id, Class: tr.class, Box: tr.kf.box(), Missed: tr.missed, Hits: tr.hits})
	}
	return out
}
