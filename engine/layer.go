package engine

import (
	"github.com/darkgo/darkgo/cfgparse"
)

// Layer is one node of the network graph: one section of the cfg file.
//
// The shape fields mirror what Darknet stores in its layer struct, so that
// summaries and tests can be compared with Darknet field by field: In is
// (l.c, l.h, l.w) and Out is (l.out_c, l.out_h, l.out_w). Like Darknet, a
// route whose inputs differ in width or height has Out = 0x0x0; Outputs is
// always the number of values the layer produces.
type Layer struct {
	Index   int    // position in the cfg (0 = first section after [net])
	Type    string // canonical section type, e.g. "convolutional"
	Name    string // "[route] #57": type and 1-based ordinal among its type
	Line    int    // line of the section header in the cfg
	Inputs  []int  // producer layers in the order forward reads them; -1 is the network input
	In      Shape
	Out     Shape
	Outputs int     // values produced (Out.Size() except for Darknet's 0-shaped cases)
	BFLOPs  float64 // Darknet's l.bflops
	Params  int     // float32 values this layer reads from the weights file

	op          op
	unsupported error // set when the shapes are known but darkgo cannot run the layer

	dontLoad, dontLoadScales bool // [section] dontload= / dontloadscales=: tensors absent from the .weights file
}

// op is what each layer type implements. Layer types live one per file; each
// registers a builder keyed by its section name (see register).
type op interface {
	// params lists the tensors the layer stores in the .weights file, in the
	// order Darknet's load_weights_upto reads them. Data is nil until the
	// weights are loaded; allocation happens only after the whole network has
	// passed its memory budget check.
	params() []param
	// forward is the plain reference computation. ins are the outputs of
	// Layer.Inputs, in order; out has Layer.Outputs values and may hold stale
	// data on entry.
	forward(ins [][]float32, out []float32)
}

// param is one parameter tensor of a layer.
type param struct {
	name string
	n    int
	dst  *[]float32 // where the loaded tensor is stored in the op
}

// preparer is implemented by ops that transform their parameters once after
// loading (for example connected layers stored transposed).
type preparer interface {
	prepare(n *Net) error
}

// builder makes the op for one section. It is given the Layer with Index,
// Type, Name, In (the previous layer's output, or the network input) and
// Inputs ([Index-1]) already set, and fills Out, Outputs (when it is not
// Out.Size()), BFLOPs and op; it may replace In and Inputs (route, shortcut).
type builder func(b *buildState, s *cfgparse.Section, l *Layer) error

var builders = map[string]builder{}

// register adds the builder for a section type. Called from init in each
// layer file.
func register(typ string, f builder) {
	if _, dup := builders[typ]; dup {
		panic("engine: layer type registered twice: " + typ)
	}
	builders[typ] = f
}

// Algorithm names how a session computes the layer when there is a choice
// (convolutions: "winograd", "direct", "gemm" for 1×1, "conv-gemm" with the
// im2col matrix packed on the fly, "grouped-gemm", "depthwise"), or "".
// It is known once the weights are loaded.
func (l *Layer) Algorithm() string {
	if a, ok := l.op.(interface{ algorithm() string }); ok {
		return a.algorithm()
	}
	return ""
}
