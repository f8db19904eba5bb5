package engine

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/darkgo/darkgo/cfgparse"
)

// Edge cases of the pooling, routing and reshaping layers that the golden
// cases do not cover: odd sizes, Darknet's quirks spelled out on small
// hand-checked inputs, and configurations that must be refused.

// edgeNet builds a cfg given as [net] options plus sections.
func edgeNet(t *testing.T, text string) (*Net, error) {
	t.Helper()
	cfg, err := cfgparse.Parse("edge.cfg", []byte(text))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return Build(cfg, nil)
}

func mustEdgeNet(t *testing.T, text string) *Net {
	t.Helper()
	n, err := edgeNet(t, text)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// runEdge loads synthetic weights (overwritten by set, if given) and runs
// the reference forward on in.
func runEdge(t *testing.T, n *Net, in []float32, set func(n *Net)) [][]float32 {
	t.Helper()
	if err := n.SyntheticWeights(7); err != nil {
		t.Fatal(err)
	}
	if set != nil {
		set(n)
	}
	outs, err := n.ForwardReference(in)
	if err != nil {
		t.Fatal(err)
	}
	return outs
}

// ramp is a deterministic input with distinct, signed values.
func ramp(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(math.Sin(float64(i)*1.3)) * float32(1+i%5)
	}
	return v
}

func equalF32(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] && !(math.IsNaN(float64(got[i])) && math.IsNaN(float64(want[i]))) {
			if math.Abs(float64(got[i]-want[i])) > 1e-6*math.Max(1, math.Abs(float64(want[i]))) {
				t.Fatalf("%s[%d] = %v, want %v", what, i, got[i], want[i])
			}
		}
	}
}

// naiveMax is the textbook window maximum over in-range positions.
func naiveMax(in []float32, c, h, w, size, sx, sy, pad, oh, ow int) []float32 {
	out := make([]float32, c*oh*ow)
	for k := 0; k < c; k++ {
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				v := float32(-math.MaxFloat32)
				for dy := 0; dy < size; dy++ {
					for dx := 0; dx < size; dx++ {
						iy, ix := y*sy-pad/2+dy, x*sx-pad/2+dx
						if iy >= 0 && iy < h && ix >= 0 && ix < w {
							v = max(v, in[(k*h+iy)*w+ix])
						}
					}
				}
				out[(k*oh+y)*ow+x] = v
			}
		}
	}
	return out
}

func TestMaxpoolOddSizes(t *testing.T) {
	// Paths that Darknet computes like the textbook definition: strided
	// windows, stride_x != stride_y, stride-1 rows too narrow for an 8-wide
	// block (width 10, size 3), and vector blocks whose lane 0 is always in
	// range (size 2, padding 1: no left padding).
	for _, tc := range []struct {
		w, h, size, sx, sy, pad int
	}{
		{7, 5, 2, 2, 2, 1}, {7, 5, 3, 2, 2, 2}, {9, 9, 3, 3, 3, 2}, {5, 7, 2, 1, 2, 1},
		{10, 3, 3, 1, 1, 2}, {13, 13, 2, 1, 1, 1}, {6, 6, 4, 3, 3, 0}, {3, 3, 5, 2, 2, 4},
	} {
		text := "[net]\nwidth=" + itoa(tc.w) + "\nheight=" + itoa(tc.h) + "\nchannels=2\n[maxpool]\nsize=" + itoa(tc.size) +
			"\nstride_x=" + itoa(tc.sx) + "\nstride_y=" + itoa(tc.sy) + "\npadding=" + itoa(tc.pad) + "\n"
		n := mustEdgeNet(t, text)
		oh, ow := (tc.h+tc.pad-tc.size)/tc.sy+1, (tc.w+tc.pad-tc.size)/tc.sx+1
		if got := n.Layers[0].Out; got != (Shape{C: 2, H: oh, W: ow}) {
			t.Fatalf("%+v: out %v, want %dx%dx2", tc, got, ow, oh)
		}
		in := ramp(n.Input.Size())
		outs := runEdge(t, n, in, nil)
		equalF32(t, "maxpool", outs[0], naiveMax(in, 2, tc.h, tc.w, tc.size, tc.sx, tc.sy, tc.pad, oh, ow))
	}
}

