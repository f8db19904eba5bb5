package engine

import (
	"errors"
	"fmt"
	"runtime"
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
	// layer's work needs (each part gets its own).
	scratch(l *Layer) int
	// bind returns the layer's work in a session as steps run one after
	// the other; threads is the most parts a step may have. It runs once
	// per session (and thread count), so the closures it builds are made
	// once and a forward pass allocates nothing. out may hold stale data
	// when the steps run (or alias an input, see inplacer).
	bind(s *Session, l *Layer, ins [][]float32, out []float32, threads int) []step
}

// step is one fork-join phase of a layer: fn(0..parts-1) run concurrently;
// part p may use the session's workspace s.work[p].
type step struct {
	parts int
	fn    func(part int)
}

// split is a step over n independent items (channels, rows...): part p
// gets the p-th of at most threads nearly equal ranges.
func split(n, threads int, fn func(lo, hi int)) step {
	return splitPart(n, threads, func(_, lo, hi int) { fn(lo, hi) })
}

// splitPart is split for work that needs the part number (for its
// workspace).
func splitPart(n, threads int, fn func(part, lo, hi int)) step {
	parts := max(1, min(threads, n))
	return step{parts: parts, fn: func(p int) {
		if lo, hi := kernels.Share(n, parts, p); lo < hi {
			fn(p, lo, hi)
		}
	}}
}

// Session runs a Net. It owns the activation arena and workspace, so a
// steady-state Forward allocates nothing. A Session is not safe for
// concurrent use; make one per goroutine (they are cheap next to the Net)
// or use Net.Forward, which keeps a pool of them.
type Session struct {
	net     *Net
	arena   []float32
	input   []float32
	outs    [][]float32          // each layer's output, a window of arena
	ins     [][][]float32        // each layer's inputs, windows of arena/input
	work    [][]float32          // per-part scratch
	kws     []*kernels.Workspace // per-part GEMM packing buffers
	steps   [][]step             // each layer's bound work
	threads int
	crew    *crew
	holder  *crewHolder        // what the cleanup sees of the session: its crew
	prep    preprocess.Scratch // image → input tensor buffers
}

