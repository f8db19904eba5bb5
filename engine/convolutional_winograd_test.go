package engine

import (
	"fmt"
	"testing"

	"github.com/darkgo/darkgo/cfgparse"
	"github.com/darkgo/darkgo/kernels"
)

// Winograd layers against the reference convolution: image sizes that
// are and are not multiples of the 4×4 tile (down to one tile), filter
// counts split into blocks unevenly, tile rows split into several units,
// activations fused or applied after, batch norm, and the result routed
// into a concatenation. The thresholds are lowered so that small layers
// take the path too. On every kernels implementation this CPU runs (the
// Go transforms with generic).
func TestWinogradConv(t *testing.T) {
	defer func(c, f, t int, u float64) {
		winoMinChannels, winoMinFilters, winoMinTiles, winoMinUse = c, f, t, u
	}(winoMinChannels, winoMinFilters, winoMinTiles, winoMinUse)
	winoMinChannels, winoMinFilters, winoMinTiles, winoMinUse = 1, 1, 1, 0
	cases := []struct {
		c, h, w, filters int
		act              string
		bn               bool
	}{
		{3, 4, 4, 1, "linear", false},
		{5, 5, 7, 8, "leaky", true},
		{16, 13, 13, 100, "leaky", true},
		{7, 9, 31, 33, "mish", false},
		{32, 26, 26, 250, "relu", true},
		{4, 52, 17, 20, "logistic", true},
		{64, 6, 105, 97, "swish", false},
		{2, 31, 6, 5, "normalize_channels_softmax", false},
		{9, 104, 9, 16, "leaky", false},
	}
	defer func(name string) { _ = kernels.Select(name) }(kernels.Name())
	for _, im := range kernels.Implementations() {
		if err := kernels.Select(im.Name); err != nil {
			t.Fatal(err)
		}
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%s/%dx%dx%d-%d-%s", im.Name, tc.c, tc.h, tc.w, tc.filters, tc.act), func(t *testing.T) {
				bn := 0
				if tc.bn {
					bn = 1
				}
				text := netText(tc.c, tc.h, tc.w) +
					fmt.Sprintf("[convolutional]\nfilters=%d\nsize=3\nstride=1\npad=1\nbatch_normalize=%d\nactivation=%s\n", tc.filters, bn, tc.act) +
					"[convolutional]\nfilters=3\nsize=1\nstride=1\nactivation=linear\n[route]\nlayers=-2,-1\n"
				n := mustBuild(t, text)
				if err := n.SyntheticWeights(5); err != nil {
					t.Fatal(err)
				}
				if n.Layers[0].op.(*convolutional).fast.wino == nil {
					t.Fatal("layer 0 did not take the Winograd path")
				}
				in := ramp(n.Input.Size())
				ref, err := n.ForwardReference(in)
				if err != nil {
					t.Fatal(err)
				}
				for _, threads := range []int{1, 2, 3, 5} {
					checkSession(t, n, in, ref, threads, 1e-5)
				}
			})
		}
	}
}

// Options.Exact keeps every convolution off the Winograd path (and
// Layer.Algorithm says which path a layer takes).
func TestWinogradExact(t *testing.T) {
	text := netText(64, 26, 26) + "[convolutional]\nfilters=64\nsize=3\nstride=1\npad=1\nactivation=leaky\n"
	for _, exact := range []bool{false, true} {
		c, err := cfgparse.Parse("test.cfg", []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		n, err := Build(c, &Options{Exact: exact})
		if err != nil {
			t.Fatal(err)
		}
		if err := n.SyntheticWeights(1); err != nil {
			t.Fatal(err)
		}
		// Exact: the direct kernel, or the GEMM where there is no direct one.
		if got := n.Layers[0].Algorithm(); (got == "winograd") == exact || got == "" {
			t.Errorf("Exact=%v: layer 0 runs %q", exact, got)
		}
	}
}

// The transformed filters' extra memory is bounded: with MaxMemory 64 MiB
// (an 8 MiB allowance) the 512→512 layer (27 MiB extra) stays on its
// plain path and the high-resolution 64→64 one takes Winograd.
func TestWinogradMemoryBound(t *testing.T) {
	text := netText(64, 52, 52) + "[convolutional]\nfilters=64\nsize=3\nstride=1\npad=1\nactivation=leaky\n" +
		"[maxpool]\nsize=4\nstride=4\n[convolutional]\nfilters=512\nsize=1\nstride=1\nactivation=leaky\n" +
		"[convolutional]\nfilters=512\nsize=3\nstride=1\npad=1\nactivation=leaky\n"
	for _, tc := range []struct {
		max  int64
		want [2]string
	}{{64 << 20, [2]string{"winograd", "conv-gemm"}}, {0, [2]string{"winograd", "winograd"}}} {
		c, err := cfgparse.Parse("test.cfg", []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		n, err := Build(c, &Options{MaxMemory: tc.max})
		if err != nil {
			t.Fatal(err)
		}
		if err := n.SyntheticWeights(1); err != nil {
			t.Fatal(err)
		}
		if a, b := n.Layers[0].Algorithm(), n.Layers[3].Algorithm(); a != tc.want[0] || b != tc.want[1] {
			t.Errorf("MaxMemory %d: layers 0 and 3 run %s and %s, want %v", tc.max, a, b, tc.want)
		}
	}
}

// winogradLayers counts the layers of n on the Winograd path.
func winogradLayers(n *Net) int {
	k := 0
	for _, l := range n.Layers {
		if l.Algorithm() == "winograd" {
			k++
		}
	}
	return k
}