func TestMaxpoolAVXQuirk(t *testing.T) {
	// Stride 1, size 3, padding 2 on a 20-wide row: Darknet computes
	// outputs in 8-wide AVX blocks while j < out_w-8-(size-1) = 10 (blocks
	// at 0 and 8), the rest one by one. The bounds check looks at lane 0
	// only, so in the first block the window column at x=-1 is dropped for
	// all 8 lanes: output j (1..7) ignores input j-1. Everything else is
	// exact.
	n := mustEdgeNet(t, "[net]\nwidth=20\nheight=1\nchannels=1\n[maxpool]\nsize=3\nstride=1\n")
	in := make([]float32, 20)
	for i := range in {
		in[i] = float32(20 - i) // decreasing: the left neighbour is always the max
	}
	out := runEdge(t, n, in, nil)[0]
	want := naiveMax(in, 1, 1, 20, 3, 1, 1, 2, 1, 20)
	for j := 1; j < 8; j++ {
		want[j] = in[j] // max of in[j], in[j+1], without in[j-1]
	}
	equalF32(t, "maxpool k3 s1", out, want)

	// Size 2, stride 2, padding 2: the window of output j covers inputs
	// 2j-1 and 2j. The 4-wide AVX block for outputs 0..3 checks lane 0's
	// x=-1 and skips every row, leaving -FLT_MAX; outputs 4.. are exact.
	n = mustEdgeNet(t, "[net]\nwidth=16\nheight=2\nchannels=1\n[maxpool]\nsize=2\nstride=2\npadding=2\n")
	in = ramp(32)
	out = runEdge(t, n, in, nil)[0]
	want = naiveMax(in, 1, 2, 16, 2, 2, 2, 2, 2, 9)
	for _, j := range []int{0, 1, 2, 3, 9, 10, 11, 12} {
		want[j] = -math.MaxFloat32
	}
	equalF32(t, "maxpool k2 s2 padding 2", out, want)
}

func itoa(v int) string {
	if v < 0 {
		return "-" + itoa(-v)
	}
	if v < 10 {
		return string(rune('0' + v))
	}
	return itoa(v/10) + string(rune('0'+v%10))
}

func TestMaxpoolDepth(t *testing.T) {
	// out_channels larger than c/2: channel g takes k = g, g+3, ...; with
	// out_channels > c a group is empty and gives -FLT_MAX.
	n := mustEdgeNet(t, "[net]\nwidth=3\nheight=2\nchannels=5\n[maxpool]\nmaxpool_depth=1\nout_channels=3\nsize=1\nstride=1\n"+
		"[maxpool]\nmaxpool_depth=1\nout_channels=4\n")
	in := ramp(30)
	outs := runEdge(t, n, in, nil)
	want := make([]float32, 18)
	for g := 0; g < 3; g++ {
		for i := 0; i < 6; i++ {
			v := in[g*6+i]
			if g+3 < 5 {
				v = max(v, in[(g+3)*6+i])
			}
			want[g*6+i] = v
		}
	}
	equalF32(t, "maxpool_depth", outs[0], want)
	want2 := append(append([]float32{}, want...), make([]float32, 6)...)
	for i := 18; i < 24; i++ {
		want2[i] = -math.MaxFloat32
	}
	equalF32(t, "maxpool_depth out_channels > c", outs[1], want2)
	if l := n.Layers[0]; !closeRel(l.BFLOPs, 1*1*5*2*3/1e9, 1e-6) { // size*size*c*out_h*out_w, c of the input
		t.Errorf("bflops %g", l.BFLOPs)
	}
}