// NewSession allocates a session for the network: one arena sized by the
// load-time memory plan, plus workspace.
func (n *Net) NewSession() (*Session, error) {
	if !n.loaded {
		return nil, errors.New("engine: no weights loaded")
	}
	p := n.plan
	s := &Session{net: n, arena: make([]float32, p.arena), input: make([]float32, p.inputSize),
		outs: make([][]float32, len(n.Layers)), ins: make([][][]float32, len(n.Layers))}
	for i, l := range n.Layers {
		r := p.root[i]
		o := p.base[r] + p.offset[i]
		s.outs[i] = s.arena[o : o+l.Outputs : o+l.Outputs]
	}
	for i, l := range n.Layers {
		s.ins[i] = make([][]float32, len(l.Inputs))
		for j, k := range l.Inputs {
			if k < 0 {
				s.ins[i][j] = s.input
			} else {
				s.ins[i][j] = s.outs[k]
			}
		}
	}
	s.SetThreads(n.threads)
	return s, nil
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
	work := 0
	for _, l := range s.net.Layers {
		if f, ok := l.op.(fastOp); ok {
			work = max(work, f.scratch(l))
		}
	}
	s.work = make([][]float32, n)
	s.kws = make([]*kernels.Workspace, n)
	for i := range s.work {
		s.work[i] = make([]float32, work)
		s.kws[i] = new(kernels.Workspace)
	}
	s.steps = make([][]step, len(s.net.Layers))
	for i, l := range s.net.Layers {
		if s.net.plan.skip[i] {
			continue
		}
		if f, ok := l.op.(fastOp); ok {
			s.steps[i] = f.bind(s, l, s.ins[i], s.outs[i], n)
			continue
		}
		op, ins, out := l.op, s.ins[i], s.outs[i]
		s.steps[i] = []step{{parts: 1, fn: func(int) { op.forward(ins, out) }}}
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
// layer index (used by the per-layer profiler).
func (s *Session) ForwardUpTo(end int, each func(i int)) error {
	if end < 0 || end > len(s.net.Layers) {
		return fmt.Errorf("engine: ForwardUpTo(%d) on a network of %d layers", end, len(s.net.Layers))
	}
	for i := 0; i < end; i++ {
		for _, st := range s.steps[i] {
			s.crew.run(st.parts, st.fn)
		}
		if each != nil {
			each(i)
		}
	}
	return nil
}

// Input is the session's input buffer; writing into it and calling
// ForwardUpTo saves Forward's copy.
func (s *Session) Input() []float32 { return s.input }

// Output is layer i's output from the last Forward. It is a window of the
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
	for _, l := range n.Layers {
		if f, ok := l.op.(fastOp); ok {
			if err := f.prepareFast(n, l); err != nil {
				return &LayerError{File: n.File, Line: l.Line, Index: l.Index, Name: l.Name, Err: err}
			}
		}
	}
	n.plan = makePlan(n)
	return nil
}

// crew is a session's worker goroutines, threads-1 of them: worker i runs
// part i of every step, the caller part 0. A step is published by bumping
// a counter (with the part count in the same word); between steps the
// workers spin on it for a while, because layers follow each other every
// few microseconds to milliseconds and waking a parked goroutine costs tens
// of microseconds, then park. Running a step allocates nothing.
//
// The crew holds no reference to its session between steps, so a session
// that is dropped is collected, and a cleanup then stops its workers.
type crew struct {
	workers []*crewWorker
	fn      func(int)     // the current step; set before word is bumped
	word    atomic.Uint64 // step number<<16 | parts of the step
	pending atomic.Int32  // worker parts of the current step not yet done
	stop    atomic.Bool
}

type crewWorker struct {
	id       int
	sleeping atomic.Bool   // parked, or about to be
	wake     chan struct{} // one token per wake-up
}

const (
	// spinChecks is how many times a worker looks for the next step before
	// parking (about 50-100 µs); it yields the processor every yieldEvery
	// looks, so that spinning never keeps runnable goroutines (another
	// session's workers, the caller itself when there are more threads
	// than processors) waiting.
	spinChecks = 1 << 15
	yieldEvery = 64
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
		if w.id < int(word&0xffff) {
			c.fn(w.id)
			c.pending.Add(-1)
		}
	}
}

// next waits until the step word differs from seen and returns it.
func (c *crew) next(w *crewWorker, seen uint64) uint64 {
	for i := 1; i <= spinChecks; i++ {
		if word := c.word.Load(); word != seen {
			return word
		}
		if i%yieldEvery == 0 {
			runtime.Gosched()
		}
	}
	for {
		w.sleeping.Store(true)
		if word := c.word.Load(); word != seen {
			if !w.sleeping.CompareAndSwap(true, false) {
				<-w.wake // the caller saw us asleep and sends a token
			}
			return word
		}
		<-w.wake // the caller cleared sleeping before sending
		if word := c.word.Load(); word != seen {
			return word
		}
	}
}

// run runs fn(0..parts-1), part 0 on the caller, and returns when all are
// done. parts above the crew's size run on the caller too.
func (c *crew) run(parts int, fn func(part int)) {
	if parts <= 1 || len(c.workers) == 0 {
		for p := 0; p < parts; p++ {
			fn(p)
		}
		return
	}
	handed := min(parts, len(c.workers)+1)
	c.fn = fn
	c.pending.Store(int32(handed - 1))
	c.word.Store((c.word.Load()>>16+1)<<16 | uint64(handed))
	for _, w := range c.workers[:handed-1] {
		if w.sleeping.Load() && w.sleeping.CompareAndSwap(true, false) {
			w.wake <- struct{}{}
		}
	}
	fn(0)
	for p := handed; p < parts; p++ {
		fn(p)
	}
	for i := 1; c.pending.Load() != 0; i++ {
		if i%yieldEvery == 0 {
			runtime.Gosched()
		}
	}
	c.fn = nil
}

type crewHolder struct{ c *crew }

// close stops the workers.
func (c *crew) close() {
	c.stop.Store(true)
	c.word.Store((c.word.Load()>>16 + 1) << 16)
	for _, w := range c.workers {
		if w.sleeping.CompareAndSwap(true, false) {
			w.wake <- struct{}{}
		}
	}
}
