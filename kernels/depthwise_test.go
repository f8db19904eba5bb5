package kernels

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

// fma32Exact is a·b + c computed exactly and rounded once to float32.
func fma32Exact(a, b, c float32) float32 {
	x := new(big.Float).SetPrec(1000).SetFloat64(float64(a))
	x.Mul(x, new(big.Float).SetPrec(1000).SetFloat64(float64(b)))
	x.Add(x, new(big.Float).SetPrec(1000).SetFloat64(float64(c)))
	f, _ := x.Float32() // nearest, ties to even (−0 for a negative underflow)
	if x.Sign() == 0 {
		// big.Float has no signed zero for an exact zero sum: IEEE gives
		// +0 unless both addends are −0.
		p := float64(a) * float64(b)
		if math.Signbit(p) && math.Signbit(float64(c)) {
			return float32(math.Copysign(0, -1))
		}
		return 0
	}
	return f
}

// TestFma32: fma32 is the float32 FMA, including where rounding the
// float64 FMA to float32 rounds twice.
func TestFma32(t *testing.T) {
	u := float32(1 + 1.0/4096)          // 1+2⁻¹²: u·u = 1 + 2⁻¹¹ + 2⁻²⁴
	tiny := float32(math.Ldexp(1, -80)) // lost by the float64 rounding
	if naive := float32(math.FMA(float64(u), float64(u), float64(tiny))); naive == fma32Exact(u, u, tiny) {
		t.Fatalf("the double-rounding case does not round twice (%v)", naive)
	}
	if g, w := fma32(u, u, tiny), fma32Exact(u, u, tiny); !sameBits(g, w) {
		t.Fatalf("fma32(u, u, 2⁻⁸⁰) = %v, want %v", g, w)
	}
	r := rand.New(rand.NewPCG(5, 7))
	rnd := func() float32 {
		switch r.IntN(4) {
		case 0: // any finite float32, subnormals included
			for {
				if f := math.Float32frombits(r.Uint32()); !math.IsNaN(float64(f)) && !math.IsInf(float64(f), 0) {
					return f
				}
			}
		case 1: // products near a float32 midpoint: few significant bits
			return float32(math.Ldexp(float64(1+r.IntN(1<<12)), r.IntN(40)-20))
		}
		return r.Float32()*2 - 1
	}
	for i := 0; i < 300000; i++ {
		a, b, c := rnd(), rnd(), rnd()
		if i%3 == 0 { // c far below a·b: its bits decide a rounding
			c = float32(math.Ldexp(float64(c), -30-r.IntN(60)))
		}
		if g, w := fma32(a, b, c), fma32Exact(a, b, c); !sameBits(g, w) && !(math.IsInf(float64(w), 0) && g == w) {
			t.Fatalf("fma32(%g, %g, %g) = %g (%#x), want %g (%#x)", a, b, c, g, math.Float32bits(g), w, math.Float32bits(w))
		}
	}
}

// dwCase is one random depthwise problem.
//
// TestDepthwise runs each shape at every level against the reference,
// alternately through the whole-plane buffer and the ring of rows, and
// on the plane with and without the two-rows-per-pass 3×3 kernel.
type dwCase struct {
	g          ConvGeom
	in, wt, bs []float32
	c0, c1     int
	act        Activation
}

func (d *dwCase) String() string {
	g := d.g
	return "c" + itoaSmall(g.Channels) + " " + itoaSmall(g.Height) + "x" + itoaSmall(g.Width) +
		" k" + itoaSmall(g.KernelH) + "x" + itoaSmall(g.KernelW) + " p" + itoaSmall(g.PadH) + "," + itoaSmall(g.PadW) +
		" s" + itoaSmall(g.StrideH) + "," + itoaSmall(g.StrideW) + " d" + itoaSmall(g.DilationH) + "," + itoaSmall(g.DilationW) +
		" ch[" + itoaSmall(d.c0) + "," + itoaSmall(d.c1) + ") " + d.act.String()
}

var dwSizes = []int{1, 2, 3, 4, 7, 8, 9, 13, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 79, 80, 81, 104, 207}

