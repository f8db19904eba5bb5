package kernels

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestOps checks the operation list: every operation once, in order, each
// on a level this CPU runs that is the active implementation's or a lower
// one, and all of them generic after Select("generic").
func TestOps(t *testing.T) {
	defer active.Store(current())
	for _, im := range Implementations() {
		if err := Select(im.Name); err != nil {
			t.Fatal(err)
		}
		ops := Ops()
		if len(ops) != int(numOps) || ops[0].Op != OpSgemm || ops[0].Impl != im.Name {
			t.Fatalf("%s: Ops() = %v", im.Name, ops)
		}
		top := isaOf(im.Name)
		for i, o := range ops {
			if o.Op != opNames[i] {
				t.Errorf("%s: op %d is %q, want %q", im.Name, i, o.Op, opNames[i])
			}
			l := isaOf(o.Impl)
			if l != top && l != isaGeneric && !(top == isaAVX512 && l == isaAVX2) {
				t.Errorf("%s: %s runs on %s", im.Name, o.Op, o.Impl)
			}
			if l != isaGeneric && !hasLevel(opLevels(op(i)), l) {
				t.Errorf("%s: %s runs on %s, which this CPU cannot run", im.Name, o.Op, o.Impl)
			}
			if ImplOf(o.Op) != o.Impl {
				t.Errorf("ImplOf(%q) = %q, Ops says %q", o.Op, ImplOf(o.Op), o.Impl)
			}
			if im.Name == "generic" && o.Impl != "generic" {
				t.Errorf("generic: %s runs on %s", o.Op, o.Impl)
			}
		}
		s := OpsString()
		if !strings.HasPrefix(s, "sgemm="+im.Name+" conv3x3=") || strings.Count(s, "=") != int(numOps) {
			t.Errorf("OpsString() = %q", s)
		}
	}
	if ImplOf("no-such-op") != "" {
		t.Error("ImplOf of an unknown operation is not empty")
	}
}

// TestConv3x3 compares every implementation of Conv3x3 with the Go
// reference on random layouts: channel counts across the vector code's
// blocks, position counts around the tile widths (24, 48), accumulation
// and every epilogue, unaligned starts; nothing outside the output rows
// (plus the allowed round-up) may be written.
func TestConv3x3(t *testing.T) {
	for _, l := range opLevels(opConv3x3)[1:] {
		t.Run(l.String(), func(t *testing.T) { testConv3x3At(t, l) })
	}
}

func testConv3x3At(t *testing.T, l isa) {
	r := rand.New(rand.NewPCG(3, 9))
	flagSet := []int{0, Conv3x3Linear, Conv3x3Leaky, Conv3x3Relu, Conv3x3Accumulate, Conv3x3Accumulate | Conv3x3Leaky}
	for trial := 0; trial < 300; trial++ {
		w := 1 + r.IntN(40)
		wp := w + 2
		nch := 1 + r.IntN(19)
		n := []int{1, 7, 23, 24, 25, 47, 48, 49, 71, 95, 96}[r.IntN(11)]
		if trial%3 == 0 {
			n = 1 + r.IntN(96)
		}
		flags := flagSet[trial%len(flagSet)]
		nb := (n + Conv3x3Block - 1) / Conv3x3Block * Conv3x3Block
		var taps [9]int
		for i := range taps {
			taps[i] = i/3*wp + i%3
		}
		chs := taps[8] + n + r.IntN(30)
		inLen := (nch-1)*chs + taps[8] + nb
		in := newBuffer(r, inLen, r.IntN(8), true)
		for i := 0; i < inLen; i += 1 + r.IntN(16) {
			in.data()[i] = 0 // the layout's zero border
		}
		wt := newBuffer(r, nch*36, r.IntN(8), true)
		bias := newBuffer(r, 4, r.IntN(8), true)
		ldo := nb + r.IntN(20)
		outLen := 3*ldo + nb
		got := newBuffer(r, outLen, r.IntN(8), true)
		want := append([]float32(nil), got.data()...)
		start := append([]float32(nil), want...)
		in.snapshot()
		wt.snapshot()
		conv3x3At(l, got.data(), ldo, in.data(), chs, &taps, wt.data(), nch, n, bias.data(), flags)
		conv3x3Go(want, ldo, in.data(), chs, &taps, wt.data(), nch, n, bias.data(), flags)
		got.checkGuards(t, "Conv3x3 out")
		if l == isaAVX512 {
			// Per lane the same FMAs as the AVX2 tile: the same bits.
			o2 := append([]float32(nil), start...)
			conv3x3At(isaAVX2, o2, ldo, in.data(), chs, &taps, wt.data(), nch, n, bias.data(), flags)
			for f := 0; f < 4; f++ {
				for j := 0; j < n; j++ {
					if g := got.data()[f*ldo+j]; !sameBits(g, o2[f*ldo+j]) {
						t.Fatalf("trial %d: out[%d][%d] = %v, avx2 gives %v", trial, f, j, g, o2[f*ldo+j])
					}
				}
			}
		}
		in.checkUntouched(t, "Conv3x3 in")
		wt.checkUntouched(t, "Conv3x3 w")
		for f := 0; f < 4; f++ {
			for j := 0; j < n; j++ {
				// Σ|terms| bounds the rounding difference of FMA vs mul+add.
				var mag float64
				if flags&Conv3x3Accumulate != 0 {
					mag = math.Abs(float64(want[f*ldo+j]))
				}
				for c := 0; c < nch; c++ {
					for k, o := range taps {
						mag += math.Abs(float64(wt.data()[c*36+k*4+f] * in.data()[c*chs+o+j]))
					}
				}
				mag += 1
				g, w := got.data()[f*ldo+j], want[f*ldo+j]
				if math.Abs(float64(g-w)) > 1e-6*mag*float64(9*nch) {
					t.Fatalf("trial %d (n=%d nch=%d flags=%d): out[%d][%d] = %v, reference %v", trial, n, nch, flags, f, j, g, w)
				}
			}
		}
	}
}

