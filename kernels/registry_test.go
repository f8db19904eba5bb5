package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestRegistry(t *testing.T) {
	all := AllImplementations()
	if len(all) == 0 || len(Implementations()) == 0 {
		t.Fatal("no implementations registered")
	}
	seen := map[string]bool{}
	for _, im := range all {
		if seen[im.Name] {
			t.Errorf("%s registered twice", im.Name)
		}
		seen[im.Name] = true
		if im.MR < 1 || im.NR < 1 || im.MR > maxTile || im.NR > maxTile {
			t.Errorf("%s: bad tile %dx%d", im.Name, im.MR, im.NR)
		}
	}
	if !seen["generic"] {
		t.Error("generic implementation missing")
	}
	for _, im := range Implementations() {
		if !im.Available {
			t.Errorf("Implementations lists unavailable %s", im.Name)
		}
	}
	// The automatic choice is the best available one.
	b := best()
	for _, im := range Implementations() {
		if preference[im.Name] > b.rank {
			t.Errorf("automatic choice %s ranks below available %s", b.name, im.Name)
		}
	}
	if CPUName() == "" {
		t.Error("empty CPU name")
	}
	if c := Caches(); c.L1D <= 0 || c.L2 <= 0 {
		t.Errorf("cache sizes %+v", c)
	}
}

func TestSelect(t *testing.T) {
	defer active.Store(current())
	for _, im := range Implementations() {
		if err := Select(im.Name); err != nil {
			t.Fatalf("Select(%q): %v", im.Name, err)
		}
		if Name() != im.Name || Impl().Name != im.Name {
			t.Fatalf("after Select(%q) Name() = %q", im.Name, Name())
		}
		// PackA uses the active implementation's tile.
		if pa := PackA(3, 2, make([]float32, 6), 2); pa.Impl() != im.Name {
			t.Fatalf("PackA after Select(%q) packed for %q", im.Name, pa.Impl())
		}
	}
	before := Name()
	if err := Select("no-such-isa"); err == nil || !strings.Contains(err.Error(), "unknown") {
		t.Errorf("Select(unknown) = %v, want an unknown-implementation error", err)
	}
	for _, im := range AllImplementations() {
		if !im.Available {
			err := Select(im.Name)
			if err == nil || !strings.Contains(err.Error(), "not supported") {
				t.Errorf("Select(%q) on a CPU without it = %v, want an error", im.Name, err)
			}
		}
	}
	if Name() != before {
		t.Errorf("failed Select changed the implementation to %q", Name())
	}
	// "" and "auto" honour the environment override.
	t.Setenv(EnvVar, "generic")
	if err := Select(""); err != nil || Name() != "generic" {
		t.Errorf("Select(\"\") with %s=generic: %v, %q", EnvVar, err, Name())
	}
	t.Setenv(EnvVar, "no-such-isa")
	if err := Select("auto"); err == nil || !strings.Contains(err.Error(), EnvVar) {
		t.Errorf("Select(auto) with a bad %s = %v, want an error naming it", EnvVar, err)
	}
	t.Setenv(EnvVar, "")
	if err := Select("auto"); err != nil || Name() != best().name {
		t.Errorf("Select(auto) = %v, %q; want %q", err, Name(), best().name)
	}
}

