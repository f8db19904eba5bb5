package kernels

import (
	"math"
	"testing"
)

// TestExpfFast compares expfFast with expf on a sample of every float32
// where it does not defer to expf (a stride prime to the bit patterns'
// structure), around the range limits and on special values. (The whole
// range, 2.2e9 values, was checked once: no difference.)
func TestExpfFast(t *testing.T) {
	check := func(x float32) {
		if got, want := expfFast(x), expf(x); math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
			t.Fatalf("expfFast(%v) = %v, expf gives %v", x, got, want)
		}
	}
	lim := math.Float32bits(88)
	for b := uint32(0); b <= lim; b += 331 {
		check(math.Float32frombits(b))
		check(math.Float32frombits(b | 1<<31))
	}
	for _, x := range []float32{0, float32(math.Copysign(0, -1)), 87, -87, 86.99999, -86.99999, 88.72, -103.9, -104,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), math.MaxFloat32, -math.MaxFloat32, 1e-45} {
		check(x)
	}
}

// TestLogisticExact compares every implementation of LogisticExact with logisticFast bit for
// bit on a sample of every float32 (groups with NaN, infinities and values
// beyond ±87 take the scalar path), at every alignment of the tail.
func TestLogisticExact(t *testing.T) {
	for _, l := range opLevels(opLogistic) {
		t.Run(l.String(), func(t *testing.T) { testLogisticAt(t, l) })
	}
}

func testLogisticAt(t *testing.T, l isa) {
	var src []float32
	for b := uint32(0); b < 1<<31; b += 9973 {
		src = append(src, math.Float32frombits(b), math.Float32frombits(b|1<<31))
	}
	src = append(src, float32(math.NaN()), float32(math.Inf(1)), 0, 87, -87, 88)
	for off := 0; off < 9; off++ {
		s := src[off:]
		dst := make([]float32, len(s))
		logisticAt(l, dst, s)
		for i, v := range s {
			if got, want := dst[i], logisticFast(v); math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
				t.Fatalf("LogisticExact(%v) = %v, logisticFast gives %v", v, got, want)
			}
		}
	}
	// In place.
	x := append([]float32(nil), src...)
	logisticAt(l, x, x)
	for i, v := range src {
		if want := logisticFast(v); math.Float32bits(x[i]) != math.Float32bits(want) && !(x[i] != x[i] && want != want) {
			t.Fatalf("in place: LogisticExact(%v) = %v, logisticFast gives %v", v, x[i], want)
		}
	}
}

// BenchmarkLogisticExact: LogisticExact per level on a yolo head's plane
// sizes (values in the usual range of logits), in Mvalues/s.
func BenchmarkLogisticExact(b *testing.B) {
	src := make([]float32, 40*40*85)
	for i := range src {
		src[i] = float32(i%997)/50 - 10
	}
	dst := make([]float32, len(src))
	for _, l := range opLevels(opLogistic) {
		b.Run(l.String(), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				logisticAt(l, dst, src)
			}
			b.ReportMetric(float64(b.N)*float64(len(src))/b.Elapsed().Seconds()/1e6, "Mvalues/s")
		})
	}
}
