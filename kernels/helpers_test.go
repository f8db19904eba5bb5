package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// guard is written around every buffer handed to a kernel; any change to
// it means a write outside the matrix.
var guard = float32(math.Float32frombits(0x7fc0dead)) // a NaN with a recognisable payload

// buffer returns a slice holding n values at offset off inside a larger
// allocation filled with guard values, so out-of-range writes are caught
// and the data start is unaligned for off%8 != 0.
type buffer struct {
	all      []float32
	off, n   int
	readOnly []float32 // copy for untouched checks
}

func newBuffer(r *rand.Rand, n, off int, random bool) *buffer {
	const pad = 37
	b := &buffer{all: make([]float32, off+n+pad), off: off, n: n}
	for i := range b.all {
		b.all[i] = guard
	}
	if random {
		for i := 0; i < n; i++ {
			b.all[off+i] = r.Float32()*2 - 1
		}
	}
	return b
}

func (b *buffer) data() []float32 { return b.all[b.off : b.off+b.n : b.off+b.n] }

func (b *buffer) snapshot() { b.readOnly = append([]float32(nil), b.all...) }

func sameBits(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) }

func (b *buffer) checkGuards(t testing.TB, what string) {
	t.Helper()
	for i := 0; i < b.off; i++ {
		if !sameBits(b.all[i], guard) {
			t.Fatalf("%s: guard before buffer overwritten at -%d: %v", what, b.off-i, b.all[i])
		}
	}
	for i := b.off + b.n; i < len(b.all); i++ {
		if !sameBits(b.all[i], guard) {
			t.Fatalf("%s: guard after buffer overwritten at +%d: %v", what, i-b.off-b.n, b.all[i])
		}
	}
}

func (b *buffer) checkUntouched(t testing.TB, what string) {
	t.Helper()
	for i := range b.all {
		if !sameBits(b.all[i], b.readOnly[i]) {
			t.Fatalf("%s: read-only argument modified at %d", what, i-b.off)
		}
	}
}

// strided fills a rows×cols matrix with leading dimension ld, leaving the
// gaps between rows as guard values that must survive.
func stridedLen(rows, cols, ld int) int {
	if rows == 0 || cols == 0 {
		return 0
	}
	return (rows-1)*ld + cols
}

// gapsUntouched checks the elements between rows (j >= cols) still hold
// their original value.
func gapsUntouched(t testing.TB, what string, got, orig []float32, rows, cols, ld int) {
	t.Helper()
	for i := 0; i < rows; i++ {
		for j := cols; j < ld && i*ld+j < len(got); j++ {
			if !sameBits(got[i*ld+j], orig[i*ld+j]) {
				t.Fatalf("%s: element between rows modified at row %d col %d", what, i, j)
			}
		}
	}
}

// absProduct returns Σ_p |A[i][p]|·|B[p][j]| for the error bound.
func absProduct(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int) []float64 {
	out := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				s += math.Abs(float64(opAt(transA, a, lda, i, p)) * float64(opAt(transB, b, ldb, p, j)))
			}
			out[i*n+j] = s
		}
	}
	return out
}

// closeEnough compares a kernel result with the float64-accumulated
// reference. Float32 summation in any order (and FMA contraction) is
// within k·ε·Σ|a||b|; extra terms cover alpha/beta/bias rounding.
func closeEnough(got, want float32, k int, absSum, extra float64) bool {
	if math.IsNaN(float64(want)) {
		return math.IsNaN(float64(got))
	}
	const eps = 1.0 / (1 << 23)
	tol := 2*float64(k+2)*eps*absSum + 4*eps*math.Abs(float64(want)) + extra
	return math.Abs(float64(got)-float64(want)) <= tol
}

func tanh64(x float64) float64   { return math.Tanh(x) }
func log1pexp(x float64) float64 { return math.Log1p(math.Exp(x)) }
