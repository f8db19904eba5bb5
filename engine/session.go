package engine

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync/atomic"

	"github.com/darkgo/darkgo/engine/preprocess"
	"github.com/darkgo/darkgo/kernels"
)

// fastOp is implemented by layers that have a fast path. Layers without one
// run their reference forward inside sessions, which is always correct.
type fastOp interface {
	// prepareFast runs once after the weights are loaded (BN folding,
	// weight packing). It must not modify what forward reads.
	prepareFast(n *Net, l *Layer) error
	// scratch is the number of float32 of workspace one part of the
	// layer's work needs (each part gets its own, s.work[slot]), and of
	// workspace its steps share (s.shared: written by one step, read by
	// the next).
	scratch(l *Layer) (perSlot, shared int)
	// bind returns the layer's work in a session as steps run one after
	// the other; threads is the most parts a step may have. It runs once
	// per session (and thread count), so the closures it builds are made
	// once and a forward pass allocates nothing. out may hold stale data
	// when the steps run (or alias an input, see inplacer).
	bind(s *Session, l *Layer, ins [][]float32, out []float32, threads int) []step
}

// step is one fork-join phase of a layer: fn(0..parts-1), each part
// once, by whichever of the session's goroutines claims it first. slot
// identifies the goroutine (0 for the caller, i for worker i, always below
// the thread count): a part uses the workspace s.work[slot] / s.kws[slot].
type step struct {
	parts int
	fn    func(part, slot int)
}

// chunksPerThread is how many parts work split over equal items gets per
// thread: with more parts than threads, a thread that the OS takes away
// (the machine is shared) delays a step by one small part, not by a
// whole share.
const chunksPerThread = 4

// split is a step over n independent items (channels, rows...) cut into
// nearly equal ranges.
func split(n, threads int, fn func(lo, hi int)) step {
	return splitSlot(n, threads, func(_, lo, hi int) { fn(lo, hi) })
}

// splitSlot is split for work that needs its slot (for its workspace).
func splitSlot(n, threads int, fn func(slot, lo, hi int)) step {
	return splitMin(n, 1, threads, fn)
}

// splitMin is splitSlot with at least minItems items per part (when there
// are that many): work too small to be worth a hand-off stays in one part.
func splitMin(n, minItems, threads int, fn func(slot, lo, hi int)) step {
	parts := 1
	if threads > 1 {
		parts = max(1, min(threads*chunksPerThread, n/max(minItems, 1)))
	}
	return step{parts: parts, fn: func(p, slot int) {
		if lo, hi := kernels.Share(n, parts, p); lo < hi {
			fn(slot, lo, hi)
		}
	}}
}

// Session runs a Net. It owns the activation arena and workspace, so a
// steady-state Forward allocates nothing. A Session is not safe for
// concurrent use; make one per goroutine (they are cheap next to the Net)
// or use Net.Forward, which keeps a pool of them.
type Session struct {
	net     *Net
	plan    *plan // Net.plan, or Net.fullPlan once a fused layer had to run alone
	arena   []float32
	input   []float32
	outs    [][]float32          // each layer's output, a window of arena
	ins     [][][]float32        // each layer's inputs, windows of arena/input
	work    [][]float32          // per-slot scratch
	shared  []float32            // scratch shared by the parts of a layer
	kws     []*kernels.Workspace // per-part GEMM packing buffers
	steps   [][]step             // each layer's bound work
	fused   [][]step             // layer i's work fused with layer i+1's (fuse.go), or nil
	unfused bool                 // SetFusion(false): run every layer on its own
	threads int
	crew    *crew
	holder  *crewHolder        // what the cleanup sees of the session: its crew
	prep    preprocess.Scratch // image → input tensor buffers

	inputLast   int    // the last layer that reads the input (-1: none)
	onInputFree func() // OnInputFree's callback
}

// NewSession allocates a session for the network: one arena sized by the
// load-time memory plan, plus workspace.
func (n *Net) NewSession() (*Session, error) {
	if !n.loaded {
		return nil, errors.New("engine: no weights loaded")
	}
	s := &Session{net: n, input: make([]float32, n.plan.inputSize)}
	s.layOut(n.plan)
	s.SetThreads(n.threads)
	return s, nil
}

