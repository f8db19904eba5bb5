package engine

import (
	"github.com/darkgo/darkgo/cfgparse"
)

// reorg is Darknet's old [reorg] layer (REORG_OLD, src/reorg_old_layer.c),
// the YOLOv2 passthrough. It has [reorg3d]'s output shape, but calls
// reorg_cpu with the INPUT shape and the opposite direction, so the output
// is the input's elements in another order: it treats the w x h x c input as
// a (w*stride) x (h*stride) x (c/stride^2) tensor and space-to-depths that
// into w x h x c, then relabels the result as (w/stride) x (h/stride) x
// (c*stride^2). Pretrained YOLOv2 weights depend on this exact order.
type reorg struct {
	stride  int
	reverse bool
	in      Shape
}

func init() { register("reorg", buildReorg) }

func buildReorg(b *buildState, s *cfgparse.Section, l *Layer) error {
	stride, reverse, out, err := readReorg(s, l.In)
	if err != nil {
		return err
	}
	ss := stride * stride
	if l.In.C%ss != 0 {
		// Darknet then indexes out of bounds.
		return s.Errorf("stride", "[reorg] needs the input channels (%d) to be a multiple of stride^2 = %d", l.In.C, ss)
	}
	if !reverse && (l.In.W%stride != 0 || l.In.H%stride != 0) {
		// The output holds fewer elements than the input; Darknet writes
		// past its end.
		return s.Errorf("stride", "[reorg] needs the input width and height (%dx%d) to be multiples of stride=%d", l.In.W, l.In.H, stride)
	}
	l.Out = out
	l.op = &reorg{stride: stride, reverse: reverse, in: l.In}
	return nil
}

func (r *reorg) params() []param { return nil }

func (r *reorg) forward(ins [][]float32, out []float32) {
	// forward_reorg_old_layer: reorg_cpu(input, l.w, l.h, l.c, ...,
	// l.reverse, output).
	reorgCPU(ins[0], r.in.W, r.in.H, r.in.C, r.stride, r.reverse, out)
}