func TestActivations(t *testing.T) {
	cases := []struct {
		a    Activation
		x    float32
		want float32
	}{
		{Linear, -2, -2},
		{Leaky, -2, -0.2}, {Leaky, 3, 3},
		{Relu, -2, 0}, {Relu, 2, 2},
		{Logistic, 0, 0.5},
		{Swish, 0, 0},
		{Mish, 0, 0},
		{Mish, 25, 25}, // above the softplus threshold softplus(x) = x, tanh(25) = 1
		{Tanh, 0, 0},
		{Relie, -1, -0.01},
		{Ramp, 2, 2.2}, {Ramp, -1, -0.1},
		{Elu, -1e9, -1},
		{Plse, -5, -0.01}, {Plse, 0, 0.5}, {Plse, 5, 1.01},
		{Hardtan, -3, -1}, {Hardtan, 0.5, 0.5},
		{Lhtan, -1, -0.001}, {Lhtan, 2, 1.001},
		{HardMish, -1, -0.5}, {HardMish, -3, 0}, {HardMish, 2, 2},
		{Relu6, 7, 6},
		{Stair, 3.5, 1.5}, {Stair, 2.5, 1},
	}
	for _, c := range cases {
		got := c.a.Apply(c.x)
		if d := got - c.want; d > 1e-6 || d < -1e-6 {
			t.Errorf("%v(%v) = %v, want %v", c.a, c.x, got, c.want)
		}
	}
	// Mish against the formula in float64: x·tanh(ln(1+e^x)).
	for _, x := range []float32{-5, -1, -0.3, 0.7, 2, 10} {
		got := Mish.Apply(x)
		xd := float64(x)
		want := xd * tanh64(log1pexp(xd))
		if d := float64(got) - want; d > 1e-5 || d < -1e-5 {
			t.Errorf("mish(%v) = %v, want %v", x, got, want)
		}
	}
	// Activate over a slice equals Apply per element, and names round-trip.
	for a := Activation(0); a < numActivations; a++ {
		// 19 values: the first 16 go through the vector path where there
		// is one, the rest through the scalar tail.
		negZero := float32(math.Copysign(0, -1))
		nan, inf := float32(math.NaN()), float32(math.Inf(1))
		xs := []float32{-7, -2, -0.5, negZero, 0, 0.25, 1, 3.5, 30, nan, inf, -inf, -1e-30, 1e-30, -3e38, 5,
			negZero, nan, -1}
		ys := append([]float32(nil), xs...)
		Activate(ys, a)
		for i, x := range xs {
			w := a.Apply(x)
			if math.IsNaN(float64(w)) && math.IsNaN(float64(ys[i])) {
				continue
			}
			if approxActivation(a) && closeActivation(x, ys[i], w) {
				continue
			}
			if !sameBits(ys[i], w) {
				t.Errorf("Activate %v at %v: %v, Apply gives %v", a, x, ys[i], w)
			}
		}
		if b, ok := ParseActivation(a.String()); !ok || b != a {
			t.Errorf("ParseActivation(%q) = %v, %v", a.String(), b, ok)
		}
	}
	// Bias and activation together (the GEMM epilogue and ActivateChannels).
	for _, a := range []Activation{Linear, Leaky, Relu, Mish, Logistic} {
		x := make([]float32, 21)
		for i := range x {
			x[i] = float32(i) - 10.5
		}
		want := make([]float32, len(x))
		for i, v := range x {
			want[i] = a.Apply(v + 3)
		}
		biasAct(x, 3, a)
		for i := range x {
			if !sameBits(x[i], want[i]) && !(approxActivation(a) && closeActivation(float32(i)-7.5, x[i], want[i])) {
				t.Errorf("biasAct %v at %d: %v, want %v", a, i, x[i], want[i])
			}
		}
	}
	if _, ok := ParseActivation("bogus"); ok {
		t.Error("ParseActivation accepted bogus")
	}
}

// TestEpilogueBlock checks the block epilogue (assembly where available)
// against the per-row Go path bit for bit, with more rows than the
// no-bias stand-in holds and column counts that leave an 8-wide part after
// the 16-wide one and a scalar tail, at every level.
func TestEpilogueBlock(t *testing.T) {
	defer active.Store(current())
	for _, im := range Implementations() {
		if err := Select(im.Name); err != nil {
			t.Fatal(err)
		}
		for _, cols := range []int{37, 45} {
			testEpilogueBlock(t, cols)
		}
	}
}

func testEpilogueBlock(t *testing.T, cols int) {
	const rows, ldc = 300, 49
	for _, act := range []Activation{Linear, Leaky, Relu, Logistic} {
		for _, withBias := range []bool{false, true} {
			ep := Epilogue{Act: act}
			if withBias {
				ep.Bias = make([]float32, rows+3)
				for i := range ep.Bias {
					ep.Bias[i] = float32(i%7) - 3.25
				}
			}
			c := make([]float32, (rows+3)*ldc)
			for i := range c {
				c[i] = float32(i%13) - 6.5
			}
			c[5*ldc+2] = float32(math.Copysign(0, -1))
			want := append([]float32(nil), c...)
			for r := 2; r < 2+rows; r++ {
				applyEpilogue(want[r*ldc+3:r*ldc+3+cols], ep, r)
			}
			epilogueBlock(c, ldc, 2, rows, 3, cols, ep)
			for i := range c {
				if !sameBits(c[i], want[i]) {
					t.Fatalf("%s %v bias=%v cols=%d: c[%d] = %v, want %v", Name(), act, withBias, cols, i, c[i], want[i])
				}
			}
		}
	}
}

// approxActivation reports whether a's vector path may differ from Apply
// in the last bits (it evaluates expf/logf by polynomials).
func approxActivation(a Activation) bool { return a < numActivations && actExpFast[a] != nil }

// closeActivation is the tolerance for those: a few ulp relative, plus an
// absolute term for the cancellations in Darknet's formulas — logf(expf(x)+1)
// at very negative x and 2/(1+expf(-2y))-1 at small y, where one ulp of an
// expf near 1 becomes many ulp of the (small) result — scaled by |x| for
// mish's final x·tanh(·).
func closeActivation(x, got, want float32) bool {
	if math.IsNaN(float64(want)) || math.IsInf(float64(want), 0) {
		return sameBits(got, want) || (math.IsNaN(float64(got)) && math.IsNaN(float64(want)))
	}
	d := math.Abs(float64(got) - float64(want))
	return d <= 8e-7*math.Abs(float64(want))+6e-7*max(1, math.Abs(float64(x)))
}