// TestConv3x3Misuse: sizes that do not fit panic with a kernels message.
func TestConv3x3Misuse(t *testing.T) {
	var taps [9]int
	for i := range taps {
		taps[i] = i/3*5 + i%3
	}
	ok := func() (out, in, w, b []float32) {
		return make([]float32, 3*48+48), make([]float32, 12+48), make([]float32, 36), make([]float32, 4)
	}
	cases := map[string]func(){
		"short out": func() { out, in, w, b := ok(); Conv3x3(out[:100], 48, in, 0, &taps, w, 1, 10, b, 0) },
		"short in":  func() { out, in, w, b := ok(); Conv3x3(out, 48, in[:30], 0, &taps, w, 1, 10, b, 0) },
		"short w":   func() { out, in, w, b := ok(); Conv3x3(out, 48, in, 0, &taps, w[:35], 1, 10, b, 0) },
		"no bias":   func() { out, in, w, _ := ok(); Conv3x3(out, 48, in, 0, &taps, w, 1, 10, nil, Conv3x3Leaky) },
		"flags":     func() { out, in, w, b := ok(); Conv3x3(out, 48, in, 0, &taps, w, 1, 10, b, 8) },
		"ldo":       func() { out, in, w, b := ok(); Conv3x3(out, 40, in, 0, &taps, w, 1, 10, b, 0) },
		"channels":  func() { out, in, w, b := ok(); Conv3x3(out, 48, in, 0, &taps, w, 0, 10, b, 0) },
	}
	for name, f := range cases {
		func() {
			defer func() {
				if p := recover(); p == nil || !strings.HasPrefix(p.(string), "kernels: ") {
					t.Errorf("%s: panic %v, want a kernels: message", name, p)
				}
			}()
			f()
		}()
	}
}

// TestMaxpoolOps compares every implementation of MaxInto and MaxPairs
// with the Go reference bit for bit, with NaNs, signed zeros, infinities
// and ties in the data, at every length up to a few vectors.
func TestMaxpoolOps(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 7))
	special := []float32{float32(math.NaN()), 0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), -math.MaxFloat32, 1}
	val := func() float32 {
		if r.IntN(4) == 0 {
			return special[r.IntN(len(special))]
		}
		return float32(r.IntN(7) - 3) // ties
	}
	for _, l := range opLevels(opMaxpool) {
		for n := 0; n <= 140; n++ {
			x, dst := newBuffer(r, n, r.IntN(8), false), newBuffer(r, n, r.IntN(8), false)
			r0, r1 := newBuffer(r, 2*n, r.IntN(8), false), newBuffer(r, 2*n, r.IntN(8), false)
			for _, b := range []*buffer{x, dst, r0, r1} {
				for i := range b.data() {
					b.data()[i] = val()
				}
			}
			want := append([]float32(nil), dst.data()...)
			maxIntoGo(want, x.data())
			maxIntoAt(l, dst.data(), x.data())
			dst.checkGuards(t, "MaxInto")
			for i := range want {
				if !sameBits(dst.data()[i], want[i]) {
					t.Fatalf("%s n=%d: MaxInto[%d] = %v, reference %v", l, n, i, dst.data()[i], want[i])
				}
			}
			maxPairsGo(want, r0.data(), r1.data())
			maxPairsAt(l, dst.data(), r0.data(), r1.data())
			dst.checkGuards(t, "MaxPairs")
			for i := range want {
				if !sameBits(dst.data()[i], want[i]) {
					t.Fatalf("%s n=%d: MaxPairs[%d] = %v, reference %v", l, n, i, dst.data()[i], want[i])
				}
			}
		}
	}
}

