package engine

// A route the memory plan could not turn into a view or a direct
// concatenation copies its parts, or those the plan could not have
// written in place (views, the network input, an input read by two
// concatenations; groups over several inputs copy everything). The output is split into
// equal element ranges, one per part, each copying the pieces of the inputs
// that land in it.

func (r *route) prepareFast(*Net, *Layer) error { return nil }

func (r *route) scratch(*Layer) (int, int) { return 0, 0 }

func (r *route) bind(s *Session, l *Layer, ins [][]float32, out []float32, threads int) []step {
	// src[i] is the part of input i that goes to out[off[i]:off[i+1]];
	// nil when the plan had the input written there already.
	placed := s.plan.placed[l.Index]
	src := make([][]float32, len(ins))
	off := make([]int, len(ins)+1)
	for i, in := range ins {
		part := r.sizes[i] / r.groups
		if placed == nil || !placed[i] {
			src[i] = in[part*r.groupID : part*(r.groupID+1)]
		}
		off[i+1] = off[i] + part
	}
	total := len(out)
	// Copies below about 64 KiB are not worth a hand-off.
	return []step{splitMin(total, 16<<10, threads, func(_, lo, hi int) {
		for i, s := range src {
			if a, b := max(lo, off[i]), min(hi, off[i+1]); a < b && s != nil {
				copy(out[a:b], s[a-off[i]:b-off[i]])
			}
		}
		// The tail the parts do not cover stays zero, as in Darknet.
		if a := max(lo, off[len(src)]); a < hi {
			clear(out[a:hi])
		}
	})}
}
