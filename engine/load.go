package engine

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/darkgo/darkgo/kernels"
	"github.com/darkgo/darkgo/weights"
)

// weightLayers allocates every parameter tensor (the budget was checked at
// build time) and describes them for the weights package.
func (n *Net) weightLayers() []weights.Layer {
	var ls []weights.Layer
	for _, l := range n.Layers {
		ps := l.op.params()
		if len(ps) == 0 {
			continue
		}
		wl := weights.Layer{Index: l.Index, Name: l.Name}
		for _, p := range ps {
			*p.dst = make([]float32, p.n)
			// dontload=1 / dontloadscales=1: Darknet skips these tensors in
			// the file and keeps its initial values; darkgo uses neutral ones.
			if l.dontLoad || (l.dontLoadScales && isBNTensor(p.name)) {
				if p.name == "scales" || p.name == "rolling_variance" {
					kernels.Fill(*p.dst, 1)
				}
				continue
			}
			wl.Tensors = append(wl.Tensors, weights.Tensor{Name: p.name, Data: *p.dst})
		}
		if len(wl.Tensors) > 0 {
			ls = append(ls, wl)
		}
	}
	return ls
}

func isBNTensor(name string) bool {
	return name == "scales" || name == "rolling_mean" || name == "rolling_variance"
}

// LoadWeights reads a Darknet .weights file (gzip-compressed files are
// recognised) into the network. name is used in error messages.
func (n *Net) LoadWeights(r io.Reader, name string) error {
	if n.loaded {
		return errors.New("engine: weights already loaded")
	}
	if err := n.runnable(); err != nil {
		return err
	}
	br := newPeekReader(r)
	if magic, _ := br.peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		defer zr.Close()
		r = zr
	} else {
		r = br
	}
	h, err := weights.Read(r, name, n.weightLayers())
	if err != nil {
		return err
	}
	n.Header = h
	return n.finishLoad()
}

// LoadWeightsFile is LoadWeights on a file path.
func (n *Net) LoadWeightsFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return n.LoadWeights(f, path)
}

// SyntheticWeights fills the network with deterministic pseudo-random
// parameters, scaled like Darknet's own initialisation so activations stay
// in a realistic range. It lets any cfg be run and timed without a weights
// file.
func (n *Net) SyntheticWeights(seed uint64) error {
	if n.loaded {
		return errors.New("engine: weights already loaded")
	}
	if err := n.runnable(); err != nil {
		return err
	}
	rng := splitmix64(seed)
	for _, wl := range n.weightLayers() {
		l := n.Layers[wl.Index]
		fanIn := max(l.In.C*l.In.H*l.In.W, 1)
		if c, ok := l.op.(*convolutional); ok {
			fanIn = max(c.in.C/c.groups*c.size*c.size, 1)
		}
		for _, t := range wl.Tensors {
			lo, hi := -0.1, 0.1
			switch {
			case strings.HasSuffix(t.Name, "weights") && t.Name == "weights":
				a := math.Sqrt(3 / float64(fanIn))
				lo, hi = -a, a
			case t.Name == "scales" || t.Name == "rolling_variance":
				lo, hi = 0.8, 1.2
			}
			for i := range t.Data {
				t.Data[i] = float32(lo + (hi-lo)*rng.float())
			}
		}
	}
	n.Header = weights.DefaultHeader()
	return n.finishLoad()
}

func (n *Net) finishLoad() error {
	for _, l := range n.Layers {
		if p, ok := l.op.(preparer); ok {
			if err := p.prepare(n); err != nil {
				return &LayerError{File: n.File, Line: l.Line, Index: l.Index, Name: l.Name, Err: err}
			}
		}
	}
	if err := n.prepareFast(); err != nil {
		return err
	}
	n.loaded = true
	return nil
}

// runnable reports the first layer darkgo can describe but not run.
func (n *Net) runnable() error {
	for _, l := range n.Layers {
		if l.unsupported != nil {
			return l.unsupported
		}
	}
	return nil
}

type rng struct{ s uint64 }

func splitmix64(seed uint64) *rng { return &rng{seed} }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// float returns a uniform value in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// peekReader lets LoadWeights look at the first bytes without losing them.
type peekReader struct {
	r   io.Reader
	buf []byte
}

func newPeekReader(r io.Reader) *peekReader { return &peekReader{r: r} }

func (p *peekReader) peek(k int) ([]byte, error) {
	for len(p.buf) < k {
		tmp := make([]byte, k-len(p.buf))
		m, err := p.r.Read(tmp)
		p.buf = append(p.buf, tmp[:m]...)
		if err != nil {
			return p.buf, err
		}
	}
	return p.buf[:k], nil
}

func (p *peekReader) Read(b []byte) (int, error) {
	if len(p.buf) > 0 {
		k := copy(b, p.buf)
		p.buf = p.buf[k:]
		return k, nil
	}
	return p.r.Read(b)
}