func TestLocalAvgpoolEdges(t *testing.T) {
	// 5x3, size 3 stride 2, default padding 2: border windows average only
	// their in-range inputs.
	n := mustEdgeNet(t, "[net]\nwidth=5\nheight=3\nchannels=1\n[local_avgpool]\nsize=3\nstride=2\n")
	in := ramp(15)
	out := runEdge(t, n, in, nil)[0]
	if n.Layers[0].Out != (Shape{C: 1, H: 2, W: 3}) {
		t.Fatalf("out %v", n.Layers[0].Out)
	}
	for y := 0; y < 2; y++ {
		for x := 0; x < 3; x++ {
			var sum float32
			cnt := 0
			for iy := 2*y - 1; iy <= 2*y+1; iy++ {
				for ix := 2*x - 1; ix <= 2*x+1; ix++ {
					if iy >= 0 && iy < 3 && ix >= 0 && ix < 5 {
						sum += in[iy*5+ix]
						cnt++
					}
				}
			}
			if got, want := out[y*3+x], sum/float32(cnt); !closeRel(float64(got), float64(want), 1e-6) {
				t.Errorf("(%d,%d) = %v, want %v", x, y, got, want)
			}
		}
	}
}

func TestAvgpoolOdd(t *testing.T) {
	n := mustEdgeNet(t, "[net]\nwidth=7\nheight=3\nchannels=2\n[avgpool]\n")
	in := ramp(42)
	out := runEdge(t, n, in, nil)[0]
	for k := 0; k < 2; k++ {
		var s float64
		for _, v := range in[k*21 : (k+1)*21] {
			s += float64(v)
		}
		if !closeRel(float64(out[k]), s/21, 1e-5) {
			t.Errorf("channel %d: %v, want %v", k, out[k], s/21)
		}
	}
}

const edgeConvs = "[net]\nwidth=4\nheight=4\nchannels=2\n" +
	"[convolutional]\nfilters=4\nsize=1\nactivation=linear\n" + // 0: 4x4x4
	"[convolutional]\nfilters=6\nsize=1\nactivation=linear\n" // 1: 4x4x6

func TestRouteOfRouteAndGroups(t *testing.T) {
	n := mustEdgeNet(t, edgeConvs+
		"[route]\nlayers=0,1\n"+ // 2: 10 channels
		"[route]\nlayers=-1,0\ngroups=2\ngroup_id=1\n"+ // 3: channels 5..9 of 2, then 2..3 of 0
		"[route]\nlayers=3\n") // 4: route of a route
	outs := runEdge(t, n, ramp(32), nil)
	plane := 16
	want2 := append(append([]float32{}, outs[0]...), outs[1]...)
	equalF32(t, "route 0,1", outs[2], want2)
	want3 := append(append([]float32{}, want2[5*plane:10*plane]...), outs[0][2*plane:4*plane]...)
	equalF32(t, "route groups", outs[3], want3)
	equalF32(t, "route of route", outs[4], want3)
	if l := n.Layers[3]; l.Out != (Shape{C: 7, H: 4, W: 4}) || l.Outputs != 7*plane {
		t.Errorf("grouped route: out %v outputs %d", l.Out, l.Outputs)
	}
	if l := n.Layers[4]; l.Inputs[0] != 3 || l.Out != (Shape{C: 7, H: 4, W: 4}) {
		t.Errorf("route of route: inputs %v out %v", l.Inputs, l.Out)
	}
}

