package engine

import (
	"fmt"
	"math"
	"runtime"
	"testing"
	"time"
)

// checkSession runs the fast path on input with the given thread count and
// compares every layer, right after it ran, with the reference outputs
// (and returns the worst layer's relative L2 error). The
// arena is poisoned with NaN first, so a layer that reads stale memory or
// leaves part of its output unwritten is caught. It runs twice: with layer
// fusion (the default; a fused layer's own output is not computed, the
// next layer's is checked) and without (every layer).
func checkSession(t *testing.T, n *Net, input []float32, ref [][]float32, threads int, tol float64) (worst float64) {
	t.Helper()
	for _, fusion := range []bool{true, false} {
		s := poisonedSession(t, n, threads)
		s.SetFusion(fusion)
		copy(s.Input(), input)
		bad := 0
		if err := s.ForwardUpTo(len(n.Layers), func(i int) {
			if s.Fused(i) {
				return
			}
			got := s.Output(i)
			e := relL2Err(got, ref[i])
			worst = max(worst, e)
			if !(e <= tol) && bad < 5 {
				bad++
				t.Errorf("session (%d threads, fusion %v): layer %d %s: relative L2 error %.3g vs reference (limit %g)", threads, fusion, i, n.Layers[i].Name, e, tol)
			}
		}); err != nil {
			t.Fatal(err)
		}
		// Output layers must still hold their values after the whole pass.
		for _, i := range n.OutputLayers() {
			if e := relL2Err(s.Output(i), ref[i]); !(e <= tol) {
				t.Errorf("session (%d threads, fusion %v): output layer %d %s overwritten after the pass: error %.3g", threads, fusion, i, n.Layers[i].Name, e)
			}
		}
	}
	return worst
}

// poisonedSession is a session of n with the thread count and its arena
// filled with NaN, so that reading memory no layer wrote shows.
func poisonedSession(t *testing.T, n *Net, threads int) *Session {
	t.Helper()
	s, err := n.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	s.SetThreads(threads)
	poison(s)
	return s
}

// poison fills s's arena with NaN (again after SetFusion(false), which
// may give the session a new, larger arena).
func poison(s *Session) {
	for i := range s.arena {
		s.arena[i] = float32(math.NaN())
	}
}

// checkSessionExact is checkSession for layers whose fast path must give
// the reference's numbers bit for bit (signed zeros and NaNs included):
// each layer's session output is compared with the reference forward of
// that layer applied to the session's own inputs, so layers that are only
// close to the reference (convolutions) do not hide exact ones after them.
func checkSessionExact(t *testing.T, n *Net, input []float32, threads int, exactType func(string) bool) {
	t.Helper()
	s := poisonedSession(t, n, threads)
	for i, l := range n.Layers {
		if !exactType(l.Type) {
			continue
		}
		copy(s.Input(), input)
		if err := s.ForwardUpTo(i, nil); err != nil {
			t.Fatal(err)
		}
		ins := make([][]float32, len(s.ins[i]))
		for j, in := range s.ins[i] {
			ins[j] = append([]float32(nil), in...)
		}
		want := make([]float32, l.Outputs)
		l.op.forward(ins, want)
		if err := s.ForwardUpTo(i+1, nil); err != nil {
			t.Fatal(err)
		}
		got := s.Output(i)
		for j := range want {
			if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
				t.Errorf("session (%d threads): layer %d %s: value %d is %v, reference %v", threads, i, l.Name, j, got[j], want[j])
				break
			}
		}
	}
}

