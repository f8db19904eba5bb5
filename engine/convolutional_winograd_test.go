package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/darkgo/darkgo/cfgparse"
)

// The assembly transforms, gather and scatter against the Go versions,
// on runs of every length to a few vectors (the last vector overlaps the
// one before it unless n is a multiple of 8) and values of mixed
// magnitude; nothing past n may be written.
func TestWinogradTransforms(t *testing.T) {
	if !haveWinoAsm {
		t.Skip("no assembly transforms on this platform")
	}
	defer func() { winoUseAsm = haveWinoAsm }()
	rng := rand.New(rand.NewPCG(1, 2))
	rnd := func(n int) []float32 {
		v := make([]float32, n)
		for x := range v {
			v[x] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(5)-2)))
		}
		return v
	}
	for n := 8; n <= 41; n++ {
		var src, dstB, wantB [6][]float32
		var dstA, wantA [4][]float32
		for i := range src {
			src[i] = rnd(n + 1)
			dstB[i], wantB[i] = make([]float32, n+1), make([]float32, n+1)
		}
		for i := range dstA {
			dstA[i], wantA[i] = make([]float32, n+1), make([]float32, n+1)
		}
		row := rnd(4*n + 4)
		var gq, wq [6][]float32
		for j := range gq {
			gq[j], wq[j] = make([]float32, n+1), make([]float32, n+1)
		}
		sy := [4][]float32{src[0][:n], src[1][:n], src[2][:n], src[3][:n]}
		sd, sw := make([]float32, 4*n+1), make([]float32, 4*n+1)
		winoUseAsm = true
		winoBRows(&src, &dstB, n)
		winoARows(&src, &dstA, n)
		winoGather(row, &gq, n)
		winoScatter(&sy, sd, n)
		winoUseAsm = false
		winoBRows(&src, &wantB, n)
		winoARows(&src, &wantA, n)
		winoGather(row, &wq, n)
		winoScatter(&sy, sw, n)
		scale := func(x int) float64 { // Σ|d_i|: the rounding error bound's scale
			var s float64
			for i := range src {
				s += math.Abs(float64(src[i][x]))
			}
			return s
		}
		for x := 0; x <= n; x++ {
			for i := range dstB {
				if e := math.Abs(float64(dstB[i][x] - wantB[i][x])); e > 1e-6*8*scale(x) || (x == n && dstB[i][x] != 0) {
					t.Fatalf("n=%d: B row %d at %d: %g, Go %g", n, i, x, dstB[i][x], wantB[i][x])
				}
			}
			for i := range dstA {
				if e := math.Abs(float64(dstA[i][x] - wantA[i][x])); e > 1e-6*16*scale(x) || (x == n && dstA[i][x] != 0) {
					t.Fatalf("n=%d: A row %d at %d: %g, Go %g", n, i, x, dstA[i][x], wantA[i][x])
				}
			}
			for j := range gq {
				if gq[j][x] != wq[j][x] {
					t.Fatalf("n=%d: gather phase %d at %d: %g, Go %g", n, j, x, gq[j][x], wq[j][x])
				}
			}
		}
		for x := range sd {
			if sd[x] != sw[x] {
				t.Fatalf("n=%d: scatter at %d: %g, Go %g", n, x, sd[x], sw[x])
			}
		}
	}
}

// Winograd layers against the reference convolution: image sizes that
// are and are not multiples of the 4×4 tile (down to one tile), filter
// counts split into blocks unevenly, tile rows split into several units,
// activations fused or applied after, batch norm, and the result routed
// into a concatenation. The thresholds are lowered so that small layers
// take the path too. Both the assembly and the Go transforms.
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
	for _, asm := range []bool{true, false} {
		if asm && !haveWinoAsm {
			continue
		}
		winoUseAsm = asm
		for _, tc := range cases {
			t.Run(fmt.Sprintf("asm=%v/%dx%dx%d-%d-%s", asm, tc.c, tc.h, tc.w, tc.filters, tc.act), func(t *testing.T) {
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
	winoUseAsm = haveWinoAsm
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