func TestRouteMismatchedSizes(t *testing.T) {
	// Darknet keeps the element count but zeroes the shape when the inputs'
	// w/h differ; a dropout after it passes the count on, an image layer
	// refuses it.
	n := mustEdgeNet(t, edgeConvs+
		"[maxpool]\nsize=2\nstride=2\n"+ // 2: 2x2x6
		"[route]\nlayers=0,2\n"+ // 3: 64 + 24 values, no shape
		"[dropout]\n")
	l := n.Layers[3]
	if l.Out != (Shape{}) || l.Outputs != 64+24 {
		t.Fatalf("mismatched route: out %v outputs %d", l.Out, l.Outputs)
	}
	if d := n.Layers[4]; d.Outputs != 88 {
		t.Errorf("dropout after it: outputs %d", d.Outputs)
	}
	outs := runEdge(t, n, ramp(32), nil)
	equalF32(t, "flat concat", outs[3], append(append([]float32{}, outs[0]...), outs[2]...))
	equalF32(t, "dropout", outs[4], outs[3])

	_, err := edgeNet(t, edgeConvs+"[maxpool]\nsize=2\nstride=2\n[route]\nlayers=0,2\n[maxpool]\n")
	if err == nil {
		t.Fatal("maxpool after a shapeless route: no error")
	}
}

func TestRouteErrors(t *testing.T) {
	for _, tc := range []struct{ sec, want string }{
		{"[route]\n", "layers"},
		{"[route]\nlayers=2\n", "not an earlier layer"},
		{"[route]\nlayers=-3\n", "not an earlier layer"},
		{"[route]\nlayers=0\ngroups=2\ngroup_id=2\n", "group_id"},
		{"[route]\nlayers=0\ngroups=0\n", "groups"},
	} {
		_, err := edgeNet(t, edgeConvs+tc.sec)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want one mentioning %q", tc.sec, err, tc.want)
		}
		var ce *cfgparse.Error
		var le *LayerError
		if err != nil && !errors.As(err, &ce) && !errors.As(err, &le) {
			t.Errorf("%q: error %T does not locate the layer", tc.sec, err)
		}
	}
}

func TestShortcutFlatAdd(t *testing.T) {
	// from-layers with fewer and more channels than the previous layer, and
	// two of them: element i gets from[i] only while i < from's size.
	n := mustEdgeNet(t, edgeConvs+
		"[convolutional]\nfilters=5\nsize=1\nactivation=linear\n"+ // 2: 4x4x5
		"[shortcut]\nfrom=0,1\nactivation=leaky\n") // 3: 5 + 4 + 6 channels
	l := n.Layers[3]
	if l.Out != (Shape{C: 5, H: 4, W: 4}) || l.Params != 0 || !closeRel(l.BFLOPs, float64(float32(80*2)/1e9), 1e-6) {
		t.Fatalf("out %v params %d bflops %g", l.Out, l.Params, l.BFLOPs)
	}
	outs := runEdge(t, n, ramp(32), nil)
	want := make([]float32, 80)
	for i := range want {
		v := outs[2][i] + outs[0][i%64]*b2f(i < 64) + outs[1][i]
		want[i] = activate(v, Leaky)
	}
	equalF32(t, "shortcut", outs[3], want)
}

func b2f(b bool) float32 {
	if b {
		return 1
	}
	return 0
}

