package engine

import "github.com/darkgo/darkgo/kernels"

// The fast [yolo] computes each plane straight from the input (no copy
// followed by passes in place), with the reference's formulas (the
// logistic vectorized, bit for bit expf's), and splits the planes across
// parts. With the plan's in-place storage the input and
// output are the same memory, which is fine for a per-element map.

func (y *yolo) prepareFast(*Net, *Layer) error { return nil }

func (y *yolo) scratch(*Layer) (int, int) { return 0, 0 }

func (y *yolo) bind(_ *Session, _ *Layer, ins [][]float32, out []float32, threads int) []step {
	in := ins[0]
	entries := y.p.Entries()
	planes := len(y.p.Mask) * entries
	return []step{split(planes, threads, func(p0, p1 int) { y.planes(in, out, p0, p1) })}
}

// planes transforms planes [p0,p1) of the [anchor][entry] tensor.
func (y *yolo) planes(in, out []float32, p0, p1 int) {
	plane := y.p.W * y.p.H
	entries := y.p.Entries()
	scale := y.p.ScaleXY
	shift := float32(-0.5 * (float64(scale) - 1))
	for p := p0; p < p1; p++ {
		src, dst := in[p*plane:(p+1)*plane], out[p*plane:(p+1)*plane]
		src = src[:len(dst)]
		e := p % entries
		switch {
		case e < 2 && !y.p.NewCoords:
			kernels.LogisticExact(dst, src)
			for i, t := range dst {
				dst[i] = t*scale + shift
			}
		case e < 2:
			for i, v := range src {
				dst[i] = v*scale + shift
			}
		case e < 4 || y.p.NewCoords:
			copy(dst, src)
		default:
			kernels.LogisticExact(dst, src)
		}
	}
}

// inplace: the output may overwrite the input (the head's conv output).
func (y *yolo) inplace(*Layer) (int, bool) { return 0, true }
