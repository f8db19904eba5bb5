//go:build !purego

package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The NEON activation, packing and gather kernels, called directly, against
// their Go definitions: every length up to a few vectors (the kernels take
// multiples of 8 or 4; what lies past that prefix must stay untouched),
// unaligned starts, guard values around the data, and special values.

// neonSpecials are mixed into the random inputs.
var neonSpecials = []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)),
	float32(math.Inf(-1)), 1e-40, -1e-40, 3e38, -3e38, 20, -20, 88.72284, -87.33655, 1e-8}

func neonInput(r *rand.Rand, n, off int) *buffer {
	b := newBuffer(r, n, off, true)
	d := b.data()
	for i := range d {
		switch r.IntN(4) {
		case 0:
			d[i] = neonSpecials[r.IntN(len(neonSpecials))]
		case 1:
			d[i] = (r.Float32()*2 - 1) * 30
		}
	}
	return b
}

// sameOrBothNaN compares bit for bit, treating any two NaNs as equal (the
// payload of a NaN result is not specified by Darknet's formulas).
func sameOrBothNaN(x, y float32) bool {
	return sameBits(x, y) || math.IsNaN(float64(x)) && math.IsNaN(float64(y))
}

func TestNEONBiasActs(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 1))
	type kernel struct {
		name string
		a    Activation
		fn   func(x *float32, n int, bias, second float32)
		sec  float32
	}
	for _, k := range []kernel{
		{"linear", Linear, biasLeakyNEON, 1},
		{"leaky", Leaky, biasLeakyNEON, 0.1},
		{"relu", Relu, biasReluNEON, 1},
	} {
		for n := 0; n <= 41; n++ {
			off := n % 4
			bias := []float32{0, noBias, 2.5, -1}[n%4]
			b := neonInput(r, n, off)
			x := b.data()
			orig := append([]float32(nil), x...)
			n8 := n &^ 7
			if n8 > 0 {
				k.fn(&x[0], n8, bias, k.sec)
			}
			b.checkGuards(t, k.name)
			for i, v := range orig {
				want := v
				if i < n8 {
					want = k.a.Apply(v + bias)
				}
				if !sameOrBothNaN(x[i], want) {
					t.Fatalf("%s n=%d bias=%v: x[%d]=%v -> %v, want %v", k.name, n, bias, i, v, x[i], want)
				}
			}
		}
	}
}

func TestNEONBiasActRows(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 2))
	type kernel struct {
		name string
		a    Activation
		fn   func(c *float32, ldc, rows, cols int, bias *float32, second float32)
		sec  float32
	}
	for _, k := range []kernel{
		{"linear", Linear, biasLeakyRowsNEON, 1},
		{"leaky", Leaky, biasLeakyRowsNEON, 0.1},
		{"relu", Relu, biasReluRowsNEON, 1},
	} {
		for rows := 1; rows <= 4; rows++ {
			for cols := 8; cols <= 40; cols += 8 {
				for gap := 0; gap <= 5; gap += 5 {
					ldc := cols + gap
					off := (rows + gap) % 4
					b := neonInput(r, (rows-1)*ldc+cols, off)
					c := b.data()
					orig := append([]float32(nil), c...)
					bias := make([]float32, rows+1)
					for i := range bias {
						bias[i] = float32(i) - 1.5
					}
					bias[rows] = float32(math.NaN()) // past the rows: must not be read
					k.fn(&c[0], ldc, rows, cols, &bias[0], k.sec)
					b.checkGuards(t, k.name)
					for i, v := range orig {
						row, col := i/ldc, i%ldc
						want := v
						if col < cols {
							want = k.a.Apply(v + bias[row])
						}
						if !sameOrBothNaN(c[i], want) {
							t.Fatalf("%s rows=%d cols=%d ldc=%d: c[%d][%d]=%v -> %v, want %v",
								k.name, rows, cols, ldc, row, col, v, c[i], want)
						}
					}
				}
			}
		}
	}
}

func TestNEONExpActs(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 3))
	for _, k := range []struct {
		a  Activation
		fn func(x *float32, n int, bias float32)
	}{{Logistic, actLogisticNEON}, {Swish, actSwishNEON}, {Mish, actMishNEON}, {Tanh, actTanhNEON}} {
		for n := 0; n <= 41; n++ {
			off := (n + 1) % 4
			bias := []float32{noBias, 0.75, -3, 0}[n%4]
			b := neonInput(r, n, off)
			x := b.data()
			orig := append([]float32(nil), x...)
			n8 := n &^ 7
			if n8 > 0 {
				k.fn(&x[0], n8, bias)
			}
			b.checkGuards(t, k.a.String())
			for i, v := range orig {
				if i >= n8 {
					if !sameBits(x[i], v) {
						t.Fatalf("%v n=%d: x[%d] past the prefix changed", k.a, n, i)
					}
					continue
				}
				in := v + bias
				if w := k.a.Apply(in); !closeActivation(in, x[i], w) {
					t.Fatalf("%v n=%d: %v(%v) = %v, want %v", k.a, n, k.a, in, x[i], w)
				}
			}
		}
	}
}

