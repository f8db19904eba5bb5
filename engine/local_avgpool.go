package engine

import (
	"github.com/darkgo/darkgo/cfgparse"
)

// localAvgpool is Darknet's [local_avgpool] / [local_avg] layer: a strided
// average pool with maxpool's window geometry (see pool2d), averaging only
// the in-range positions of each window.
type localAvgpool struct{ pool2d }

func init() { register("local_avgpool", buildLocalAvgpool) }

func buildLocalAvgpool(b *buildState, s *cfgparse.Section, l *Layer) error {
	p, err := readPool2d(s, l.In)
	if err != nil {
		return err
	}
	if err := p.geometry(); err != nil {
		return err
	}
	a := &localAvgpool{p}
	l.Out = a.out
	l.BFLOPs = a.bflops(a.out.H, a.out.W)
	l.op = a
	return nil
}

func (a *localAvgpool) params() []param { return nil }

// forward sums the in-range window positions in Darknet's order and divides
// by their count. A window entirely outside the input gives 0/0 = NaN, as in
// Darknet (only possible with padding >= 2*size).
func (a *localAvgpool) forward(ins [][]float32, out []float32) {
	in := ins[0]
	h, w := a.in.H, a.in.W
	oh, ow := a.out.H, a.out.W
	off := -a.padding / 2
	for k := 0; k < a.in.C; k++ {
		src := in[k*h*w : (k+1)*h*w]
		dst := out[k*oh*ow : (k+1)*oh*ow]
		for oy := 0; oy < oh; oy++ {
			for ox := 0; ox < ow; ox++ {
				var sum float32
				n := 0
				for dy := 0; dy < a.size; dy++ {
					y := off + oy*a.strideY + dy
					if y < 0 || y >= h {
						continue
					}
					for dx := 0; dx < a.size; dx++ {
						x := off + ox*a.strideX + dx
						if x >= 0 && x < w {
							sum += src[y*w+x]
							n++
						}
					}
				}
				dst[oy*ow+ox] = sum / float32(n)
			}
		}
	}
}
