package engine

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/darkgo/darkgo/engine/preprocess"
)

// fastOp is implemented by layers that have a fast path. Layers without one
// run their reference forward inside sessions, which is always correct.
type fastOp interface {
	// prepareFast runs once after the weights are loaded (BN folding,
	// weight packing). It must not modify what forward reads.
	prepareFast(n *Net, l *Layer) error
	// scratch is the number of float32 of per-session workspace run needs.
	scratch(l *Layer) int
	// run computes the layer's output into out, which may hold stale data.
	run(s *Session, ins [][]float32, out []float32)
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
	work    []float32     // im2col and other scratch
	threads int
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
		outs: make([][]float32, len(n.Layers)), ins: make([][][]float32, len(n.Layers)), threads: n.threads}
	for i, l := range n.Layers {
		r := p.root[i]
		o := p.base[r] + p.offset[i]
		s.outs[i] = s.arena[o : o+l.Outputs : o+l.Outputs]
	}
	work := 0
	for i, l := range n.Layers {
		s.ins[i] = make([][]float32, len(l.Inputs))
		for j, k := range l.Inputs {
			if k < 0 {
				s.ins[i][j] = s.input
			} else {
				s.ins[i][j] = s.outs[k]
			}
		}
		if f, ok := l.op.(fastOp); ok {
			work = max(work, f.scratch(l))
		}
	}
	s.work = make([]float32, work)
	return s, nil
}

// SetThreads sets how many goroutines this session splits each layer over
// (n < 1: the Net's default).
func (s *Session) SetThreads(n int) {
	if n < 1 {
		n = s.net.threads
	}
	s.threads = n
}

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
	p := s.net.plan
	for i, l := range s.net.Layers[:end] {
		if !p.skip[i] {
			if f, ok := l.op.(fastOp); ok {
				f.run(s, s.ins[i], s.outs[i])
			} else {
				l.op.forward(s.ins[i], s.outs[i])
			}
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
