package engine

import "sort"

// plan is where every layer's output lives in a session's arena, decided
// once at load time from the graph.
//
// Three kinds of sharing make the arena small and remove copies:
//   - views: a layer whose output is a contiguous part of another layer's
//     output (identity layers such as dropout, and the CSP split — a route
//     with groups/group_id and one input, which in CHW is a channel range)
//     gets no storage of its own and never runs;
//   - direct concatenation: the inputs of a route that concatenates whole
//     layers write straight into their slice of the route's output, so the
//     route itself never runs (or only copies the inputs that cannot, such
//     as views);
//   - in place: a per-element layer (shortcut, yolo) whose input is read
//     by no later layer writes its output over that input;
//   - reuse: storages whose lifetimes (first write to last read) do not
//     overlap share arena space, placed greedily largest first.
type plan struct {
	root      []int    // storage owner of each layer's output (itself for roots)
	offset    []int    // offset of each layer's output inside its root's storage
	skip      []bool   // the layer is a view or a direct concatenation: nothing to run
	fuse      []bool   // the layer runs fused with the next one (fuse.go)
	lean      bool     // fused layers' outputs get no storage (see makePlan)
	placed    [][]bool // a route's inputs already written in place (the rest are copied)
	base      []int    // arena offset of each root's storage (-1 for non-roots)
	arena     int      // floats in the arena
	naive     int      // Σ outputs: one buffer per layer, as Darknet allocates
	inputSize int
}

// viewer is implemented by ops whose output can be a window onto one of
// their inputs.
type viewer interface {
	// view reports the input index (into Layer.Inputs) and the offset of the
	// window, or ok=false when the layer must compute its output.
	view(l *Layer) (input, offset int, ok bool)
}

// inplacer is implemented by ops that may write their output over one of
// their inputs (of the same size): a per-element map where each element is
// read before it is written.
type inplacer interface {
	inplace(l *Layer) (input int, ok bool)
}

func (identity) view(*Layer) (int, int, bool)    { return 0, 0, true }
func (cost) view(*Layer) (int, int, bool)        { return 0, 0, true }
func (contrastive) view(*Layer) (int, int, bool) { return 0, 0, true }

func (r *route) view(l *Layer) (int, int, bool) {
	if len(l.Inputs) != 1 || r.sizes[0]%r.groups != 0 {
		return 0, 0, false
	}
	return 0, r.groupID * (r.sizes[0] / r.groups), true
}

// concatenates reports whether a route concatenates its inputs whole.
func (r *route) concatenates() bool { return r.groups == 1 && len(r.sizes) > 1 }

