package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
)

// TestMicrokernels calls every runnable microkernel directly, with guard
// values around the C tile and an odd ldc, for small k including 0.
func TestMicrokernels(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, info := range Implementations() {
		im := implMust(t, info.Name)
		mr, nr := im.mr, im.nr
		for _, k := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 33} {
			for acc := 0; acc < 2; acc++ {
				for off := 0; off < 4; off++ {
					a := newBuffer(r, k*mr, off, true)
					b := newBuffer(r, k*nr, (off+1)%4, true)
					ldc := nr + 3
					c := newBuffer(r, (mr-1)*ldc+nr, off, true)
					a.snapshot()
					b.snapshot()
					orig := append([]float32(nil), c.data()...)
					var ap, bp *float32
					if k > 0 {
						ap, bp = &a.data()[0], &b.data()[0]
					} else {
						// k == 0 must not touch a or b; hand it valid pointers anyway.
						ap, bp = &a.all[0], &b.all[0]
					}
					im.kernel(k, ap, bp, &c.data()[0], ldc, acc)
					what := fmt.Sprintf("%s k=%d acc=%d off=%d", info.Name, k, acc, off)
					c.checkGuards(t, what)
					a.checkUntouched(t, what)
					b.checkUntouched(t, what)
					gapsUntouched(t, what, c.data(), orig, mr, nr, ldc)
					for i := 0; i < mr; i++ {
						for j := 0; j < nr; j++ {
							var s, abs float64
							for p := 0; p < k; p++ {
								x := float64(a.data()[p*mr+i]) * float64(b.data()[p*nr+j])
								s += x
								abs += math.Abs(x)
							}
							if acc != 0 {
								s += float64(orig[i*ldc+j])
							}
							got := c.data()[i*ldc+j]
							if !closeEnough(got, float32(s), k, abs, 1e-7) {
								t.Fatalf("%s: c[%d][%d] = %v, want %v", what, i, j, got, s)
							}
						}
					}
				}
			}
		}
	}
}

// TestDirectMicrokernels checks the optional kernels that read B in place
// (row stride ldb) against the packed-panel kernel of the same
// implementation, including k = 0 and an odd ldb.
func TestDirectMicrokernels(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for _, info := range Implementations() {
		im := implMust(t, info.Name)
		if im.direct == nil {
			continue
		}
		mr, nr := im.mr, im.nr
		for _, k := range []int{0, 1, 3, 4, 5, 9, 64, 67} {
			for acc := 0; acc < 2; acc++ {
				ldb := nr + 1 + r.IntN(40)
				a := newBuffer(r, k*mr, r.IntN(4), true)
				b := newBuffer(r, stridedLen(k, nr, ldb), r.IntN(4), true)
				packed := make([]float32, max(k*nr, 1))
				for p := 0; p < k; p++ {
					copy(packed[p*nr:p*nr+nr], b.data()[p*ldb:p*ldb+nr])
				}
				ldc := nr + 5
				c := newBuffer(r, (mr-1)*ldc+nr, r.IntN(4), true)
				want := append([]float32(nil), c.data()...)
				a.snapshot()
				b.snapshot()
				ap, bp := &a.all[0], &b.all[0]
				if k > 0 {
					ap, bp = &a.data()[0], &b.data()[0]
				}
				im.kernel(k, ap, &packed[0], &want[0], ldc, acc)
				im.direct(k, ap, bp, &c.data()[0], ldb, ldc, acc)
				what := fmt.Sprintf("%s direct k=%d acc=%d ldb=%d", info.Name, k, acc, ldb)
				c.checkGuards(t, what)
				a.checkUntouched(t, what)
				b.checkUntouched(t, what)
				for i := range want {
					if !sameBits(c.data()[i], want[i]) {
						t.Fatalf("%s: c[%d] = %v, packed kernel gives %v", what, i, c.data()[i], want[i])
					}
				}
			}
		}
	}
}