// TestActivationsVector sweeps the vector exp/log activations against the
// scalar Darknet formulas over [-100, 100], the thresholds of softplus and
// expf, and special values.
func TestActivationsVector(t *testing.T) {
	var xs []float32
	for i := -200000; i <= 200000; i++ {
		xs = append(xs, float32(i)*0.0005)
	}
	for i := -1000; i <= 1000; i++ {
		xs = append(xs, float32(i)*0.1)
	}
	for _, c := range []float32{20, -20, 88.3762626647949, 88.37627, 88.72283, 88.72284, -87.33654, -87.33655, -103, 1e-8, -1e-8} {
		xs = append(xs, c, math.Nextafter32(c, 0), math.Nextafter32(c, 1000), math.Nextafter32(c, -1000))
	}
	xs = append(xs, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), float32(math.Copysign(0, -1)), 0)
	for len(xs)%8 != 0 {
		xs = append(xs, 1)
	}
	for _, a := range []Activation{Logistic, Swish, Mish, Tanh} {
		ys := append([]float32(nil), xs...)
		Activate(ys, a)
		worst, at := 0.0, float32(0)
		for i, x := range xs {
			w := a.Apply(x)
			if !closeActivation(x, ys[i], w) {
				t.Fatalf("%v(%v) = %v, scalar Darknet formula gives %v", a, x, ys[i], w)
			}
			if math.Abs(float64(w)) > 1e-30 && !math.IsInf(float64(w), 0) {
				if r := math.Abs(float64(ys[i])-float64(w)) / math.Abs(float64(w)); r > worst {
					worst, at = r, x
				}
			}
		}
		t.Logf("%v: worst relative difference %.2g at x = %v (results below 1e-30 not counted)", a, worst, at)
	}
}

// TestActivationsSameBitsAcrossLevels checks that the exp-based
// activations give the same bits at every vector level (avx512 runs the
// AVX2 operations 16 lanes at a time, then 8-wide and padded tails), on
// lengths 1..80 at every start offset pattern and on the edge values of
// TestActivationsVector (clamps, ±20, ±Inf, NaN, ±0), with and without a
// bias.
func TestActivationsSameBitsAcrossLevels(t *testing.T) {
	defer active.Store(current())
	var vec []string
	for _, im := range Implementations() {
		if l := isaOf(im.Name); l != isaGeneric && hasLevel(opLevels(opActivation), l) {
			vec = append(vec, im.Name)
		}
	}
	if len(vec) < 2 {
		t.Skipf("vector levels %v: nothing to compare", vec)
	}
	if hasLevel(opLevels(opActivation), isaAVX512) && actExp16[Mish] == nil {
		t.Fatal("avx512 level without the 16-wide exp activations")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	var xs []float32
	for _, c := range []float32{20, -20, 88.3762626647949, 88.72284, -87.33654, -87.33655, -103, 1e-8, -1e-8, 0.5, -3} {
		xs = append(xs, c, math.Nextafter32(c, 0), math.Nextafter32(c, 1000), math.Nextafter32(c, -1000))
	}
	xs = append(xs, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), float32(math.Copysign(0, -1)), 0)
	for len(xs) < 400 {
		xs = append(xs, float32(rng.NormFloat64()*8))
	}
	run := func(name string, a Activation, x []float32, bias float32) []float32 {
		if err := Select(name); err != nil {
			t.Fatal(err)
		}
		y := append([]float32(nil), x...)
		biasAct(y, bias, a)
		return y
	}
	for _, a := range []Activation{Logistic, Swish, Mish, Tanh} {
		for n := 1; n <= 80; n++ {
			for _, bias := range []float32{noBias, 0.25} {
				x := xs[n%7 : n%7+n]
				want := run(vec[0], a, x, bias)
				for _, name := range vec[1:] {
					got := run(name, a, x, bias)
					for i := range got {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Fatalf("%v n=%d bias %v: %v(%v) = %v on %s, %v on %s", a, n, bias, a, x[i], got[i], name, want[i], vec[0])
						}
					}
				}
			}
		}
		want := run(vec[0], a, xs, -1)
		for _, name := range vec[1:] {
			got := run(name, a, xs, -1)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%v: %v(%v) = %v on %s, %v on %s", a, a, xs[i], got[i], name, want[i], vec[0])
				}
			}
		}
	}
}

// BenchmarkExpActivations times the exp-based activations (bias + act on a
// 80×80 plane, as in the GEMM epilogue) at every vector level; use -count
// to interleave the levels.
func BenchmarkExpActivations(b *testing.B) {
	defer active.Store(current())
	x := make([]float32, 6400)
	for i := range x {
		x[i] = float32(i%400)/20 - 10
	}
	y := make([]float32, len(x))
	for _, im := range Implementations() {
		if l := isaOf(im.Name); l == isaGeneric || !hasLevel(opLevels(opActivation), l) {
			continue
		}
		for _, a := range []Activation{Logistic, Swish, Mish, Tanh} {
			b.Run(fmt.Sprintf("%v/%s", a, im.Name), func(b *testing.B) {
				if err := Select(im.Name); err != nil {
					b.Fatal(err)
				}
				for i := 0; i < b.N; i++ {
					copy(y, x)
					biasAct(y, 0.01, a)
				}
				b.ReportMetric(float64(b.N)*float64(len(x))/b.Elapsed().Seconds()/1e6, "Mvalues/s")
			})
		}
	}
}
