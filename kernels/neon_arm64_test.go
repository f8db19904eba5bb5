//go:build !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
	"time"
)

// neonGuard is the bit pattern written around and between the C rows of a
// tile; the kernel must leave every such float bit-identical.
const neonGuard = 0x7fc0dead

// neonRef computes the tile in float64 and, per element, the magnitude
// Σ|a·b| + |c0| that bounds the float32 rounding error.
func neonRef(k int, a, b, c0 []float32, ldc int, accumulate bool) (want, mag []float64) {
	want = make([]float64, neonMR*neonNR)
	mag = make([]float64, neonMR*neonNR)
	for i := 0; i < neonMR; i++ {
		for j := 0; j < neonNR; j++ {
			var s, m float64
			if accumulate {
				s = float64(c0[i*ldc+j])
				m = math.Abs(s)
			}
			for p := 0; p < k; p++ {
				t := float64(a[p*neonMR+i]) * float64(b[p*neonNR+j])
				s += t
				m += math.Abs(t)
			}
			want[i*neonNR+j], mag[i*neonNR+j] = s, m
		}
	}
	return want, mag
}

func neonRandPanel(r *rand.Rand, n, off int) []float32 {
	buf := make([]float32, n+off)
	s := buf[off:]
	for i := range s {
		s[i] = r.Float32()*2 - 1
	}
	return s
}

// neonCheckTile runs the kernel once on c (a tile at c[0] with stride ldc
// inside a larger guarded buffer full[lo:]) and compares with the reference.
func neonCheckTile(t *testing.T, name string, k int, a, b []float32, full []float32, lo, ldc int, accumulate int) {
	t.Helper()
	c := full[lo:]
	c0 := append([]float32(nil), c[:7*ldc+neonNR]...)
	want, mag := neonRef(k, a, b, c0, ldc, accumulate != 0)
	var ap, bp *float32
	if len(a) > 0 {
		ap = &a[0]
	} else {
		ap = &make([]float32, 1)[0] // k == 0: any valid pointer; it must not be read
	}
	if len(b) > 0 {
		bp = &b[0]
	} else {
		bp = &make([]float32, 1)[0]
	}
	sgemmKernelNEON(k, ap, bp, &c[0], ldc, accumulate)

	// Every float outside the MR×NR tile must be untouched.
	for idx := range full {
		rel := idx - lo
		inTile := rel >= 0 && rel/ldc < neonMR && rel%ldc < neonNR
		if !inTile && math.Float32bits(full[idx]) != neonGuard {
			t.Fatalf("%s: guard at offset %d (tile-relative %d) overwritten: %v", name, idx, rel, full[idx])
		}
	}
	// FMA sums in float32: error ≤ (k+1)·2^-24·Σ|terms| (generously doubled).
	for i := 0; i < neonMR; i++ {
		for j := 0; j < neonNR; j++ {
			got := float64(c[i*ldc+j])
			w, m := want[i*neonNR+j], mag[i*neonNR+j]
			tol := float64(k+2)*m*0x1p-23 + 1e-30
			if math.IsNaN(got) || math.Abs(got-w) > tol {
				t.Fatalf("%s: C[%d][%d] = %v, want %v (±%g)", name, i, j, got, w, tol)
			}
		}
	}
}

// TestNEONKernel drives the assembly microkernel directly: every k from 0 to
// 33 (all loop/tail paths: k=1, even/odd pending steps) and some long ones,
// several row strides, misaligned panels and C, both accumulate modes, and
// guard values around and between the C rows.
func TestNEONKernel(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	ks := []int{}
	for k := 0; k <= 33; k++ {
		ks = append(ks, k)
	}
	ks = append(ks, 64, 255, 256, 1001)
	ldcs := []int{12, 13, 16, 19, 37, 1000}
	n := 0
	for _, k := range ks {
		for _, ldc := range ldcs {
			for acc := 0; acc <= 1; acc++ {
				off := n % 4 // 0..3 floats: panels and C not 16-byte aligned
				n++
				a := neonRandPanel(r, k*neonMR, off)
				b := neonRandPanel(r, k*neonNR, (off+1)%4)
				const pad = 29
				full := make([]float32, pad+7*ldc+neonNR+pad)
				for i := range full {
					full[i] = math.Float32frombits(neonGuard)
				}
				lo := pad + off
				for i := 0; i < neonMR; i++ {
					for j := 0; j < neonNR; j++ {
						if acc != 0 {
							full[lo+i*ldc+j] = r.Float32()*8 - 4
						} else {
							// Without accumulate C is write-only: a NaN
							// there must not leak into the result.
							full[lo+i*ldc+j] = float32(math.NaN())
						}
					}
				}
				name := fmt.Sprintf("k=%d ldc=%d accumulate=%d off=%d", k, ldc, acc, off)
				neonCheckTile(t, name, k, a, b, full, lo, ldc, acc)
			}
		}
	}
}

