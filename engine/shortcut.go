package engine

import (
	"fmt"
	"math"

	"github.com/darkgo/darkgo/cfgparse"
)

// shortcut is Darknet's [shortcut] layer (src/shortcut_layer.c,
// shortcut_multilayer_cpu in src/blas.c): the previous layer's output plus
// the outputs of the layers in from=, optionally weighted, then an
// activation.
//
// The addition is by flat index: output element i gets from-layer element i
// only if i < that layer's output count. So a from-layer with fewer channels
// (same w/h) is added to the first channels only, and extra elements of a
// bigger one are ignored. The output has the previous layer's shape.
type shortcut struct {
	act       Activation
	wtype     shortcutWeights
	norm      shortcutNorm
	out       Shape
	fromSizes []int // Outputs of each from-layer
	weights   []float32
}

type shortcutWeights int

const (
	noWeights  shortcutWeights = iota
	perFeature                 // one weight per input (previous layer and each from-layer)
	perChannel                 // one weight per input and channel
)

type shortcutNorm int

const (
	noNorm      shortcutNorm = iota // weights used as they are
	reluNorm                        // relu(w) / (eps + sum of relu(w) over the inputs)
	softmaxNorm                     // exp(w-max) / (eps + sum of exp(w-max) over the inputs)
)

func init() { register("shortcut", buildShortcut) }

func buildShortcut(b *buildState, s *cfgparse.Section, l *Layer) error {
	sc := &shortcut{}
	var err error
	if sc.act, err = parseActivation(s.String("activation", "linear")); err != nil {
		return s.Errorf("activation", "%v", err)
	}
	switch wt := s.String("weights_type", "none"); wt {
	case "none":
	case "per_feature", "per_layer":
		sc.wtype = perFeature
	case "per_channel":
		sc.wtype = perChannel
	default:
		return s.Errorf("weights_type", "unknown weights_type %q (use none, per_feature or per_channel)", wt)
	}
	// Darknet aborts when weights_type is set without a normalization
	// (parser check); darkgo runs such a layer with the raw weights, which is
	// what Darknet's forward code would compute.
	switch wn := s.String("weights_normalization", "none"); wn {
	case "none":
	case "relu", "avg_relu":
		sc.norm = reluNorm
	case "softmax":
		sc.norm = softmaxNorm
	default:
		return s.Errorf("weights_normalization", "unknown weights_normalization %q (use none, relu or softmax)", wn)
	}
	refs := s.Ints("from")
	if err := s.Err(); err != nil {
		return err
	}
	if len(refs) == 0 {
		return s.Errorf("from", "a shortcut needs from = ... (the layers it adds)")
	}
	if l.In.Size() <= 0 {
		return fmt.Errorf("input %v is empty (Darknet's route with mismatched inputs has no shape)", l.In)
	}
	l.Inputs = []int{l.Index - 1}
	for _, v := range refs {
		idx, err := b.ref(l, v)
		if err != nil {
			return s.Errorf("from", "%v", err)
		}
		l.Inputs = append(l.Inputs, idx)
		sc.fromSizes = append(sc.fromSizes, b.layers[idx].Outputs)
	}
	sc.out = l.In
	l.Out = l.In
	n := len(refs)
	l.BFLOPs = float64(l.Out.Size()) * float64(n) / 1e9
	if sc.wtype != noWeights {
		l.BFLOPs *= 2
	}
	l.BFLOPs = float64(float32(l.BFLOPs))
	l.Params = sc.nweights()
	l.op = sc
	return nil
}

// nweights is Darknet's l.nweights: (n+1) or (n+1)*c.
func (sc *shortcut) nweights() int {
	switch sc.wtype {
	case perFeature:
		return len(sc.fromSizes) + 1
	case perChannel:
		return (len(sc.fromSizes) + 1) * sc.out.C
	}
	return 0
}

func (sc *shortcut) params() []param {
	if sc.wtype == noWeights {
		return nil
	}
	return []param{{"weights", sc.nweights(), &sc.weights}}
}

// inputWeights returns the normalized weight of every input (previous layer
// first) for channel ch, computed in float like shortcut_multilayer_cpu.
func (sc *shortcut) inputWeights(ch int, w []float32) {
	step := 1 // weights of one input: 1 (per_feature) or c (per_channel)
	if sc.wtype == perChannel {
		step = sc.out.C
	} else {
		ch = 0
	}
	maxv := float32(-math.MaxFloat32)
	for i := range w {
		w[i] = sc.weights[ch+i*step]
		maxv = max(maxv, w[i])
	}
	if sc.norm == noNorm {
		return
	}
	const eps = 0.0001
	sum := float32(eps)
	for i, v := range w {
		if sc.norm == reluNorm {
			w[i] = max(v, 0)
		} else {
			w[i] = expf(v - maxv)
		}
		sum += w[i]
	}
	for i := range w {
		w[i] /= sum
	}
}

func (sc *shortcut) forward(ins [][]float32, out []float32) {
	prev, from := ins[0], ins[1:]
	plane := sc.out.H * sc.out.W
	if sc.wtype == noWeights {
		copy(out, prev[:len(out)])
		for j, f := range from {
			n := min(sc.fromSizes[j], len(out))
			for i := 0; i < n; i++ {
				out[i] += f[i]
			}
		}
	} else {
		w := make([]float32, len(from)+1)
		for ch := 0; ch < sc.out.C; ch++ {
			sc.inputWeights(ch, w)
			for i := ch * plane; i < (ch+1)*plane; i++ {
				v := prev[i] * w[0]
				for j, f := range from {
					if i < sc.fromSizes[j] {
						v += f[i] * w[j+1]
					}
				}
				out[i] = v
			}
		}
	}
	activateArray(out, sc.act, sc.out.C, plane)
}