func randomDepthwise(r *rand.Rand, trial int) *dwCase {
	k := []int{1, 3, 3, 3, 5, 7}[r.IntN(6)]
	kh, kw := k, k
	if trial%11 == 5 {
		kw = []int{1, 3, 5}[r.IntN(3)]
	}
	dh, dw := 1, 1
	if trial%13 == 7 {
		dh, dw = 2, 1+r.IntN(3)
	}
	g := ConvGeom{Channels: 1 + r.IntN(5), Height: dwSizes[r.IntN(len(dwSizes))], Width: dwSizes[r.IntN(len(dwSizes))],
		KernelH: kh, KernelW: kw, PadH: r.IntN(3), PadW: r.IntN(3),
		StrideH: 1 + r.IntN(2), StrideW: 1 + r.IntN(2), DilationH: dh, DilationW: dw}
	if trial%2 == 0 { // Darknet's layers: square, pad = k/2 or 0
		g.PadH, g.PadW = k/2*(trial/2%2), k/2*(trial/2%2)
		g.StrideH = g.StrideW
	}
	if trial%17 == 3 {
		g.StrideW = 3
	}
	if trial%5 == 0 && g.Height > 40 {
		g.Height = 1 + r.IntN(4) // short planes, long rows
	}
	// Keep the outputs positive-sized.
	for g.OutH() <= 0 {
		g.Height++
	}
	for g.OutW() <= 0 {
		g.Width++
	}
	d := &dwCase{g: g, act: []Activation{Linear, Linear, Leaky, Relu}[trial%4]}
	d.in = randF32(r, g.Channels*g.Height*g.Width)
	for i := 0; i < len(d.in); i += 1 + r.IntN(9) {
		d.in[i] = 0 // real zeros besides the padding's
	}
	d.wt = randF32(r, g.Channels*kh*kw)
	if trial%7 != 1 {
		d.bs = randF32(r, g.Channels)
	}
	d.c0 = r.IntN(g.Channels)
	d.c1 = d.c0 + 1 + r.IntN(g.Channels-d.c0)
	if trial%3 == 0 {
		d.c0, d.c1 = 0, g.Channels
	}
	return d
}

func randF32(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = r.Float32()*2 - 1
	}
	return s
}

// levelRef stands for the reference (depthwiseGo) in dwCase.run.
const levelRef = isa(255)

// run computes d at level l (or levelRef) into a guarded output.
func (d *dwCase) run(t *testing.T, l isa, ws *Workspace, act Activation) []float32 {
	t.Helper()
	g := d.g
	n := g.Channels * g.OutH() * g.OutW()
	out := newBuffer(rand.New(rand.NewPCG(1, 1)), n, 3, false)
	in := append([]float32(nil), d.in...)
	if l == levelRef {
		depthwiseGo(out.data(), in, &g, d.wt, d.bs, act, d.c0, d.c1)
	} else {
		depthwiseAt(l, ws, out.data(), in, &g, d.wt, d.bs, act, d.c0, d.c1)
	}
	out.checkGuards(t, d.String()+" out")
	for i, v := range in {
		if !sameBits(v, d.in[i]) {
			t.Fatalf("%s: input modified", d)
		}
	}
	plane := g.OutH() * g.OutW()
	for i, v := range out.data() {
		if c := i / plane; (c < d.c0 || c >= d.c1) && !sameBits(v, guard) {
			t.Fatalf("%s: channel %d outside the range written", d, c)
		}
	}
	return out.data()
}

// TestDepthwise: every level (generic: the row buffers with the Go row
// loop) gives the Go reference's bits on random
// shapes (awkward widths, tiny planes, strides 1-3, paddings 0-2, k 1-7,
// dilation, partial channel ranges, with and without bias, linear, leaky
// and relu fused), and other activations are the linear result with
// Activate applied.
func TestDepthwise(t *testing.T) {
	for _, l := range opLevels(opDepthwise) {
		t.Run(l.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(11, uint64(l)))
			ws := new(Workspace) // reused across shapes, as the engine does
			defer func(m int, p bool) { dwPlaneMax, pairs3x3 = m, p }(dwPlaneMax, pairs3x3)
			for trial := 0; trial < 600; trial++ {
				d := randomDepthwise(r, trial)
				if testing.Short() && trial >= 150 {
					break
				}
				// Every other shape through the ring of rows instead of
				// the whole plane.
				dwPlaneMax = 64 << 10
				if trial%2 == 1 {
					dwPlaneMax = 0
				}
				pairs3x3 = trial%4 != 2 // and some planes one row at a time
				got := d.run(t, l, ws, d.act)
				want := d.run(t, levelRef, nil, d.act)
				compareBits(t, d, got, want)
				if trial%10 == 0 && l != isaGeneric {
					// An activation that is not fused: linear, then Activate
					// per row (at the active level; the reference applies
					// Apply, which the vector exp code matches within ulps).
					act := []Activation{Mish, Logistic, Swish}[trial/10%3]
					got := d.run(t, l, ws, act)
					lin := d.run(t, l, ws, Linear)
					ow := d.g.OutW()
					for i := d.c0 * d.g.OutH() * ow; i < d.c1*d.g.OutH()*ow; i += ow {
						Activate(lin[i:i+ow], act)
					}
					compareBits(t, d, got, lin)
				}
			}
		})
	}
}