// fastVsRef builds the cfg text, loads synthetic weights and compares the
// session with the reference, for several thread counts (including counts
// that do not divide the work). With exact, the input of distinct signed
// values is sprinkled with the special values Darknet's comparisons treat
// specially (±0, NaN, ±Inf), and on that input and the plain one every
// layer but convolutions must match the reference bit for bit.
func fastVsRef(t *testing.T, text string, exact bool) {
	t.Helper()
	n := mustBuild(t, text)
	if err := n.SyntheticWeights(5); err != nil {
		t.Fatal(err)
	}
	in := ramp(n.Input.Size())
	ref, err := n.ForwardReference(in)
	if err != nil {
		t.Fatal(err)
	}
	sp := append([]float32(nil), in...)
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}
	// Pairs of neighbours, so that a window sees +0 next to -0, a number
	// next to NaN and the like.
	for i := 3; i < len(sp); i += 13 {
		sp[i] = special[(i/13)%len(special)]
		if i+1 < len(sp) {
			sp[i+1] = special[(i/13+1)%len(special)]
		}
	}
	for i := 7; i+1 < len(sp); i += 29 {
		sp[i], sp[i+1] = float32(math.Copysign(0, -1)), 0
	}
	for _, threads := range []int{1, 2, 3, 5} {
		checkSession(t, n, in, ref, threads, 1e-5)
		if exact {
			checkSessionExact(t, n, in, threads, func(typ string) bool { return typ != "convolutional" })
			checkSessionExact(t, n, sp, threads, func(typ string) bool { return typ != "convolutional" })
		}
	}
}

func netText(c, h, w int) string {
	return fmt.Sprintf("[net]\nwidth=%d\nheight=%d\nchannels=%d\n", w, h, c)
}

func TestFastMaxpool(t *testing.T) {
	for _, tc := range []struct{ c, h, w, size, sx, sy, pad int }{
		{3, 17, 23, 2, 2, 2, 1}, {5, 16, 16, 2, 2, 2, 1}, {7, 41, 40, 2, 2, 2, 1}, {2, 9, 31, 2, 2, 2, 4}, {3, 14, 27, 2, 2, 2, 2}, {2, 11, 20, 2, 2, 2, 3},
		{3, 20, 29, 3, 1, 1, 2}, {1, 13, 13, 5, 1, 1, 4}, {4, 19, 37, 9, 1, 1, 8}, {3, 11, 21, 3, 1, 1, 6},
		{2, 15, 15, 3, 2, 2, 2}, {3, 10, 33, 3, 2, 1, 1}, {1, 1, 1, 2, 2, 2, 1}, {5, 1, 40, 2, 1, 1, 1},
		{3, 26, 26, 1, 1, 1, 0}, {2, 12, 30, 4, 3, 3, 0}, {3, 20, 20, 2, 1, 1, 1},
		// size 2, stride 1, padding 1 (pairs1): planes of one row or
		// column, one value, and around the reference's 8-wide blocks.
		{7, 13, 13, 2, 1, 1, 1}, {3, 5, 1, 2, 1, 1, 1}, {2, 1, 1, 2, 1, 1, 1}, {4, 9, 10, 2, 1, 1, 1}, {3, 2, 17, 2, 1, 1, 1},
	} {
		fastVsRef(t, netText(tc.c, tc.h, tc.w)+fmt.Sprintf("[maxpool]\nsize=%d\nstride_x=%d\nstride_y=%d\npadding=%d\n",
			tc.size, tc.sx, tc.sy, tc.pad), true)
	}
	for _, tc := range []struct{ c, h, w, outC int }{{6, 5, 7, 3}, {7, 9, 9, 3}, {5, 1, 1, 5}, {384, 4, 5, 192}, {3, 3, 3, 1}} {
		fastVsRef(t, netText(tc.c, tc.h, tc.w)+fmt.Sprintf("[maxpool]\nmaxpool_depth=1\nout_channels=%d\nsize=1\nstride=1\n", tc.outC), true)
	}
}

func TestFastUpsample(t *testing.T) {
	for _, tc := range []struct {
		c, h, w, stride int
		scale           string
	}{{3, 5, 7, 2, "1"}, {5, 1, 1, 2, "0.5"}, {2, 4, 3, 3, "1.7"}, {7, 6, 6, -2, "0.25"}, {1, 7, 5, -3, "1"}} {
		fastVsRef(t, netText(tc.c, tc.h, tc.w)+fmt.Sprintf("[upsample]\nstride=%d\nscale=%s\n", tc.stride, tc.scale), true)
	}
}