// fuse marks the layers that run fused with the next one (markFusions; nil:
// none). A lean plan gives a fused layer's output no storage: a fused
// pass never writes it (tiny-face's arena: 13.7 -> 5.5 MB), so only a session
// that runs such a layer on its own (SetFusion(false), or ForwardUpTo
// ending between the pair) needs the full plan.
func makePlan(n *Net, fuse []bool, lean bool) *plan {
	L := len(n.Layers)
	p := &plan{root: make([]int, L), offset: make([]int, L), skip: make([]bool, L), base: make([]int, L),
		placed: make([][]bool, L), inputSize: n.Input.Size(), fuse: fuse, lean: lean}
	if p.fuse == nil {
		p.fuse = make([]bool, L)
	}
	for i := range p.root {
		p.root[i] = i
	}
	// resolve follows a layer to its storage root.
	resolve := func(i int) (int, int) { return p.root[i], p.offset[i] }

	// Last reader of each layer's output; outputs the caller reads live to
	// the end.
	last := make([]int, L)
	for i, l := range n.Layers {
		last[i] = i
		for _, k := range l.Inputs {
			if k >= 0 && last[k] < i {
				last[k] = i
			}
		}
	}
	for _, i := range n.OutputLayers() {
		last[i] = L
	}
	// A fused pair reads the first layer's inputs while it writes the
	// second layer's output: they must not share storage.
	for i, f := range p.fuse {
		if !f {
			continue
		}
		for _, k := range n.Layers[i].Inputs {
			if k >= 0 {
				last[k] = max(last[k], i+1)
			}
		}
	}

	claimed := make([]bool, L) // already written into some concatenation
	for i, l := range n.Layers {
		p.naive += l.Outputs
		if v, ok := l.op.(viewer); ok {
			if in, off, ok := v.view(l); ok && l.Inputs[in] >= 0 {
				r, o := resolve(l.Inputs[in])
				p.root[i], p.offset[i], p.skip[i] = r, o+off, true
				continue
			}
		}
		if ip, ok := l.op.(inplacer); ok {
			if in, ok := ip.inplace(l); ok && canOverwrite(p, n, last, i, in) {
				k := l.Inputs[in]
				p.root[i], p.offset[i] = p.root[k], p.offset[k]
				continue
			}
		}
		if r, ok := l.op.(*route); ok && r.concatenates() {
			movable, all := directInputs(p, l, claimed)
			off := 0
			for k, in := range l.Inputs {
				if movable[k] {
					// Move the input, and every view already made of it,
					// into the route's storage.
					for j := 0; j < i; j++ {
						if p.root[j] == in {
							p.root[j], p.offset[j] = i, p.offset[j]+off
						}
					}
					claimed[in] = true
				}
				off += r.sizes[k]
			}
			if all {
				p.skip[i] = true
			} else {
				p.placed[i] = movable
			}
		}
	}
	// Storage lifetimes: from the first member's write to the last member's
	// last read.
	type storage struct{ id, size, start, end int }
	st := map[int]*storage{}
	for i := range n.Layers {
		r := p.root[i]
		s := st[r]
		if s == nil {
			s = &storage{id: r, size: n.Layers[r].Outputs, start: i, end: i}
			if p.unstored(r) {
				// Nothing else lives there: markFusions fuses only a
				// layer read by its pool alone, so it has no views and
				// is in no concatenation.
				s.size = 0
			}
			st[r] = s
		}
		s.start = min(s.start, i)
		s.end = max(s.end, last[i])
	}
	list := make([]*storage, 0, len(st))
	for _, s := range st {
		list = append(list, s)
	}
	sort.Slice(list, func(a, b int) bool {
		if list[a].size != list[b].size {
			return list[a].size > list[b].size
		}
		return list[a].id < list[b].id
	})
	for i := range p.base {
		p.base[i] = -1
	}
	var placed []*storage
	for _, s := range list {
		// Lowest offset that does not overlap any placed storage alive at
		// the same time.
		type span struct{ lo, hi int }
		var busy []span
		for _, q := range placed {
			if q.start <= s.end && s.start <= q.end {
				busy = append(busy, span{p.base[q.id], p.base[q.id] + q.size})
			}
		}
		sort.Slice(busy, func(a, b int) bool { return busy[a].lo < busy[b].lo })
		off := 0
		for _, b := range busy {
			if off+s.size <= b.lo {
				break
			}
			off = max(off, b.hi)
		}
		p.base[s.id] = off
		p.arena = max(p.arena, off+s.size)
		placed = append(placed, s)
	}
	return p
}

// unstored reports whether layer i's output has no storage: a lean plan's
// fused layer, computed only inside its pool's step.
func (p *plan) unstored(i int) bool { return p.lean && p.fuse[i] }

// canOverwrite reports whether layer i may write its output over input
// number in: that input is a layer (not the network input) of the same
// size, no layer after i reads anything stored in the same storage, and no
// other input of i lives there.
func canOverwrite(p *plan, n *Net, last []int, i, in int) bool {
	l := n.Layers[i]
	k := l.Inputs[in]
	if k < 0 || n.Layers[k].Outputs != l.Outputs {
		return false
	}
	r := p.root[k]
	for j := 0; j < i; j++ {
		if p.root[j] == r && last[j] > i {
			return false
		}
	}
	for x, o := range l.Inputs {
		if x != in && o >= 0 && p.root[o] == r {
			return false
		}
	}
	return true
}

// directInputs reports which inputs of a concatenating route can write
// straight into the route's output: a plain layer owning its storage (not
// the network input, not a view, not already part of another
// concatenation), at its first appearance. A direct concatenation can
// itself be such an input, so nested concatenations copy nothing either.
// The route copies the others (all: none to copy).
func directInputs(p *plan, l *Layer, claimed []bool) (movable []bool, all bool) {
	movable = make([]bool, len(l.Inputs))
	seen := map[int]bool{}
	all = true
	for k, in := range l.Inputs {
		movable[k] = in >= 0 && !seen[in] && !claimed[in] && p.root[in] == in
		all = all && movable[k]
		if in >= 0 {
			seen[in] = true
		}
	}
	return movable, all
}

// Memory reports the activation memory a session needs (bytes in its
// arena, fused layers' outputs left out: see Session.SetFusion) and what
// one buffer per layer, as Darknet allocates, would take.
func (n *Net) Memory() (planned, naive int64) {
	p := n.plan
	if p == nil {
		p = makePlan(n, nil, false)
	}
	return int64(p.arena) * 4, int64(p.naive) * 4
}
