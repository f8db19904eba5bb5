package engine

import (
	"github.com/darkgo/darkgo/cfgparse"
)

// route is Darknet's [route] layer (src/route_layer.c): it concatenates the
// outputs of the listed layers. With groups=G and group_id=g it takes, from
// EACH input, the g-th of G equal contiguous parts of that input's output
// (for an image, channels [g*c/G, (g+1)*c/G)) and concatenates those.
type route struct {
	groups, groupID int
	sizes           []int // Outputs of each input layer
}

func init() { register("route", buildRoute) }

func buildRoute(b *buildState, s *cfgparse.Section, l *Layer) error {
	refs := s.Ints("layers")
	if err := s.Err(); err != nil {
		return err
	}
	if len(refs) == 0 {
		return s.Errorf("layers", "a route needs layers = ... (the layers it concatenates)")
	}
	r := &route{groups: s.Int("groups", 1), groupID: s.Int("group_id", 0)}
	consume(s, "stream", "wait_stream") // GPU stream scheduling
	if err := positive(s, "groups", r.groups); err != nil {
		return err
	}
	if r.groupID < 0 || r.groupID >= r.groups {
		// Darknet would read past the end of the input layers.
		return s.Errorf("group_id", "must be between 0 and groups-1 = %d, got %d", r.groups-1, r.groupID)
	}
	l.Inputs = make([]int, len(refs))
	total := 0
	for i, v := range refs {
		idx, err := b.ref(l, v)
		if err != nil {
			return s.Errorf("layers", "%v", err)
		}
		l.Inputs[i] = idx
		r.sizes = append(r.sizes, b.layers[idx].Outputs)
		total += b.layers[idx].Outputs
	}
	// Shapes exactly as parse_route computes them: channels add up while the
	// inputs' w/h match the first input's; on a mismatch Darknet zeroes all
	// three (and goes on adding the channels of later inputs that match).
	// The element count is always the sum of the inputs' sizes / groups.
	first := b.layers[l.Inputs[0]]
	out := first.Out
	for _, idx := range l.Inputs[1:] {
		next := b.layers[idx].Out
		if next.W == first.Out.W && next.H == first.Out.H {
			out.C += next.C
		} else {
			out = Shape{}
		}
	}
	out.C /= r.groups
	l.Out = out
	l.Outputs = total / r.groups
	// Darknet's route stores l.w, l.h of its first input layer's INPUT and
	// l.c = out_c; mirrored here for summaries.
	l.In = Shape{C: out.C, H: first.In.H, W: first.In.W}
	l.op = r
	return nil
}

func (r *route) params() []param { return nil }

// forward copies part groupID of every input, one after the other. When the
// inputs' sizes are not multiples of groups, the parts cover less than the
// output; the rest stays zero, as Darknet's calloc'ed buffer does.
func (r *route) forward(ins [][]float32, out []float32) {
	off := 0
	for i, in := range ins {
		part := r.sizes[i] / r.groups
		copy(out[off:off+part], in[part*r.groupID:part*(r.groupID+1)])
		off += part
	}
	clear(out[off:])
}