func TestShortcutWeights(t *testing.T) {
	for _, tc := range []struct {
		opts   string
		params int
		weight func(ws []float32, input, ch int) float32
	}{
		{"weights_type=per_channel\n", 12, func(ws []float32, in, ch int) float32 { return ws[in*4+ch] }},
		{"weights_type=per_feature\nweights_normalization=relu\n", 3, func(ws []float32, in, ch int) float32 {
			sum := float32(0.0001)
			for _, w := range ws {
				sum += max(w, 0)
			}
			return max(ws[in], 0) / sum
		}},
		{"weights_type=per_channel\nweights_normalization=softmax\n", 12, func(ws []float32, in, ch int) float32 {
			m := max(ws[ch], ws[4+ch], ws[8+ch])
			sum := float32(0.0001)
			for i := 0; i < 3; i++ {
				sum += float32(math.Exp(float64(ws[i*4+ch] - m)))
			}
			return float32(math.Exp(float64(ws[in*4+ch]-m))) / sum
		}},
	} {
		n := mustEdgeNet(t, edgeConvs+"[convolutional]\nfilters=4\nsize=1\nactivation=linear\n[shortcut]\nfrom=0,1\n"+tc.opts)
		l := n.Layers[3]
		if l.Params != tc.params || !closeRel(l.BFLOPs, 2*64*2/1e9, 1e-6) {
			t.Fatalf("%q: params %d bflops %g", tc.opts, l.Params, l.BFLOPs)
		}
		ws := []float32{0.5, -0.25, 1.5, 0.75, 2, -1, 0.125, 1, 0.3, 0.6, -0.9, 1.2}[:tc.params]
		outs := runEdge(t, n, ramp(32), func(n *Net) { copy(n.Layers[3].op.(*shortcut).weights, ws) })
		want := make([]float32, 64)
		for i := range want {
			ch := i / 16
			want[i] = outs[2][i]*tc.weight(ws, 0, ch) + outs[0][i]*tc.weight(ws, 1, ch) + outs[1][i]*tc.weight(ws, 2, ch)
		}
		equalF32(t, tc.opts, outs[3], want)
	}
	for _, sec := range []string{"[shortcut]\nfrom=0\nweights_type=per_pixel\n", "[shortcut]\nfrom=0\nweights_normalization=max\n", "[shortcut]\n"} {
		if _, err := edgeNet(t, edgeConvs+sec); err == nil {
			t.Errorf("%q: no error", sec)
		}
	}
}

func TestUpsampleOdd(t *testing.T) {
	// Reverse upsample of a 5x3 input by 2 gives 2x1; Darknet reads the
	// input with a pitch of out_w*stride = 4, not 5.
	n := mustEdgeNet(t, "[net]\nwidth=5\nheight=3\nchannels=2\n[upsample]\nstride=-2\nscale=0.5\n[upsample]\nstride=3\n")
	in := ramp(30)
	outs := runEdge(t, n, in, nil)
	if n.Layers[0].Out != (Shape{C: 2, H: 1, W: 2}) || n.Layers[1].Out != (Shape{C: 2, H: 3, W: 6}) {
		t.Fatalf("shapes %v %v", n.Layers[0].Out, n.Layers[1].Out)
	}
	want := make([]float32, 4)
	for k := 0; k < 2; k++ {
		for x := 0; x < 2; x++ {
			for dy := 0; dy < 2; dy++ {
				for dx := 0; dx < 2; dx++ {
					want[k*2+x] += 0.5 * in[k*2*1*4+dy*4+2*x+dx]
				}
			}
		}
	}
	equalF32(t, "reverse upsample", outs[0], want)
	for i, v := range outs[1] {
		k, x := i/18, i%6
		if v != outs[0][k*2+x/3] {
			t.Fatalf("upsample[%d] = %v, want %v", i, v, outs[0][k*2+x/3])
		}
	}
	if _, err := edgeNet(t, "[net]\nwidth=5\nheight=3\nchannels=2\n[upsample]\nstride=0\n"); err == nil {
		t.Error("stride=0: no error")
	}
}