func TestFastRoute(t *testing.T) {
	// Direct concatenations, an input concatenated twice (copied), the
	// network input (copied), a split view and groups over two inputs
	// (copied), over odd sizes.
	fastVsRef(t, netText(3, 7, 9)+`
[maxpool]
size=1
stride=1
[maxpool]
size=2
stride=1
[route]
layers=-1,-2
[route]
layers=-2,-3,-2
[route]
layers=-1,-2
groups=2
group_id=1
[route]
layers=-3
groups=3
group_id=2
[upsample]
stride=1
[route]
layers=-1,-2,0
`, true)
	fastVsRef(t, netText(5, 3, 3)+"[maxpool]\nsize=1\nstride=1\n[maxpool]\nsize=3\nstride=1\n[route]\nlayers=-1,-2\ngroups=2\ngroup_id=0\n", true)
	// Partly direct: a plain input written in place next to a CSP-split
	// view that is copied (PeleeNet's dense and stage concatenations).
	text := netText(4, 5, 7) + `
[maxpool]
size=1
stride=1
[route]
layers=-1
groups=2
group_id=1
[maxpool]
size=2
stride=1
[route]
layers=-1,-2
[route]
layers=-4,-2
`
	n := mustBuild(t, text)
	if err := n.SyntheticWeights(1); err != nil {
		t.Fatal(err)
	}
	if p := n.plan; p.skip[3] || p.placed[3] == nil || !p.placed[3][0] || p.placed[3][1] || p.root[2] != 3 {
		t.Errorf("route 3 should get layer 2 in place and copy the view: skip %v placed %v root of 2: %d", p.skip[3], p.placed[3], p.root[2])
	}
	fastVsRef(t, text, true)
}

func TestFastYolo(t *testing.T) {
	for _, opts := range []string{"scale_x_y=1.05", "new_coords=1\nscale_x_y=2", ""} {
		// Straight on the network input, and after a conv (the plan then
		// runs it in place on the conv's output).
		fastVsRef(t, netText(14, 5, 3)+"[yolo]\nmask=0,1\nnum=2\nclasses=2\n"+opts+"\n", true)
		fastVsRef(t, netText(3, 9, 7)+"[convolutional]\nfilters=21\nsize=1\nactivation=linear\n[yolo]\nmask=0,1,2\nnum=3\nclasses=2\n"+opts+"\n", true)
	}
}

func TestFastShortcut(t *testing.T) {
	conv := func(f int, act string) string {
		return fmt.Sprintf("[convolutional]\nfilters=%d\nsize=3\npad=1\nactivation=%s\n", f, act)
	}
	for _, sc := range []string{
		"[shortcut]\nfrom=-2\nactivation=linear\n",
		"[shortcut]\nfrom=-2,-3\nactivation=leaky\n",
		"[shortcut]\nfrom=-2\nactivation=mish\nweights_type=per_feature\nweights_normalization=relu\n",
		"[shortcut]\nfrom=-2,-3\nactivation=linear\nweights_type=per_channel\nweights_normalization=softmax\n",
		"[shortcut]\nfrom=-4\nactivation=normalize_channels\n",
		"[shortcut]\nfrom=-4\nactivation=logistic\n", // fewer channels than the output
	} {
		// 0: 5 channels, 1: 5, 2: 5, then the shortcut on layer 2; a later
		// shortcut reads layer 2 again in the second net, so the first
		// shortcut must not overwrite it there.
		base := netText(3, 7, 5) + conv(3, "leaky") + conv(5, "leaky") + conv(5, "linear") + conv(5, "relu")
		fastVsRef(t, base+sc, true)
		fastVsRef(t, base+sc+"[shortcut]\nfrom=-2\nactivation=linear\n", true)
	}
}