type gemmCase struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	lda, ldb, ldc  int
	offA, offB     int
	offC           int
	threads        int
}

func (g gemmCase) String() string {
	return fmt.Sprintf("tA=%v tB=%v m=%d n=%d k=%d alpha=%v beta=%v ld=%d,%d,%d off=%d,%d,%d t=%d",
		g.transA, g.transB, g.m, g.n, g.k, g.alpha, g.beta, g.lda, g.ldb, g.ldc, g.offA, g.offB, g.offC, g.threads)
}

// runSgemmCase runs one Sgemm on im and compares it with the reference,
// checking guards, gaps between rows and untouched inputs.
func runSgemmCase(t testing.TB, r *rand.Rand, im *impl, g gemmCase) {
	t.Helper()
	ar, ac := g.m, g.k
	if g.transA {
		ar, ac = g.k, g.m
	}
	br, bc := g.k, g.n
	if g.transB {
		br, bc = g.n, g.k
	}
	a := newBuffer(r, stridedLen(ar, ac, g.lda), g.offA, true)
	b := newBuffer(r, stridedLen(br, bc, g.ldb), g.offB, true)
	c := newBuffer(r, stridedLen(g.m, g.n, g.ldc), g.offC, true)
	if g.beta == 0 {
		// beta == 0 must not read C: poison it with NaN.
		for i := range c.data() {
			c.data()[i] = float32(math.NaN())
		}
	}
	a.snapshot()
	b.snapshot()
	orig := append([]float32(nil), c.data()...)
	want := append([]float32(nil), c.data()...)
	sgemmRef(g.transA, g.transB, g.m, g.n, g.k, g.alpha, a.data(), g.lda, b.data(), g.ldb, g.beta, want, g.ldc)
	sgemmWith(im, g.threads, g.transA, g.transB, g.m, g.n, g.k, g.alpha, a.data(), g.lda, b.data(), g.ldb, g.beta, c.data(), g.ldc)
	what := im.name + ": " + g.String()
	c.checkGuards(t, what)
	a.checkUntouched(t, what)
	b.checkUntouched(t, what)
	gapsUntouched(t, what, c.data(), orig, g.m, g.n, g.ldc)
	abs := absProduct(g.transA, g.transB, g.m, g.n, g.k, a.data(), g.lda, b.data(), g.ldb)
	for i := 0; i < g.m; i++ {
		for j := 0; j < g.n; j++ {
			extra := 0.0
			if g.beta != 0 {
				extra = 1e-6 * math.Abs(float64(g.beta)*float64(orig[i*g.ldc+j]))
			}
			got, w := c.data()[i*g.ldc+j], want[i*g.ldc+j]
			if !closeEnough(got, w, g.k, math.Abs(float64(g.alpha))*abs[i*g.n+j], extra+1e-7) {
				t.Fatalf("%s: C[%d][%d] = %v, want %v", what, i, j, got, w)
			}
		}
	}
}

func randomCase(r *rand.Rand, m, n, k int) gemmCase {
	g := gemmCase{m: m, n: n, k: k, transA: r.IntN(2) == 1, transB: r.IntN(2) == 1}
	alphas := []float32{1, -1, 0.5, 1.75}
	betas := []float32{0, 1, -0.5, 2}
	g.alpha = alphas[r.IntN(len(alphas))]
	g.beta = betas[r.IntN(len(betas))]
	ac, bc := k, n
	if g.transA {
		ac = m
	}
	if g.transB {
		bc = k
	}
	// Odd strides: row length plus 0..3 extra.
	g.lda = max(ac, 1) + r.IntN(4)
	g.ldb = max(bc, 1) + r.IntN(4)
	g.ldc = max(n, 1) + r.IntN(4)
	g.offA, g.offB, g.offC = r.IntN(4), r.IntN(4), r.IntN(4)
	g.threads = 1 + r.IntN(3)
	return g
}

