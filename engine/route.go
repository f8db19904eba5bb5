package engine

import (
	"fmt"

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
		warnUnevenGroups(b, s, l.Index, idx, r.groups)
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

// warnUnevenGroups warns when groups= does not divide the channels of
// input layer idx. Darknet floors silently: the route's shape claims
// c/groups channels of that input (the c%groups others are dropped), while
// the values copied per group are floor(outputs/groups), which then start
// and end mid-channel.
func warnUnevenGroups(b *buildState, s *cfgparse.Section, index, idx, groups int) {
	in := b.layers[idx]
	c := in.Out.C
	if groups <= 1 || c <= 0 || c%groups == 0 {
		return
	}
	plane := in.Outputs / c
	part := in.Outputs / groups
	msg := fmt.Sprintf("layer %d: groups=%d does not divide the %d channels of layer %d: as in Darknet the output counts %d/%d = %d channels of it per group (%s dropped)",
		index, groups, c, idx, c, groups, c/groups, plural(c%groups, "channel"))
	if plane > 0 && part%plane != 0 {
		msg += fmt.Sprintf(", and each group copies %d values (%g channels), so groups after the first start mid-channel", part, float64(part)/float64(plane))
	}
	b.warnings = append(b.warnings, sectionWarning(s, "groups", msg))
}

// plural is "1 channel" / "3 channels".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
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