func TestFastConv(t *testing.T) {
	for _, tc := range []struct {
		c, h, w, filters, size, stride, pad, groups, dilation int
		act                                                   string
	}{
		{3, 17, 23, 7, 3, 1, 1, 1, 1, "leaky"},
		{5, 9, 9, 13, 1, 1, 0, 1, 1, "linear"},
		{6, 11, 7, 6, 3, 2, 1, 6, 1, "relu"},   // depthwise, stride 2
		{5, 9, 45, 5, 3, 2, 1, 5, 1, "leaky"},  // depthwise, stride 2, rows long enough for vector blocks
		{4, 7, 38, 4, 3, 1, 1, 4, 1, "linear"}, // depthwise, stride 1
		{8, 13, 13, 12, 3, 1, 1, 4, 1, "mish"}, // grouped
		{4, 1, 1, 9, 1, 1, 0, 1, 1, "logistic"},
		{3, 10, 10, 5, 5, 1, 2, 1, 2, "swish"}, // dilated
		{7, 12, 5, 31, 3, 2, 0, 1, 1, "leaky"},
		{16, 20, 20, 40, 3, 1, 1, 1, 1, "normalize_channels_softmax"},
		{32, 6, 6, 70, 1, 1, 0, 2, 1, "leaky"}, // M split (few columns)
		{3, 2, 3, 4, 7, 1, 3, 1, 1, "linear"},  // kernel wider than the image
		// The direct 3×3 kernel: few filters, odd and tiny images,
		// widths below and around its 24-position tile.
		{16, 80, 80, 16, 3, 1, 1, 1, 1, "leaky"},
		{5, 13, 29, 8, 3, 1, 1, 1, 1, "linear"},
		{1, 1, 1, 4, 3, 1, 1, 1, 1, "relu"},
		{7, 3, 22, 32, 3, 1, 1, 1, 1, "mish"},
		{33, 9, 25, 12, 3, 1, 1, 1, 1, "normalize_channels"},
		{2, 26, 1, 20, 3, 1, 1, 1, 1, "leaky"},
		{200, 9, 30, 8, 3, 1, 1, 1, 1, "leaky"}, // two blocks of channels
		{260, 20, 20, 64, 3, 1, 1, 1, 1, "relu"},
		{130, 6, 25, 4, 3, 1, 1, 1, 1, "logistic"},
		{3, 64, 64, 32, 3, 2, 1, 1, 1, "leaky"}, // stride 2 (GEMM path)
		// The direct kernel with no border (a stem like tiny-face's) and
		// with a border of 2.
		{3, 40, 41, 16, 3, 1, 0, 1, 1, "leaky"},
		{3, 3, 3, 4, 3, 1, 0, 1, 1, "linear"}, // one output
		{5, 7, 50, 12, 3, 1, 0, 1, 1, "mish"},
		{4, 9, 11, 8, 3, 1, 2, 1, 1, "relu"},
	} {
		text := netText(tc.c, tc.h, tc.w) + fmt.Sprintf("[convolutional]\nbatch_normalize=1\nfilters=%d\nsize=%d\nstride=%d\npadding=%d\ngroups=%d\ndilation=%d\nactivation=%s\n",
			tc.filters, tc.size, tc.stride, tc.pad, tc.groups, tc.dilation, tc.act)
		fastVsRef(t, text, false)
	}
	if !haveConvDirect() {
		return
	}
	n := mustBuild(t, netText(5, 13, 29)+"[convolutional]\nfilters=8\nsize=3\npad=1\nactivation=leaky\n")
	if err := n.SyntheticWeights(1); err != nil {
		t.Fatal(err)
	}
	if n.Layers[0].op.(*convolutional).fast.direct == nil {
		t.Error("a 3x3 conv with 8 filters does not take the direct path")
	}
}