// layOut allocates the arena for plan p and points every layer's output
// and inputs into it.
func (s *Session) layOut(p *plan) {
	n := s.net
	s.plan = p
	s.arena = make([]float32, p.arena)
	s.outs = make([][]float32, len(n.Layers))
	s.ins = make([][][]float32, len(n.Layers))
	for i, l := range n.Layers {
		r := p.root[i]
		o := p.base[r] + p.offset[i]
		size := l.Outputs
		if p.unstored(r) {
			size = 0 // never written: Output(i) is empty
		}
		s.outs[i] = s.arena[o : o+size : o+size]
	}
	s.inputLast = -1
	for i, l := range n.Layers {
		s.ins[i] = make([][]float32, len(l.Inputs))
		for j, k := range l.Inputs {
			if k < 0 {
				s.ins[i][j] = s.input
				s.inputLast = i
			} else {
				s.ins[i][j] = s.outs[k]
			}
		}
	}
}

// storeAll moves the session to the full plan, where every layer's
// output has storage, the first time a layer fused in the lean plan must
// run on its own. Earlier outputs are not kept (none is needed: a pass
// starts from the input).
func (s *Session) storeAll() {
	if s.plan == s.net.fullPlan {
		return
	}
	s.layOut(s.net.fullPlan)
	s.SetThreads(s.threads)
}

// SetThreads sets how many goroutines this session splits each layer over
// (n < 1: the Net's default). It rebinds the layers' work, so call it
// before a run, not during one.
func (s *Session) SetThreads(n int) {
	if n < 1 {
		n = s.net.threads
	}
	n = max(n, 1)
	s.threads = n
	if s.crew != nil {
		s.crew.close()
	}
	s.crew = newCrew(n)
	if s.holder == nil {
		s.holder = &crewHolder{}
		// The workers reference only the crew, so a dropped session is
		// collected; then its workers are stopped.
		runtime.AddCleanup(s, func(h *crewHolder) { h.c.close() }, s.holder)
	}
	s.holder.c = s.crew
	work, shared := 0, 0
	for _, l := range s.net.Layers {
		if f, ok := l.op.(fastOp); ok {
			w, sh := f.scratch(l)
			work, shared = max(work, w), max(shared, sh)
		}
	}
	if len(s.shared) != shared {
		s.shared = make([]float32, shared)
	}
	s.work = make([][]float32, n)
	s.kws = make([]*kernels.Workspace, n)
	for i := range s.work {
		s.work[i] = make([]float32, work)
		s.kws[i] = new(kernels.Workspace)
	}
	s.steps = make([][]step, len(s.net.Layers))
	s.fused = make([][]step, len(s.net.Layers))
	for i, l := range s.net.Layers {
		if s.plan.fuse[i] {
			s.fused[i] = l.op.(poolFuser).bindFused(s, s.ins[i][0], s.outs[i+1], n)
		}
		if s.plan.skip[i] || s.plan.unstored(i) {
			continue // a lean plan's fused layer runs only with its pool
		}
		if f, ok := l.op.(fastOp); ok {
			s.steps[i] = f.bind(s, l, s.ins[i], s.outs[i], n)
			continue
		}
		op, ins, out := l.op, s.ins[i], s.outs[i]
		s.steps[i] = []step{{parts: 1, fn: func(int, int) { op.forward(ins, out) }}}
	}
}

// Threads reports how many goroutines the session splits each layer over.
func (s *Session) Threads() int { return s.threads }

// Forward runs the network on input (CHW float32, Net.Input.Size() values).
// Layer outputs are then available from Output until the next Forward.
func (s *Session) Forward(input []float32) error {
	if len(input) != len(s.input) {
		return fmt.Errorf("engine: input has %d values, the network takes %v = %d", len(input), s.net.Input, len(s.input))
	}
	copy(s.input, input)
	return s.ForwardUpTo(len(s.net.Layers), nil)
}