// TestSgemmSmallShapes sweeps m over 0..2·MR+1 and n over 0..2·NR+1 for
// every implementation, with k around the unroll and block boundaries.
func TestSgemmSmallShapes(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	for _, info := range Implementations() {
		im := implMust(t, info.Name)
		kc := blocksFor(im).kc
		ks := []int{0, 1, 2, 3, 4, 5, 7, 9, 2*info.MR + 1, kc + 1}
		nStep := 1
		if testing.Short() {
			nStep = 3
		}
		for m := 0; m <= 2*info.MR+1; m++ {
			for n := 0; n <= 2*info.NR+1; n += nStep {
				k := ks[r.IntN(len(ks))]
				if k > 64 && (m > 3 || n > 20) {
					k = ks[r.IntN(len(ks)-1)] // keep the run short
				}
				runSgemmCase(t, r, im, randomCase(r, m, n, k))
			}
		}
		for k := 0; k <= 2*max(info.MR, info.NR)+1; k++ {
			runSgemmCase(t, r, im, randomCase(r, 1+r.IntN(2*info.MR+1), 1+r.IntN(2*info.NR+1), k))
		}
	}
}

// TestSgemmBlocks uses shapes that cross the kc, mc and nc blocks and the
// thread split.
func TestSgemmBlocks(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for _, info := range Implementations() {
		im := implMust(t, info.Name)
		bl := blocksFor(im)
		shapes := [][3]int{
			{bl.mc + info.MR + 1, 3*info.NR + 5, 2*bl.kc + 3},
			{2*info.MR + 3, bl.nc + info.NR + 7, 19},
			{37, 131, bl.kc - 1},
			{64, 169, 288},
			{300, 37, 300}, // A larger than B: Sgemm's row split (sgemmRowParts)
		}
		for _, s := range shapes {
			for _, threads := range []int{1, 2, 3} {
				g := randomCase(r, s[0], s[1], s[2])
				g.threads = threads
				runSgemmCase(t, r, im, g)
			}
		}
	}
}

// TestSgemmRowParts: the shapes TestSgemmBlocks uses for Sgemm's row split
// take it, and a larger B keeps run's split.
func TestSgemmRowParts(t *testing.T) {
	for _, info := range Implementations() {
		im := implMust(t, info.Name)
		if got := sgemmRowParts(im, 2, 300, 37, 300); got != 2 {
			t.Errorf("%s: sgemmRowParts(300x37x300, 2 threads) = %d, want 2", info.Name, got)
		}
		if got := sgemmRowParts(im, 2, 64, 10816, 288); got != 1 {
			t.Errorf("%s: sgemmRowParts(64x10816x288, 2 threads) = %d, want 1", info.Name, got)
		}
	}
}

