package engine

import (
	"fmt"

	"github.com/darkgo/darkgo/cfgparse"
)

// reorg3d is Darknet's [reorg3d] layer (REORG, src/reorg_layer.c): a
// space-to-depth by stride (output channel (dy*stride+dx)*c + ch holds pixel
// (x*stride+dx, y*stride+dy) of input channel ch), or depth-to-space with
// reverse=1. It shares Darknet's reorg_cpu with the old [reorg] layer but
// calls it with the OUTPUT shape, which gives a different element order
// (see reorg.go).
type reorg3d struct {
	stride  int
	reverse bool
	out     Shape
}

func init() { register("reorg3d", buildReorg3d) }

// readReorg reads the options parse_reorg and parse_reorg_old share and
// computes the output shape both layers get.
func readReorg(s *cfgparse.Section, in Shape) (stride int, reverse bool, out Shape, err error) {
	stride = s.Int("stride", 1)
	reverse = s.Int("reverse", 0) != 0
	if err := positive(s, "stride", stride); err != nil {
		return 0, false, Shape{}, err
	}
	if err := checkShape(in); err != nil {
		return 0, false, Shape{}, fmt.Errorf("input %v: %v (the layer before reorg must output an image)", in, err)
	}
	ss := stride * stride
	if ss > maxDim {
		return 0, false, Shape{}, s.Errorf("stride", "stride=%d is too large", stride)
	}
	if reverse {
		out = Shape{C: in.C / ss, H: in.H * stride, W: in.W * stride}
	} else {
		out = Shape{C: in.C * ss, H: in.H / stride, W: in.W / stride}
	}
	if err := checkShape(out); err != nil {
		return 0, false, Shape{}, fmt.Errorf("output %v: %v", out, err)
	}
	return stride, reverse, out, nil
}

func buildReorg3d(b *buildState, s *cfgparse.Section, l *Layer) error {
	stride, reverse, out, err := readReorg(s, l.In)
	if err != nil {
		return err
	}
	if reverse && (out.C%(stride*stride) != 0) {
		// reorg_cpu is then called with c = out_c, whose stride*stride-th part
		// must be whole, or Darknet indexes out of bounds.
		return s.Errorf("reverse", "reverse=1 needs input channels / stride^2 (%d) to be a multiple of stride^2 = %d", out.C, stride*stride)
	}
	l.Out = out
	l.op = &reorg3d{stride: stride, reverse: reverse, out: out}
	return nil
}

func (r *reorg3d) params() []param { return nil }

func (r *reorg3d) forward(ins [][]float32, out []float32) {
	reorgCPU(ins[0], r.out.W, r.out.H, r.out.C, r.stride, r.reverse, out)
}

// reorgCPU is the index mapping of Darknet's reorg_cpu(x, w, h, c, batch=1,
// stride, forward, out): element (i, j, k) of a w x h x c tensor corresponds
// to element (i*stride + off%stride, j*stride + off/stride, k%(c/stride^2))
// of a (w*stride) x (h*stride) x (c/stride^2) tensor, off = k/(c/stride^2).
// With forward the small-indexed x is scattered to the big-indexed out,
// otherwise the big-indexed x is gathered into the small-indexed out.
// Callers guarantee c is a multiple of stride^2 and both index ranges fit.
func reorgCPU(x []float32, w, h, c, stride int, forward bool, out []float32) {
	inC := c / (stride * stride)
	for k := 0; k < c; k++ {
		c2 := k % inC
		off := k / inC
		for j := 0; j < h; j++ {
			h2 := j*stride + off/stride
			for i := 0; i < w; i++ {
				w2 := i*stride + off%stride
				small := i + w*(j+h*k)
				big := w2 + w*stride*(h2+h*stride*c2)
				if forward {
					out[big] = x[small]
				} else {
					out[small] = x[big]
				}
			}
		}
	}
}
