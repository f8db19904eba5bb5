package engine

import (
	"fmt"

	"github.com/darkgo/darkgo/cfgparse"
)

// upsample is Darknet's [upsample] layer (src/upsample_layer.c, upsample_cpu
// in src/blas.c): nearest-neighbour upsampling by stride, values multiplied
// by scale. A negative stride reverses it: each output is scale times the
// SUM (not the mean) of a stride x stride block.
type upsample struct {
	stride  int
	reverse bool
	scale   float32
	in, out Shape
}

func init() { register("upsample", buildUpsample) }

func buildUpsample(b *buildState, s *cfgparse.Section, l *Layer) error {
	u := &upsample{stride: s.Int("stride", 2), scale: float32(s.Float("scale", 1)), in: l.In}
	if u.stride < 0 {
		u.stride, u.reverse = -u.stride, true
	}
	if err := positive(s, "stride", u.stride); err != nil {
		return err
	}
	if err := checkShape(l.In); err != nil {
		return fmt.Errorf("input %v: %v (the layer before upsample must output an image)", l.In, err)
	}
	if u.reverse {
		u.out = Shape{C: l.In.C, H: l.In.H / u.stride, W: l.In.W / u.stride}
	} else {
		u.out = Shape{C: l.In.C, H: l.In.H * u.stride, W: l.In.W * u.stride}
	}
	if err := checkShape(u.out); err != nil {
		return fmt.Errorf("output %v: %v", u.out, err)
	}
	l.Out = u.out
	l.op = u
	return nil
}

func (u *upsample) params() []param { return nil }

func (u *upsample) forward(ins [][]float32, out []float32) {
	in := ins[0]
	s := u.stride
	if !u.reverse {
		w, h := u.in.W, u.in.H
		for k := 0; k < u.in.C; k++ {
			for y := 0; y < h*s; y++ {
				for x := 0; x < w*s; x++ {
					out[(k*h*s+y)*w*s+x] = u.scale * in[(k*h+y/s)*w+x/s]
				}
			}
		}
		return
	}
	// Darknet indexes the input as if it were exactly out*stride wide and
	// high, so with sizes that are not multiples of stride the blocks are
	// taken from the flat input with that pitch (mirrored here).
	w, h := u.out.W, u.out.H
	clear(out)
	for k := 0; k < u.in.C; k++ {
		for y := 0; y < h*s; y++ {
			for x := 0; x < w*s; x++ {
				out[(k*h+y/s)*w+x/s] += u.scale * in[k*w*h*s*s+y*w*s+x]
			}
		}
	}
}