// TestGemmPackedEpilogue checks every activation, with and without bias
// and accumulation, against the reference.
func TestGemmPackedEpilogue(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for _, info := range Implementations() {
		im := implMust(t, info.Name)
		for act := Activation(0); act < numActivations; act++ {
			for variant := 0; variant < 4; variant++ {
				m := 1 + r.IntN(2*info.MR+1)
				n := 1 + r.IntN(3*info.NR)
				k := r.IntN(40)
				if variant == 3 {
					m, n, k = 2*info.MR+1, 2*info.NR+3, blocksFor(im).kc+5
				}
				lda, ldb, ldc := k+r.IntN(3), n+r.IntN(3), n+r.IntN(3)
				a := newBuffer(r, stridedLen(m, k, lda), r.IntN(4), true)
				b := newBuffer(r, stridedLen(k, n, ldb), r.IntN(4), true)
				c := newBuffer(r, stridedLen(m, n, ldc), r.IntN(4), true)
				// Scale so activations see values over their interesting range.
				for i := range a.data() {
					a.data()[i] *= 3
				}
				ep := Epilogue{Act: act, Accumulate: variant&1 == 1}
				if variant&2 != 0 {
					ep.Bias = make([]float32, m)
					for i := range ep.Bias {
						ep.Bias[i] = r.Float32()*4 - 2
					}
				}
				orig := append([]float32(nil), c.data()...)
				want := append([]float32(nil), c.data()...)
				gemmEpilogueRef(m, n, k, a.data(), lda, b.data(), ldb, want, ldc, ep)
				pa := packAWith(im, false, m, k, 1, a.data(), lda)
				GemmPacked(pa, n, b.data(), ldb, c.data(), ldc, ep, 1+r.IntN(3))
				what := fmt.Sprintf("%s act=%v variant=%d m=%d n=%d k=%d", info.Name, act, variant, m, n, k)
				c.checkGuards(t, what)
				gapsUntouched(t, what, c.data(), orig, m, n, ldc)
				abs := absProduct(false, false, m, n, k, a.data(), lda, b.data(), ldb)
				for i := 0; i < m; i++ {
					for j := 0; j < n; j++ {
						got, w := c.data()[i*ldc+j], want[i*ldc+j]
						// Activations are at most ~1.2-Lipschitz except stair,
						// whose jumps make it compare exactly only away from them.
						tolAbs := 3*float64(k+4)/(1<<23)*(abs[i*n+j]+4) + 1e-6
						if act == Stair {
							continue // checked separately in TestActivations
						}
						if !(math.Abs(float64(got)-float64(w)) <= tolAbs+1e-5*math.Abs(float64(w))) {
							t.Fatalf("%s: C[%d][%d] = %v, want %v", what, i, j, got, w)
						}
					}
				}
			}
		}
	}
}