// ForwardUpTo runs layers [0, end) on the input already in place (see
// Input); if each is not nil it is called after every layer ran, with the
// layer index (used by the per-layer profiler). A layer fused with the
// next (Fused) runs with it when both are in the range: each is then
// called for both after the pair ran, and the first one's Output is not
// computed.
func (s *Session) ForwardUpTo(end int, each func(i int)) error {
	if end < 0 || end > len(s.net.Layers) {
		return fmt.Errorf("engine: ForwardUpTo(%d) on a network of %d layers", end, len(s.net.Layers))
	}
	if end > 0 && s.plan.fuse[end-1] {
		s.storeAll() // the pass ends between a fused pair
	}
	for i := 0; i < end; i++ {
		first := i
		steps := s.steps[i]
		if s.Fused(i) && i+1 < end {
			steps = s.fused[i]
			i++
		}
		for j := range steps {
			s.crew.run(&steps[j])
		}
		for k := first; k <= i; k++ {
			if k == s.inputLast && s.onInputFree != nil {
				s.onInputFree()
			}
			if each != nil {
				each(k)
			}
		}
	}
	return nil
}

// SetFusion turns layer fusion (see Fused) on, the default, or off. With
// it off every layer's output is computed, for callers that read each
// layer's Output (tests against a reference, dumps). Turning it off the
// first time enlarges the session's arena to hold the fused layers'
// outputs too (see Net.Memory) and rebinds the layers, so call it before
// a run, not during one.
func (s *Session) SetFusion(on bool) {
	s.unfused = !on
	if s.unfused {
		s.storeAll()
	}
}

// Fused reports whether a pass computes layer i together with layer i+1
// without storing layer i's output (a convolution and the 2×2 stride-2
// maxpool that alone reads it, see fuse.go): same results, one pass less
// over memory.
// Output(i) then holds no data of the pass (it is empty unless the
// session ever ran with fusion off).
func (s *Session) Fused(i int) bool {
	return !s.unfused && i >= 0 && i < len(s.fused) && s.fused[i] != nil
}

// OnInputFree sets a function the session calls during every pass, on
// the goroutine running it, as soon as no layer of that pass will read
// Input() again (after the last layer that takes the network input: for
// most networks the first). From then on another goroutine may write the
// next input into Input() while the rest of the pass runs — a video
// pipeline prepares frame k+1 during frame k's network that way, with no
// copy. A pass that stops before that layer (ForwardUpTo with a smaller
// end) does not call it. nil removes it.
func (s *Session) OnInputFree(f func()) { s.onInputFree = f }

// Input is the session's input buffer; writing into it and calling
// ForwardUpTo saves Forward's copy.
func (s *Session) Input() []float32 { return s.input }

// Output is layer i's output from the last Forward (i must be a layer
// index, 0 ≤ i < len(Net.Layers); anything else is a programmer error and
// panics like a slice index). It is a window of the
// session's arena: valid until the next Forward, and only for layers whose
// output the plan keeps to the end (Net.OutputLayers) once later layers
// have run.
func (s *Session) Output(i int) []float32 { return s.outs[i] }

// prepareFast packs weights and builds the memory plan; called by
// finishLoad once the parameters are in place.
func (n *Net) prepareFast() error {
	if n.threads < 1 {
		n.threads = runtime.GOMAXPROCS(0)
	}
	n.chooseWinograd()
	for _, l := range n.Layers {
		if f, ok := l.op.(fastOp); ok {
			if err := f.prepareFast(n, l); err != nil {
				return &LayerError{File: n.File, Line: l.Line, Index: l.Index, Name: l.Name, Err: err}
			}
		}
	}
	marks := n.markFusions()
	n.plan = makePlan(n, marks, true)
	n.fullPlan = n.plan
	if slices.Contains(marks, true) {
		n.fullPlan = makePlan(n, marks, false)
	}
	return nil
}