// TestConv3x3x8 checks that Conv3x3x8 gives, on every level, the bits of
// two Conv3x3 calls at that level (the AVX-512 fused tile against two
// 4-filter tiles), on random layouts with guards, every flag combination.
func TestConv3x3x8(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 2))
	flagSet := []int{0, Conv3x3Linear, Conv3x3Leaky, Conv3x3Relu, Conv3x3Accumulate, Conv3x3Accumulate | Conv3x3Relu}
	for _, l := range opLevels(opConv3x3) {
		for trial := 0; trial < 60; trial++ {
			wp := 3 + r.IntN(40)
			nch := 1 + r.IntN(12)
			n := []int{1, 24, 47, 48, 49, 96}[r.IntN(6)]
			flags := flagSet[trial%len(flagSet)]
			nb := (n + Conv3x3Block - 1) / Conv3x3Block * Conv3x3Block
			var taps [9]int
			for i := range taps {
				taps[i] = i/3*wp + i%3
			}
			chs := taps[8] + n + r.IntN(9)
			in := newBuffer(r, (nch-1)*chs+taps[8]+nb, r.IntN(8), true)
			w0, w1 := newBuffer(r, nch*36, r.IntN(8), true), newBuffer(r, nch*36, r.IntN(8), true)
			bias := newBuffer(r, 8, r.IntN(8), true)
			ldo := nb + r.IntN(9)
			got := newBuffer(r, 7*ldo+nb, r.IntN(8), true)
			want := append([]float32(nil), got.data()...)
			conv3x3x8At(l, got.data(), ldo, in.data(), chs, &taps, w0.data(), w1.data(), nch, n, bias.data(), flags)
			conv3x3At(l, want, ldo, in.data(), chs, &taps, w0.data(), nch, n, bias.data()[:4], flags)
			conv3x3At(l, want[4*ldo:], ldo, in.data(), chs, &taps, w1.data(), nch, n, bias.data()[4:], flags)
			got.checkGuards(t, "Conv3x3x8")
			for f := 0; f < 8; f++ {
				for j := 0; j < n; j++ {
					if g, w := got.data()[f*ldo+j], want[f*ldo+j]; !sameBits(g, w) {
						t.Fatalf("%s trial %d (n=%d nch=%d flags=%d): out[%d][%d] = %v, two Conv3x3 give %v", l, trial, n, nch, flags, f, j, g, w)
					}
				}
			}
		}
	}
	defer func() {
		if p := recover(); p == nil || !strings.HasPrefix(p.(string), "kernels: ") {
			t.Errorf("Conv3x3x8 with 4 biases: panic %v, want a kernels: message", p)
		}
	}()
	var taps [9]int
	Conv3x3x8(make([]float32, 8*48), 48, make([]float32, 100), 0, &taps, make([]float32, 36), make([]float32, 36), 1, 10, make([]float32, 4), Conv3x3Leaky)
}

// TestMaxPairsRows: every level's MaxPairsRows against the reference row
// by row (MaxPairs' lane formula for n outputs, the window order for the
// tail), bit for bit with NaNs, ±0 and ties, strides with gaps, n around
// the vector widths (4, 8, 16) and tails 0..9; guards around dst.
func TestMaxPairsRows(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	special := []float32{float32(math.NaN()), 0, float32(math.Copysign(0, -1)), float32(math.Inf(-1)), -math.MaxFloat32}
	for _, l := range opLevels(opMaxpool) {
		for trial := 0; trial < 300; trial++ {
			n, tail := r.IntN(40), r.IntN(10)
			if n+tail == 0 {
				n = 1
			}
			m := n + tail
			rows := 1 + r.IntN(5)
			lds, ldd := 2*m+r.IntN(5), m+r.IntN(5)
			src := newBuffer(r, (2*rows-1)*lds+2*m, r.IntN(8), false)
			for i := range src.data() {
				if r.IntN(4) == 0 {
					src.data()[i] = special[r.IntN(len(special))]
				} else {
					src.data()[i] = float32(r.IntN(5) - 2)
				}
			}
			got := newBuffer(r, (rows-1)*ldd+m, r.IntN(8), false)
			want := append([]float32(nil), got.data()...)
			src.snapshot()
			maxPairsRowsAt(l, got.data(), ldd, src.data(), lds, rows, n, tail)
			got.checkGuards(t, "MaxPairsRows")
			src.checkUntouched(t, "MaxPairsRows src")
			s := src.data()
			for k := 0; k < rows; k++ {
				r0, r1 := s[2*k*lds:], s[(2*k+1)*lds:]
				maxPairsGo(want[k*ldd:k*ldd+n], r0, r1)
				for x := n; x < m; x++ {
					v := MaxF(r0[2*x], -math.MaxFloat32)
					v = MaxF(r0[2*x+1], v)
					v = MaxF(r1[2*x], v)
					want[k*ldd+x] = MaxF(r1[2*x+1], v)
				}
			}
			for i := range want {
				if !sameBits(got.data()[i], want[i]) {
					t.Fatalf("%s n=%d tail=%d rows=%d: dst[%d] = %v, reference %v", l, n, tail, rows, i, got.data()[i], want[i])
				}
			}
		}
	}
}