// TestConcurrentPacked runs many GemmPacked calls at once on one PackedA
// (the engine shares packed weights between sessions); run with -race.
func TestConcurrentPacked(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	m, n, k := 45, 300, 70
	a := newBuffer(r, m*k, 0, true).data()
	pa := PackA(m, k, a, k)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 6; g++ {
		b := newBuffer(r, k*n, 0, true).data()
		want := make([]float32, m*n)
		gemmEpilogueRef(m, n, k, a, k, b, n, want, n, Epilogue{Act: Leaky})
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := make([]float32, m*n)
			for it := 0; it < 5; it++ {
				GemmPacked(pa, n, b, n, c, n, Epilogue{Act: Leaky}, 2)
				for i := range c {
					if math.Abs(float64(c[i]-want[i])) > 1e-4 {
						errs <- fmt.Sprintf("goroutine result %d: %v want %v", i, c[i], want[i])
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}

func TestMisusePanics(t *testing.T) {
	cases := map[string]func(){
		"short a": func() {
			Sgemm(false, false, 2, 2, 2, 1, make([]float32, 3), 2, make([]float32, 4), 2, 0, make([]float32, 4), 2)
		},
		"small lda": func() {
			Sgemm(false, false, 2, 2, 2, 1, make([]float32, 4), 1, make([]float32, 4), 2, 0, make([]float32, 4), 2)
		},
		"short c": func() {
			Sgemm(false, false, 2, 2, 2, 1, make([]float32, 4), 2, make([]float32, 4), 2, 0, make([]float32, 3), 2)
		},
		"negative": func() { Sgemm(false, false, -1, 2, 2, 1, nil, 2, nil, 2, 0, nil, 2) },
		"short bias": func() {
			GemmPacked(PackA(2, 1, []float32{1, 2}, 1), 1, []float32{1}, 1, make([]float32, 2), 1, Epilogue{Bias: []float32{1}}, 1)
		},
		"nil packed": func() { GemmPacked(nil, 1, nil, 1, nil, 1, Epilogue{}, 1) },
	}
	for name, f := range cases {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("%s: no panic", name)
				} else if s, ok := r.(string); !ok || len(s) < 9 || s[:9] != "kernels: " {
					t.Errorf("%s: panic %v, want a \"kernels: \" message", name, r)
				}
			}()
			f()
		}()
	}
	// Empty products are fine and leave C alone (m or n zero) or scale it (k zero).
	c := []float32{1, 2}
	Sgemm(false, false, 1, 2, 0, 1, nil, 1, nil, 2, 3, c, 2)
	if c[0] != 3 || c[1] != 6 {
		t.Errorf("k=0: C = %v, want beta·C = [3 6]", c)
	}
}

// FuzzSgemm compares every implementation with the reference on shapes
// and parameters chosen by the fuzzer.
func FuzzSgemm(f *testing.F) {
	f.Add(uint8(5), uint8(17), uint8(9), uint8(0), uint64(1))
	f.Add(uint8(13), uint8(33), uint8(0), uint8(3), uint64(2))
	f.Add(uint8(1), uint8(1), uint8(255), uint8(7), uint64(3))
	f.Fuzz(func(t *testing.T, m, n, k, flags uint8, seed uint64) {
		r := rand.New(rand.NewPCG(seed, uint64(flags)))
		for _, info := range Implementations() {
			g := randomCase(r, int(m%40), int(n), int(k))
			g.transA, g.transB = flags&1 != 0, flags&2 != 0
			ac, bc := g.k, g.n
			if g.transA {
				ac = g.m
			}
			if g.transB {
				bc = g.k
			}
			g.lda, g.ldb = max(ac, 1)+int(flags>>2&3), max(bc, 1)+int(flags>>4&3)
			runSgemmCase(t, r, implMust(t, info.Name), g)
		}
	})
}

func implMust(t testing.TB, name string) *impl {
	t.Helper()
	r, err := implByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestNestedParallel calls a threaded GEMM from inside Parallel parts (the
// engine may do this); the pool must neither deadlock nor mix results.
func TestNestedParallel(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	m, n, k := 20, 200, 30
	a := newBuffer(r, m*k, 0, true).data()
	b := newBuffer(r, k*n, 0, true).data()
	want := make([]float32, m*n)
	gemmEpilogueRef(m, n, k, a, k, b, n, want, n, Epilogue{})
	pa := PackA(m, k, a, k)
	outs := make([][]float32, 16)
	Parallel(len(outs), func(p int) {
		outs[p] = make([]float32, m*n)
		GemmPacked(pa, n, b, n, outs[p], n, Epilogue{}, 3)
	})
	for p, c := range outs {
		for i := range c {
			if math.Abs(float64(c[i]-want[i])) > 1e-4 {
				t.Fatalf("part %d: c[%d] = %v, want %v", p, i, c[i], want[i])
			}
		}
	}
}

// TestThreadsDeterministic checks that the result does not depend on the
// thread count (tiles are aligned the same way whatever the split, and
// direct and packed kernels do the same arithmetic).
func TestThreadsDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 10))
	for _, info := range Implementations() {
		im := implMust(t, info.Name)
		for _, s := range [][3]int{{45, 300, 70}, {300, 37, 200}, {13, 1000, 9}} {
			m, n, k := s[0], s[1], s[2]
			a, b := newBuffer(r, m*k, 0, true).data(), newBuffer(r, k*n, 0, true).data()
			pa := packAWith(im, false, m, k, 1, a, k)
			ep := Epilogue{Bias: newBuffer(r, m, 0, true).data(), Act: Mish}
			var first []float32
			for threads := 1; threads <= 4; threads++ {
				c := make([]float32, m*n)
				GemmPacked(pa, n, b, n, c, n, ep, threads)
				if first == nil {
					first = c
					continue
				}
				for i := range c {
					if !sameBits(c[i], first[i]) {
						t.Fatalf("%s %v: %d threads give c[%d] = %v, 1 thread %v", info.Name, s, threads, i, c[i], first[i])
					}
				}
			}
		}
	}
}