// crew is a session's worker goroutines, threads-1 of them. A step is
// published in one atomic word (step number, parts claimed so far, parts);
// the caller and the workers claim parts from it until none is left, and
// the caller waits for the claimed ones to finish. Between steps the
// workers spin on the word for a while, because layers follow each other
// every few microseconds to milliseconds and waking a parked goroutine
// costs tens of microseconds; then they park. Running a step allocates
// nothing.
//
// The crew holds no reference to its session between steps, so a session
// that is dropped is collected, and a cleanup then stops its workers.
type crew struct {
	workers []*crewWorker
	cur     atomic.Pointer[step] // the step being run; stored before word
	word    atomic.Uint64        // step number<<32 | next part<<16 | parts
	done    atomic.Int32         // parts of the current step finished
	stop    atomic.Bool
}

type crewWorker struct {
	id       int
	sleeping atomic.Bool   // parked, or about to be
	wake     chan struct{} // one token per wake-up
}

const (
	// spinChecks is how many times a worker looks for the next step before
	// parking (about 20-40 µs); it yields the processor every
	// yieldEvery looks, so that spinning never keeps runnable goroutines
	// (another session's workers, the caller itself when there are more
	// threads than processors) waiting.
	spinChecks = 1 << 13
	yieldEvery = 64
	maxParts   = 1<<16 - 1
)

func newCrew(threads int) *crew {
	c := &crew{}
	for i := 1; i < threads; i++ {
		w := &crewWorker{id: i, wake: make(chan struct{}, 1)}
		c.workers = append(c.workers, w)
		go c.work(w, 0)
	}
	return c
}

func (c *crew) work(w *crewWorker, seen uint64) {
	for {
		word := c.next(w, seen)
		if c.stop.Load() {
			return
		}
		seen = word
		c.claim(word>>32, w.id)
	}
}

// claim runs parts of step number e until none is left (or the step is
// over), as goroutine slot.
func (c *crew) claim(e uint64, slot int) {
	for {
		w := c.word.Load()
		next, parts := int(w>>16&0xffff), int(w&0xffff)
		if w>>32 != e || next >= parts {
			return
		}
		// Read before claiming: a successful claim proves the step was
		// still unfinished, so cur was still this step's.
		st := c.cur.Load()
		if c.word.CompareAndSwap(w, w+1<<16) {
			st.fn(next, slot)
			c.done.Add(1)
		}
	}
}

// next waits until the step word's step number differs from seen's and
// returns the word.
func (c *crew) next(w *crewWorker, seen uint64) uint64 {
	for i := 1; i <= spinChecks; i++ {
		if word := c.word.Load(); word>>32 != seen>>32 {
			return word
		}
		if i%yieldEvery == 0 {
			runtime.Gosched()
		}
	}
	for {
		w.sleeping.Store(true)
		if word := c.word.Load(); word>>32 != seen>>32 {
			if !w.sleeping.CompareAndSwap(true, false) {
				<-w.wake // the caller saw us asleep and sends a token
			}
			return word
		}
		<-w.wake // the caller cleared sleeping before sending
		if word := c.word.Load(); word>>32 != seen>>32 {
			return word
		}
	}
}

// run runs st's parts and returns when all are done.
func (c *crew) run(st *step) {
	parts := st.parts
	if parts <= 1 || len(c.workers) == 0 {
		for p := 0; p < parts; p++ {
			st.fn(p, 0)
		}
		return
	}
	if parts > maxParts {
		panic("engine: step with too many parts") // bind never makes one
	}
	c.cur.Store(st)
	c.done.Store(0)
	e := c.word.Load()>>32 + 1
	c.word.Store(e<<32 | uint64(parts))
	for _, w := range c.workers[:min(parts-1, len(c.workers))] {
		if w.sleeping.Load() && w.sleeping.CompareAndSwap(true, false) {
			w.wake <- struct{}{}
		}
	}
	c.claim(e, 0)
	for i := 1; c.done.Load() != int32(parts); i++ {
		if i%yieldEvery == 0 {
			runtime.Gosched()
		}
	}
	c.cur.Store(nil)
}

type crewHolder struct{ c *crew }

// close stops the workers.
func (c *crew) close() {
	c.stop.Store(true)
	c.word.Store((c.word.Load()>>32 + 1) << 32)
	for _, w := range c.workers {
		if w.sleeping.CompareAndSwap(true, false) {
			w.wake <- struct{}{}
		}
	}
}
