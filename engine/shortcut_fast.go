package engine

// The fast [shortcut] computes the reference's per-element sums (same
// operands, same order) channel by channel, split across parts, and
// activates each channel range right after. The plan may give it its
// previous layer's storage (in place): each element is read before it is
// written, by the same part.

func (sc *shortcut) prepareFast(*Net, *Layer) error { return nil }

// scratch holds one channel's input weights.
func (sc *shortcut) scratch(*Layer) (int, int) { return len(sc.fromSizes) + 1, 0 }

// inplace: the output may overwrite the previous layer's output, which has
// the same shape.
func (sc *shortcut) inplace(*Layer) (int, bool) { return 0, true }

func (sc *shortcut) bind(s *Session, _ *Layer, ins [][]float32, out []float32, threads int) []step {
	prev, from := ins[0], ins[1:]
	plane := sc.out.H * sc.out.W
	if sc.act.perChannel() {
		// normalize_channels mixes channels: sums split, activation whole.
		return []step{
			splitSlot(sc.out.C, threads, func(p, c0, c1 int) { sc.channels(prev, from, out, c0, c1, s.work[p]) }),
			{parts: 1, fn: func(int, int) { activateArray(out, sc.act, sc.out.C, plane) }},
		}
	}
	return []step{splitSlot(sc.out.C, threads, func(p, c0, c1 int) {
		sc.channels(prev, from, out, c0, c1, s.work[p])
		activateArray(out[c0*plane:c1*plane], sc.act, c1-c0, plane)
	})}
}

// channels computes the sums of channels [c0,c1) as the reference does.
func (sc *shortcut) channels(prev []float32, from [][]float32, out []float32, c0, c1 int, work []float32) {
	plane := sc.out.H * sc.out.W
	lo, hi := c0*plane, c1*plane
	if sc.wtype == noWeights {
		copy(out[lo:hi], prev[lo:hi])
		for j, f := range from {
			if e := min(sc.fromSizes[j], hi); lo < e {
				dst, src := out[lo:e], f[lo:e]
				for i, v := range src {
					dst[i] += v
				}
			}
		}
		return
	}
	w := work[:len(from)+1]
	for ch := c0; ch < c1; ch++ {
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