// TestNEONExpActsSweep checks the polynomials over the whole useful range
// and at the clamp thresholds, bit for bit between lanes: the same input
// in every lane position gives the same output.
func TestNEONExpActsSweep(t *testing.T) {
	var xs []float32
	for i := -6000; i <= 6000; i++ {
		xs = append(xs, float32(i)*0.0173)
	}
	for _, c := range []float32{20, -20, 88.3762626647949, 88.72283, 88.72284, -87.33654, -87.33655, -103} {
		xs = append(xs, c, math.Nextafter32(c, 0), math.Nextafter32(c, 1000), math.Nextafter32(c, -1000))
	}
	for len(xs)%8 != 0 {
		xs = append(xs, 0.5)
	}
	for _, k := range []struct {
		a  Activation
		fn func(x *float32, n int, bias float32)
	}{{Logistic, actLogisticNEON}, {Swish, actSwishNEON}, {Mish, actMishNEON}, {Tanh, actTanhNEON}} {
		ys := append([]float32(nil), xs...)
		k.fn(&ys[0], len(ys), noBias)
		for i, x := range xs {
			if w := k.a.Apply(x); !closeActivation(x, ys[i], w) {
				t.Fatalf("%v(%v) = %v, scalar formula gives %v", k.a, x, ys[i], w)
			}
		}
		// The same input in every lane position gives the same output
		// (checked on a sample: one call per value).
		for i := 0; i < len(xs); i += 7 {
			x := xs[i]
			var lane [8]float32
			for j := range lane {
				lane[j] = x
			}
			k.fn(&lane[0], 8, noBias)
			for j, v := range lane {
				if !sameBits(v, ys[i]) {
					t.Fatalf("%v(%v): lane %d gives %v, the sweep %v", k.a, x, j, v, ys[i])
				}
			}
		}
	}
}

func TestNEONPackRow12(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 4))
	for pieces := 1; pieces <= 5; pieces++ {
		for _, stride := range []int{12, 13, 36, 100} {
			off := (pieces + stride) % 4
			row := newBuffer(r, 12*pieces, off, true)
			dst := newBuffer(r, (pieces-1)*stride+12, (off+1)%4, false)
			d := dst.data()
			packRow12NEON(&d[0], &row.data()[0], pieces, stride)
			dst.checkGuards(t, "packRow12")
			for i := range d {
				want := guard
				if p, j := i/stride, i%stride; j < 12 {
					want = row.data()[p*12+j]
				}
				if !sameBits(d[i], want) {
					t.Fatalf("pieces=%d stride=%d: dst[%d] = %v, want %v", pieces, stride, i, d[i], want)
				}
			}
		}
	}
}

func TestNEONGatherStride2(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 5))
	for n := 4; n <= 28; n += 4 {
		for off := 0; off < 4; off++ {
			src := newBuffer(r, 2*n, off, true)
			src.snapshot()
			dst := newBuffer(r, n+3, (off+2)%4, false)
			d := dst.data()
			gatherStride2NEON(&d[0], &src.data()[0], n)
			dst.checkGuards(t, "gatherStride2")
			src.checkUntouched(t, "gatherStride2")
			for i := range d {
				want := guard
				if i < n {
					want = src.data()[2*i]
				}
				if !sameBits(d[i], want) {
					t.Fatalf("n=%d off=%d: dst[%d] = %v, want %v", n, off, i, d[i], want)
				}
			}
		}
	}
}

func TestNEONPackA8(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 6))
	for k := 4; k <= 24; k += 4 {
		for _, extra := range []int{0, 1, 7} {
			lda := k + extra
			a := newBuffer(r, 7*lda+k, extra%4, true)
			a.snapshot()
			panel := newBuffer(r, 8*k, (k/4)%4, false)
			p := panel.data()
			packA8NEON(&p[0], &a.data()[0], lda, k)
			panel.checkGuards(t, "packA8")
			a.checkUntouched(t, "packA8")
			for q := 0; q < k; q++ {
				for i := 0; i < 8; i++ {
					if got, want := p[q*8+i], a.data()[i*lda+q]; !sameBits(got, want) {
						t.Fatalf("k=%d lda=%d: panel[%d][%d] = %v, want %v", k, lda, q, i, got, want)
					}
				}
			}
		}
	}
}