// TestSessionWorkersStop checks that the worker goroutines of sessions that
// are dropped, or whose thread count changes, are stopped.
func TestSessionWorkersStop(t *testing.T) {
	n := mustBuild(t, netText(3, 8, 8)+"[convolutional]\nfilters=4\nsize=3\npad=1\nactivation=leaky\n")
	if err := n.SyntheticWeights(1); err != nil {
		t.Fatal(err)
	}
	base := runtime.NumGoroutine()
	in := ramp(n.Input.Size())
	for i := 0; i < 20; i++ {
		s, err := n.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		s.SetThreads(4)
		s.SetThreads(3) // the 3 workers of the first crew must stop
		if err := s.Forward(in); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > base+2 {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines after dropping the sessions, %d before", runtime.NumGoroutine(), base)
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}

// TestDirectConvBits checks that the direct 3×3 kernel sums in the GEMM
// path's order: with few channels (K within one GEMM block) both give the
// same bits, so choosing between them does not change results.
func TestDirectConvBits(t *testing.T) {
	if !haveConvDirect() {
		t.Skip("no direct convolution kernel on this CPU")
	}
	defer func(f int, u float64) { directMaxFilters, directMinUse = f, u }(directMaxFilters, directMinUse)
	acts := []string{"leaky", "relu", "linear", "mish"}
	// {channels, height, width, filters, padding}
	// The direct path cuts the output into bands of rows (whole image on
	// one thread, two bands per thread otherwise, one row when the
	// channels are many): 1 to 3 threads, and channel counts that make
	// bands of 3 rows and of 1 row (with two blocks of channels).
	for i, c := range [][5]int{{16, 20, 20, 16, 1}, {12, 7, 31, 32, 1}, {3, 1, 1, 4, 1}, {5, 11, 13, 8, 1}, {6, 9, 9, 4, 1}, {7, 9, 10, 12, 1}, {9, 5, 17, 20, 1},
		{3, 30, 52, 16, 0}, {3, 3, 3, 4, 0}, {4, 12, 5, 8, 0}, {6, 8, 27, 12, 2}, {200, 9, 40, 8, 1}, {700, 5, 70, 4, 1}} {
		act := acts[i%len(acts)]
		var outs [][]float32
		for k, direct := range []bool{false, true, true, true} {
			directMaxFilters, directMinUse = 0, 2 // GEMM
			if direct {
				directMaxFilters = 128
			}
			n := mustBuild(t, netText(c[0], c[1], c[2])+fmt.Sprintf("[convolutional]\nbatch_normalize=1\nfilters=%d\nsize=3\npadding=%d\nactivation=%s\n", c[3], c[4], act))
			if err := n.SyntheticWeights(1); err != nil {
				t.Fatal(err)
			}
			if got := n.Layers[0].op.(*convolutional).fast.direct != nil; got != direct {
				t.Fatalf("%v: direct path %v, want %v", c, got, direct)
			}
			s, err := n.NewSession()
			if err != nil {
				t.Fatal(err)
			}
			s.SetThreads(max(1, k)) // GEMM on 1 thread, direct on 1, 2, 3
			if err := s.Forward(ramp(n.Input.Size())); err != nil {
				t.Fatal(err)
			}
			outs = append(outs, append([]float32(nil), s.Output(0)...))
		}
		// Against the GEMM path while K = 9·channels fits one of its K
		// blocks (the sums are then the same); the direct path at 2 and
		// 3 threads (other bands) against itself on 1.
		for k := 1; k < len(outs); k++ {
			ref, what := outs[0], "the GEMM path"
			if k > 1 || 9*c[0] > 256 {
				ref, what = outs[1], "the direct path on 1 thread"
			}
			for i := range ref {
				if math.Float32bits(ref[i]) != math.Float32bits(outs[k][i]) {
					t.Fatalf("%v %s: output %d is %v on the direct path (%d threads), %v on %s", c, act, i, outs[k][i], k, ref[i], what)
				}
			}
		}
	}
}
