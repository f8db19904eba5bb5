package engine

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
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

// step is one fork-join phase of a layer: fn(0..parts-1) run concurrently.
type step struct {
	parts int
	fn    func(part int)
}

// split is a step over n independent items (channels, rows...): part p
// gets the p-th of at most threads nearly equal ranges.
func split(n, threads int, fn func(lo, hi int)) step {
	parts := max(1, min(threads, n))
	return step{parts: parts, fn: func(p int) {
		if lo, hi := kernels.Share(n, parts, p); lo < hi {
			fn(lo, hi)
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
	outs    [][]float32   // each layer's output, a window of arena
	ins     [][][]float32 // each layer's inputs, windows of arena/input
	work    [][]float32   // per-part scratch (im2col and the like)
	steps   [][]step      // each layer's bound work
	threads int
	team    team
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
	work := 0
	for _, l := range s.net.Layers {
		if f, ok := l.op.(fastOp); ok {
			work = max(work, f.scratch(l))
		}
	}
	s.work = make([][]float32, n)
	for i := range s.work {
		s.work[i] = make([]float32, work)
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
			s.team.run(st.parts, st.fn)
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

// team runs the parts of a step on parked worker goroutines shared by all
// sessions, part 0 on the caller. Unlike a fresh closure and WaitGroup per
// call it allocates nothing: the WaitGroup lives in the session and the
// functions were built by bind.
//
// Hand-off never blocks: a part goes to a parked worker if one is waiting,
// else to a new worker while there are fewer than workerCap, else it runs
// on the caller. So any number of sessions can run at once.
type team struct {
	wg sync.WaitGroup
}

type job struct {
	fn   func(part int)
	part int
	wg   *sync.WaitGroup
}

var (
	jobs    = make(chan job)
	workers atomic.Int32
)

func workerCap() int32 { return int32(4*runtime.GOMAXPROCS(0) + 4) }

func teamWorker(j job) {
	for {
		j.fn(j.part)
		j.wg.Done()
		j = <-jobs
	}
}

func (t *team) run(parts int, fn func(part int)) {
	if parts <= 1 {
		fn(0)
		return
	}
	inline := 0 // parts p >= inline that found no worker run here
	for p := 1; p < parts; p++ {
		j := job{fn: fn, part: p, wg: &t.wg}
		t.wg.Add(1)
		select {
		case jobs <- j:
			continue
		default:
		}
		if workers.Add(1) <= workerCap() {
			go teamWorker(j)
			continue
		}
		workers.Add(-1)
		t.wg.Done()
		inline = p
		break
	}
	fn(0)
	if inline > 0 {
		for p := inline; p < parts; p++ {
			fn(p)
		}
	}
	t.wg.Wait()
}