// TestNEONHooksInstalled: on arm64 the Go paths dispatch to the NEON
// kernels (a missing assignment would silently leave them scalar).
func TestNEONHooksInstalled(t *testing.T) {
	for name, ok := range map[string]bool{
		"biasLeakyFast": biasLeakyFast != nil, "biasReluFast": biasReluFast != nil,
		"biasLeakyRowsFast": biasLeakyRowsFast != nil, "biasReluRowsFast": biasReluRowsFast != nil,
		"actExpFast[Logistic]": actExpFast[Logistic] != nil, "actExpFast[Swish]": actExpFast[Swish] != nil,
		"actExpFast[Mish]": actExpFast[Mish] != nil, "actExpFast[Tanh]": actExpFast[Tanh] != nil,
		"actExpTail": actExpTail != nil, "packRow12Fast": packRow12Fast != nil,
		"gatherStride2Fast": gatherStride2Fast != nil, "packA8Fast": packA8Fast != nil,
		"addFast": addFast != nil, "axpyFast": axpyFast != nil, "repeat2Fast": repeat2Fast != nil,
		"axpyStride2Fast": axpyStride2Fast != nil,
	} {
		if !ok {
			t.Errorf("%s not set on arm64", name)
		}
	}
}

// TestNEONLogisticStops: the exact-logistic kernel does the groups it can
// (all of them for ordinary inputs, bit for bit logisticFast) and stops
// before the first group holding a value outside [-87, 87] or a NaN, so the
// Go code can take that group (TestLogisticExact checks the whole path).
func TestNEONLogisticStops(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 7))
	src := make([]float32, 1024)
	for i := range src {
		src[i] = (r.Float32()*2 - 1) * 20
	}
	dst := make([]float32, len(src))
	if k := logisticNEON(&dst[0], &src[0], len(src), &exp2by64[0]); k != len(src) {
		t.Fatalf("did %d of %d ordinary values", k, len(src))
	}
	for i, v := range src {
		if want := logisticFast(v); !sameBits(dst[i], want) {
			t.Fatalf("logistic(%v) = %v, logisticFast gives %v", v, dst[i], want)
		}
	}
	for _, bad := range []float32{88, -87.5, float32(math.NaN()), float32(math.Inf(-1))} {
		s := append([]float32(nil), src[:32]...)
		s[13] = bad
		if k := logisticNEON(&dst[0], &s[0], len(s), &exp2by64[0]); k != 8 {
			t.Fatalf("with %v at 13: did %d, want 8 (stop before its group)", bad, k)
		}
	}
}

// expfFastDefers reports whether expfFast(x) hands x to expf because its
// float64 result lies too close to a float32 rounding midpoint: expfFast's
// steps, repeated here (a helper shared with expfFast is not inlined and
// made the scalar logistic about 2× slower).
func expfFastDefers(x float32) bool {
	if !(x <= 87 && x >= -87) {
		return false
	}
	xd := float64(x)
	t := xd*(64/math.Ln2) + expShifter
	n := int64(math.Float64bits(t) - math.Float64bits(expShifter))
	kd := t - expShifter
	r := (xd - kd*ln2by64Hi) - kd*ln2by64Lo
	r2 := r * r
	p := r + r2*(0.5+r*(1.0/6)) + r2*r2*(1.0/24)
	s := exp2by64[n&63]
	e := math.Float64bits(s+s*p) + uint64(n>>6)<<52
	d := int64(e&(1<<29-1)) - 1<<28
	return d < 1024 && d > -1024
}

// TestNEONLogisticGuard: a group holding a value whose exp expfFast would
// not round itself is left to the Go code.
func TestNEONLogisticGuard(t *testing.T) {
	found := 0
	for b := uint32(0x3c000000); b < 0x42a00000 && found < 4; b += 97 {
		x := math.Float32frombits(b)
		if !expfFastDefers(-x) {
			continue
		}
		found++
		src := make([]float32, 24)
		for i := range src {
			src[i] = float32(i) * 0.25
		}
		src[17] = x
		dst := make([]float32, len(src))
		if k := logisticNEON(&dst[0], &src[0], len(src), &exp2by64[0]); k != 16 {
			t.Fatalf("x = %v (exp(-x) near a float32 midpoint) at 17: did %d, want 16", x, k)
		}
	}
	if found == 0 {
		t.Fatal("no input found that expfFast defers")
	}
}

