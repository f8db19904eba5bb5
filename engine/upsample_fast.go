package engine

import "github.com/darkgo/darkgo/kernels"

// The fast upsample writes each output row once from its input row and
// copies it to the stride-1 rows below; channels are split across parts.
// The reverse (sum-pooling) form is rare and runs the reference.

func (u *upsample) prepareFast(*Net, *Layer) error { return nil }

func (u *upsample) scratch(*Layer) (int, int) { return 0, 0 }

func (u *upsample) bind(_ *Session, _ *Layer, ins [][]float32, out []float32, threads int) []step {
	in := ins[0]
	if u.reverse {
		return []step{{parts: 1, fn: func(int, int) { u.forward(ins, out) }}}
	}
	return []step{split(u.in.C, threads, func(c0, c1 int) { u.channels(in, out, c0, c1) })}
}

// channels upsamples channels [c0,c1): out = scale·in, as the reference
// computes each value.
func (u *upsample) channels(in, out []float32, c0, c1 int) {
	s, w, h := u.stride, u.in.W, u.in.H
	ow := w * s
	for k := c0; k < c1; k++ {
		for y := 0; y < h; y++ {
			src := in[(k*h+y)*w : (k*h+y+1)*w]
			base := (k*h*s + y*s) * ow
			row := out[base : base+ow]
			if s == 2 {
				kernels.Repeat2(row, src, u.scale)
			} else {
				for x, v := range src {
					v *= u.scale
					seg := row[x*s : x*s+s]
					for i := range seg {
						seg[i] = v
					}
				}
			}
			for r := 1; r < s; r++ {
				copy(out[base+r*ow:base+(r+1)*ow], row)
			}
		}
	}
}