func TestReorgOrders(t *testing.T) {
	// 2 channels of 2x2, stride 2. [reorg3d] is a true space-to-depth:
	// output channel (dy*2+dx)*2+c holds pixel (dx,dy) of channel c.
	n := mustEdgeNet(t, "[net]\nwidth=2\nheight=2\nchannels=2\n[reorg3d]\nstride=2\n")
	in := []float32{0, 1, 2, 3, 10, 11, 12, 13}
	equalF32(t, "reorg3d", runEdge(t, n, in, nil)[0], []float32{0, 10, 1, 11, 2, 12, 3, 13})

	// Old [reorg] on 4 channels of 2x2: it views the 16 values as 1 channel
	// of 4x4 and space-to-depths that into 4 channels of 2x2 (then relabels
	// them 1x1x16).
	n = mustEdgeNet(t, "[net]\nwidth=2\nheight=2\nchannels=4\n[reorg]\nstride=2\n")
	in = make([]float32, 16)
	for i := range in {
		in[i] = float32(i) // as 4x4: row r = values 4r..4r+3
	}
	want := []float32{0, 2, 8, 10, 1, 3, 9, 11, 4, 6, 12, 14, 5, 7, 13, 15}
	equalF32(t, "old reorg", runEdge(t, n, in, nil)[0], want)
	if n.Layers[0].Out != (Shape{C: 16, H: 1, W: 1}) {
		t.Errorf("old reorg out %v", n.Layers[0].Out)
	}

	for _, text := range []string{
		"[net]\nwidth=3\nheight=2\nchannels=4\n[reorg]\nstride=2\n",              // width not a multiple
		"[net]\nwidth=2\nheight=2\nchannels=2\n[reorg]\nstride=2\n",              // channels < stride^2
		"[net]\nwidth=2\nheight=2\nchannels=8\n[reorg3d]\nstride=2\nreverse=1\n", // 8/4 = 2 channels, not a multiple of 4
		"[net]\nwidth=1\nheight=2\nchannels=8\n[reorg3d]\nstride=2\n",            // empty output
	} {
		if _, err := edgeNet(t, text); err == nil {
			t.Errorf("%q: no error", text)
		}
	}
}

func TestNormalizationRunningSum(t *testing.T) {
	// size=3 over 3 channels: Darknet's running sum gives channel 0 only
	// channel 0's square, channel 1 channels 0 and 2, channel 2 channel 2:
	// channel size/2 = 1 is never added.
	n := mustEdgeNet(t, "[net]\nwidth=1\nheight=1\nchannels=3\n[lrn]\nsize=3\nalpha=0.5\nbeta=0.75\nkappa=2\n")
	in := []float32{1, 2, 3}
	sq := []float32{1, 4, 9}
	norms := []float32{2 + 0.5*sq[0], 2 + 0.5*(sq[0]+sq[2]), 2 + 0.5*sq[2]}
	want := make([]float32, 3)
	for i := range want {
		want[i] = in[i] * float32(math.Pow(float64(norms[i]), -0.75))
	}
	equalF32(t, "lrn", runEdge(t, n, in, nil)[0], want)
}

func TestScaleChannelsAndSam(t *testing.T) {
	n := mustEdgeNet(t, edgeConvs+
		"[avgpool]\n"+ // 2: 6x1x1
		"[scale_channels]\nfrom=1\nactivation=relu6\n"+ // 3: 4x4x6
		"[convolutional]\nfilters=1\nsize=1\nactivation=logistic\n"+ // 4: 4x4x1
		"[scale_channels]\nfrom=3\nscale_wh=1\n"+ // 5
		"[sam]\nfrom=3\nactivation=swish\n") // 6: sam of 5 and 3
	outs := runEdge(t, n, ramp(32), nil)
	w3, w5, w6 := make([]float32, 96), make([]float32, 96), make([]float32, 96)
	for i := range w3 {
		w3[i] = min(max(outs[2][i/16]*outs[1][i], 0), 6)
	}
	equalF32(t, "scale_channels relu6", outs[3], w3)
	for i := range w5 {
		w5[i] = outs[4][i%16] * outs[3][i]
		v := w5[i] * outs[3][i]
		w6[i] = v / (1 + float32(math.Exp(float64(-v))))
	}
	equalF32(t, "scale_channels scale_wh", outs[5], w5)
	equalF32(t, "sam swish", outs[6], w6)
	for _, sec := range []string{
		"[scale_channels]\nfrom=0\n",            // previous layer is not 1x1
		"[avgpool]\n[scale_channels]\nfrom=0\n", // 6 scales for 4 channels
		"[sam]\nfrom=0\n",                       // 6 vs 4 channels
		"[scale_channels]\n",                    // no from
	} {
		if _, err := edgeNet(t, edgeConvs+sec); err == nil {
			t.Errorf("%q: no error", sec)
		}
	}
}