// TestNEONAddAxpy: the Add and Axpy kernels against the Go loops (which Go
// compiles to fused multiply-adds on arm64, as FMLA is), bit for bit, for
// every length up to a few vectors; only the multiple-of-4 prefix changes.
func TestNEONAddAxpy(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 8))
	for n := 0; n <= 41; n++ {
		for _, axpy := range []bool{false, true} {
			dst := neonInput(r, n, n%4)
			x := neonInput(r, n, (n+3)%4)
			x.snapshot()
			alpha := float32(-1.7)
			d, xs := dst.data(), x.data()
			want := append([]float32(nil), d...)
			n4 := n &^ 3
			for i := 0; i < n4; i++ {
				if axpy {
					want[i] += alpha * xs[i]
				} else {
					want[i] += xs[i]
				}
			}
			if n4 > 0 {
				if axpy {
					axpyNEON(&d[0], &xs[0], n4, alpha)
				} else {
					addNEON(&d[0], &xs[0], n4)
				}
			}
			dst.checkGuards(t, "add/axpy")
			x.checkUntouched(t, "add/axpy")
			for i := range want {
				if !sameOrBothNaN(d[i], want[i]) {
					t.Fatalf("axpy=%v n=%d: dst[%d] = %v, want %v", axpy, n, i, d[i], want[i])
				}
			}
		}
	}
}

// TestNEONRepeat2: the 2× upsampling row against its Go loop, bit for bit,
// with guards after the written pairs.
func TestNEONRepeat2(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 9))
	for n := 4; n <= 28; n += 4 {
		src := neonInput(r, n, n%4)
		src.snapshot()
		dst := newBuffer(r, 2*n, (n/4)%4, false)
		d, s := dst.data(), src.data()
		repeat2NEON(&d[0], &s[0], n, 0.5)
		dst.checkGuards(t, "repeat2")
		src.checkUntouched(t, "repeat2")
		for i, v := range s {
			w := v * 0.5
			if !sameOrBothNaN(d[2*i], w) || !sameOrBothNaN(d[2*i+1], w) {
				t.Fatalf("n=%d: dst[%d:%d] = %v %v, want %v", n, 2*i, 2*i+2, d[2*i], d[2*i+1], w)
			}
		}
	}
}

// TestNEONAxpyStride2: the stride-2 depthwise tap against its Go loop, bit
// for bit (fused on both sides), x exactly 2n long as the contract allows.
func TestNEONAxpyStride2(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 10))
	for n := 4; n <= 28; n += 4 {
		dst := neonInput(r, n, n%4)
		x := neonInput(r, 2*n, (n/4)%4)
		x.snapshot()
		d, xs := dst.data(), x.data()
		want := append([]float32(nil), d...)
		for i := range want {
			want[i] += -0.75 * xs[2*i]
		}
		axpyStride2NEON(&d[0], &xs[0], n, -0.75)
		dst.checkGuards(t, "axpyStride2")
		x.checkUntouched(t, "axpyStride2")
		for i := range want {
			if !sameOrBothNaN(d[i], want[i]) {
				t.Fatalf("n=%d: dst[%d] = %v, want %v", n, i, d[i], want[i])
			}
		}
	}
}

// TestNEONVideoKernelsTake: the NEON YUVGather and ResizePairs take the
// columns and outputs the AVX2 code would (yuvSafe's leading columns, a
// multiple of 8; len &^ 7), so that the Shapes tests compare the NEON code
// and not the Go tail.
func TestNEONVideoKernelsTake(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 1))
	k := &YUVCoef{CY: 76309, CrR: 104597, CbG: -25675, CrG: -53279, CbB: 132201}
	for n := 0; n <= 40; n++ {
		cols, ccols := make([]int32, n), make([]int32, n)
		for j := range cols {
			cols[j], ccols[j] = int32(2*j), int32(j)
		}
		w := 2*n + r.IntN(6)
		yrow, cb, cr := make([]uint8, w), make([]uint8, w/2+1), make([]uint8, w/2+1)
		R, G, B := make([]uint8, n), make([]uint8, n), make([]uint8, n)
		want := yuvSafe(yrow, cb, cr, cols, ccols) &^ 7
		if got := yuvGatherArch(isaNEON, R, G, B, yrow, cb, cr, cols, ccols, k); got != want {
			t.Fatalf("yuv: %d columns, row %d: NEON took %d, want %d", n, w, got, want)
		}
		out, w0, w1 := make([]float32, n), make([]float32, n), make([]float32, n)
		if got := resizePairsArch(isaNEON, out, make([]uint8, 2*n), w0, w1); got != n&^7 {
			t.Fatalf("resize: %d outputs: NEON took %d", n, got)
		}
	}
}