func compareBits(t *testing.T, d *dwCase, got, want []float32) {
	t.Helper()
	ow, plane := d.g.OutW(), d.g.OutH()*d.g.OutW()
	for i := range want {
		if !sameBits(got[i], want[i]) {
			t.Fatalf("%s: out[c%d][%d][%d] = %v, reference %v", d, i/plane, i%plane/ow, i%ow, got[i], want[i])
		}
	}
}

// TestDepthwiseReference checks the reference itself against Im2col's
// layout (Darknet's geometry) summed in float64, one channel at a time.
func TestDepthwiseReference(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 3))
	for trial := 0; trial < 200; trial++ {
		d := randomDepthwise(r, trial)
		d.act = Linear
		g := d.g
		got := d.run(t, levelRef, nil, Linear)
		kk, h, w, plane := g.KernelH*g.KernelW, g.Height, g.Width, g.OutH()*g.OutW()
		col := make([]float32, kk*plane)
		for c := d.c0; c < d.c1; c++ {
			Im2col(d.in[c*h*w:(c+1)*h*w], 1, h, w, g.KernelH, g.KernelW, g.PadH, g.PadW,
				g.StrideH, g.StrideW, g.DilationH, g.DilationW, col)
			for j := 0; j < plane; j++ {
				var s, mag float64
				if d.bs != nil {
					s, mag = float64(d.bs[c]), math.Abs(float64(d.bs[c]))
				}
				for k := 0; k < kk; k++ {
					p := float64(d.wt[c*kk+k]) * float64(col[k*plane+j])
					s += p
					mag += math.Abs(p)
				}
				if v := got[c*plane+j]; math.Abs(float64(v)-s) > 1e-6*(mag+1)*float64(kk) {
					t.Fatalf("%s: reference out[c%d][%d] = %v, im2col sum %v", d, c, j, v, s)
				}
			}
		}
	}
}

// TestDepthwiseMisuse: bad arguments panic with a kernels message.
func TestDepthwiseMisuse(t *testing.T) {
	g := ConvGeom{Channels: 2, Height: 5, Width: 5, KernelH: 3, KernelW: 3, PadH: 1, PadW: 1,
		StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1}
	in, out, wt, bs := make([]float32, 50), make([]float32, 50), make([]float32, 18), make([]float32, 2)
	bad := func(name string, f func()) {
		t.Helper()
		defer func() {
			t.Helper()
			if e, ok := recover().(string); !ok || !strings.HasPrefix(e, "kernels: Depthwise") {
				t.Errorf("%s: panic %v, want a kernels: Depthwise message", name, e)
			}
		}()
		f()
	}
	bad("short input", func() { Depthwise(nil, out, in[:49], &g, wt, bs, Linear, 0, 2) })
	bad("short output", func() { Depthwise(nil, out[:49], in, &g, wt, bs, Linear, 0, 2) })
	bad("short weights", func() { Depthwise(nil, out, in, &g, wt[:17], bs, Linear, 0, 2) })
	bad("short bias", func() { Depthwise(nil, out, in, &g, wt, bs[:1], Linear, 0, 2) })
	bad("channel range", func() { Depthwise(nil, out, in, &g, wt, bs, Linear, 1, 3) })
	g0 := g
	g0.StrideW = 0
	bad("stride 0", func() { Depthwise(nil, out, in, &g0, wt, bs, Linear, 0, 2) })
	Depthwise(nil, out, in, &g, wt, bs, Linear, 1, 1) // an empty range is fine
}