func TestImplicitAndIdentities(t *testing.T) {
	n := mustEdgeNet(t, edgeConvs+
		"[implicit]\nfilters=6\n"+ // 2: 6x1x1 constant, no input
		"[shortcut]\nfrom=1\n"+ // 3: 6x1x1, adds the first 6 values of layer 1
		"[route]\nlayers=1\n"+ // 4: 4x4x6
		"[empty]\n[silence]\n[activation]\nactivation=mish\n[batchnorm]\n") // 5..8
	l := n.Layers[2]
	if len(l.Inputs) != 0 || l.Params != 6 || l.Out != (Shape{C: 6, H: 1, W: 1}) {
		t.Fatalf("implicit: inputs %v params %d out %v", l.Inputs, l.Params, l.Out)
	}
	if n.Layers[8].Params != 4*6 {
		t.Errorf("batchnorm params %d", n.Layers[8].Params)
	}
	outs := runEdge(t, n, ramp(32), nil)
	imp := n.Layers[2].op.(*implicit).weights
	equalF32(t, "implicit", outs[2], imp)
	sum := make([]float32, 6)
	for i := range sum {
		sum[i] = imp[i] + outs[1][i]
	}
	equalF32(t, "shortcut onto implicit", outs[3], sum)
	equalF32(t, "empty", outs[5], outs[4])
	equalF32(t, "silence", outs[6], outs[4])
	for i, v := range outs[7] {
		if want := activate(outs[6][i], Mish); !near32(v, want) {
			t.Fatalf("mish[%d] = %v, want %v", i, v, want)
		}
	}
	bn := n.Layers[8].op.(*batchnorm)
	for i, v := range outs[8] {
		k := i / 16
		want := (outs[7][i]-bn.mean[k])/float32(math.Sqrt(float64(bn.variance[k]+1e-5)))*bn.scales[k] + bn.biases[k]
		if !near32(v, want) {
			t.Fatalf("batchnorm[%d] = %v, want %v", i, v, want)
		}
	}
}

func near32(a, b float32) bool {
	return math.Abs(float64(a)-float64(b)) <= 1e-5*math.Max(1, math.Abs(float64(b)))
}

func TestCropEdges(t *testing.T) {
	n := mustEdgeNet(t, "[net]\nwidth=5\nheight=4\nchannels=1\n[crop]\ncrop_width=2\ncrop_height=3\n")
	in := ramp(20)
	out := runEdge(t, n, in, nil)[0]
	// dw = (5-2)/2 = 1, dh = (4-3)/2 = 0
	want := []float32{in[1], in[2], in[6], in[7], in[11], in[12]}
	for i := range want {
		want[i] = want[i]*2 - 1
	}
	equalF32(t, "crop", out, want)
	if _, err := edgeNet(t, "[net]\nwidth=5\nheight=4\nchannels=1\n[crop]\ncrop_width=6\ncrop_height=3\n"); err == nil {
		t.Error("crop wider than the input: no error")
	}
}

func TestMaxpoolAntialiasingUnsupported(t *testing.T) {
	// Darknet pools with stride 1 (8x8) and then blurs with a stride-2 3x3
	// depthwise conv: the next layer sees 4x4. darkgo describes it but
	// refuses to run it.
	n := mustEdgeNet(t, "[net]\nwidth=8\nheight=8\nchannels=3\n[maxpool]\nsize=2\nstride=2\nantialiasing=1\n")
	l := n.Layers[0]
	if l.Out != (Shape{C: 3, H: 4, W: 4}) || !closeRel(l.BFLOPs, 2*2*3*8*8/1e9, 1e-6) {
		t.Errorf("out %v bflops %g", l.Out, l.BFLOPs)
	}
	if err := n.SyntheticWeights(1); err == nil || !strings.Contains(err.Error(), "antialiasing") {
		t.Errorf("running an antialiased maxpool: error %v", err)
	}
}