// TestNEONKernelExact uses small integers, for which every order of
// summation is exact, so the result must match bit for bit; a wrong lane or
// register in the kernel shows up as an exact mismatch.
func TestNEONKernelExact(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for k := 0; k <= 20; k++ {
		for acc := 0; acc <= 1; acc++ {
			a := make([]float32, k*neonMR)
			b := make([]float32, k*neonNR)
			for i := range a {
				a[i] = float32(r.Intn(17) - 8)
			}
			for i := range b {
				b[i] = float32(r.Intn(17) - 8)
			}
			const ldc = 15
			c := make([]float32, 7*ldc+neonNR)
			c0 := make([]float32, len(c))
			for i := range c {
				c[i] = float32(r.Intn(100) - 50)
				c0[i] = c[i]
			}
			ap, bp := &make([]float32, 1)[0], &make([]float32, 1)[0]
			if k > 0 {
				ap, bp = &a[0], &b[0]
			}
			sgemmKernelNEON(k, ap, bp, &c[0], ldc, acc)
			for i := 0; i < neonMR; i++ {
				for j := 0; j < neonNR; j++ {
					var want float32
					if acc != 0 {
						want = c0[i*ldc+j]
					}
					for p := 0; p < k; p++ {
						want += a[p*neonMR+i] * b[p*neonNR+j]
					}
					if got := c[i*ldc+j]; got != want {
						t.Fatalf("k=%d accumulate=%d: C[%d][%d] = %v, want %v", k, acc, i, j, got, want)
					}
				}
			}
		}
	}
}

// TestNEONKernelEmptyK: with k <= 0 (negative is treated like 0, and no
// panel is read) accumulating leaves C bit-identical, -0 and NaN included,
// and not accumulating zeroes it.
func TestNEONKernelEmptyK(t *testing.T) {
	for _, k := range []int{0, -5} {
		c := make([]float32, neonMR*neonNR)
		for i := range c {
			c[i] = []float32{3, float32(math.Copysign(0, -1)), float32(math.NaN())}[i%3]
		}
		c0 := append([]float32(nil), c...)
		var dummy float32
		sgemmKernelNEON(k, &dummy, &dummy, &c[0], neonNR, 1)
		for i, v := range c {
			if math.Float32bits(v) != math.Float32bits(c0[i]) {
				t.Fatalf("k=%d accumulate: C[%d] changed from %v to %v", k, i, c0[i], v)
			}
		}
		sgemmKernelNEON(k, &dummy, &dummy, &c[0], neonNR, 0)
		for i, v := range c {
			if math.Float32bits(v) != 0 {
				t.Fatalf("k=%d without accumulate: C[%d] = %v, want +0", k, i, v)
			}
		}
	}
}

// TestNEONRegistered: the registry offers "neon" with the kernel's tile, and
// it is selectable on any CPU reporting ASIMD (qemu's included).
func TestNEONRegistered(t *testing.T) {
	var found bool
	for _, im := range AllImplementations() {
		if im.Name == "neon" {
			found = true
			if im.MR != neonMR || im.NR != neonNR {
				t.Fatalf("neon registered as %d×%d, kernel is %d×%d", im.MR, im.NR, neonMR, neonNR)
			}
			if !im.Available {
				t.Fatalf("neon not available on this CPU (%s)", CPUName())
			}
		}
	}
	if !found {
		t.Fatal("neon implementation not registered")
	}
	r, err := implByName("neon")
	if err != nil {
		t.Fatal(err)
	}
	if r.mr != neonMR || r.nr != neonNR || r.kernel == nil {
		t.Fatalf("neon impl = %+v", r)
	}
}

// TestNEONPeakRuns makes sure the peak probe returns (also for 0 and a
// negative count) and does not disturb the Go caller.
func TestNEONPeakRuns(t *testing.T) {
	x := []float32{1, 2, 3}
	fmaPeakNEON(-1)
	fmaPeakNEON(0)
	fmaPeakNEON(1000)
	if x[0] != 1 || x[2] != 3 {
		t.Fatal("fmaPeakNEON disturbed memory")
	}
}

// BenchmarkNEONKernel measures the bare microkernel on L1-resident panels
// (k=256: 8 KiB of A, 12 KiB of B), to compare with BenchmarkPeakFMA/neon
// (only meaningful on arm64 hardware, not under qemu).
func BenchmarkNEONKernel(b *testing.B) {
	const k = 256
	r := rand.New(rand.NewSource(3))
	a := neonRandPanel(r, k*neonMR, 0)
	bb := neonRandPanel(r, k*neonNR, 0)
	c := make([]float32, neonMR*neonNR)
	start := time.Now()
	for i := 0; i < b.N; i++ {
		sgemmKernelNEON(k, &a[0], &bb[0], &c[0], neonNR, 1)
	}
	sec := time.Since(start).Seconds()
	b.ReportMetric(float64(b.N)*2*k*neonMR*neonNR/sec/1e9, "GFLOP/s")
}
