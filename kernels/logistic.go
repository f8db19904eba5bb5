package kernels

import "math"

// expfFast returns exactly expf(x) = float32(math.Exp(float64(x))), at
// about 60% of the cost: the [yolo] heads take the logistic of hundreds of
// thousands of values per frame and math.Exp dominated them.
//
// It computes exp(x) in float64 from a 64-entry table of 2^(j/64) and a
// degree-4 polynomial (relative error below 4e-14, about 200 float64 ulps;
// math.Exp is within 1 ulp), then rounds to float32. The two round to the
// same float32 unless exp(x) lies within a few hundred float64 ulps of a
// midpoint between two float32 values; that is tested on the result's
// bits below float32 precision, and those rare inputs (about 4 in a
// million) and the range where the float32 result would not be normal
// call expf itself. Checked against expf for every float32 in [-87, 87].
func expfFast(x float32) float32 {
	if !(x <= 87 && x >= -87) {
		return expf(x)
	}
	xd := float64(x)
	// n = round(x·64/ln2) from the low bits of a float64 whose ulp is 1.
	t := xd*(64/math.Ln2) + expShifter
	n := int64(math.Float64bits(t) - math.Float64bits(expShifter))
	kd := t - expShifter
	// r = x - n·ln2/64 with ln2/64 split so that n·hi is exact.
	r := (xd - kd*ln2by64Hi) - kd*ln2by64Lo
	r2 := r * r
	p := r + r2*(0.5+r*(1.0/6)) + r2*r2*(1.0/24)
	s := exp2by64[n&63]
	e := math.Float64bits(s+s*p) + uint64(n>>6)<<52
	if d := int64(e&(1<<29-1)) - 1<<28; d < 1024 && d > -1024 {
		return expf(x) // too close to a rounding midpoint to decide here
	}
	return float32(math.Float64frombits(e))
}

const (
	expShifter = 0x1.8p52
	ln2by64Hi  = 0.010830424695086549 // ln2/64 to 33 significant bits
	ln2by64Lo  = 1.162596423439437e-12
)

var exp2by64 = func() (t [64]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / 64)
	}
	return
}()

// logisticFast is logisticf with expfFast: the same float32 result.
func logisticFast(x float32) float32 { return 1 / (1 + expfFast(-x)) }

// LogisticExact (OpLogistic) sets dst[i] = 1/(1+expf(-src[i])) for
// i < len(dst), bit for bit Darknet's logistic_activate with a correctly
// rounded expf (what Activation Logistic's Apply computes), for the
// detection heads' hundreds of thousands of values per frame. dst may be
// src; src must hold len(dst) floats. Every implementation gives the same
// bits: the vector code evaluates exp in float64 like expfFast and leaves
// a group of lanes whose result it cannot round with certainty to
// expfFast.
func LogisticExact(dst, src []float32) { logisticAt(level(opLogistic), dst, src) }

func logisticAt(l isa, dst, src []float32) {
	src = src[:len(dst)]
	for len(dst) >= 8 {
		k, ok := logisticArch(l, dst, src)
		if !ok {
			break
		}
		dst, src = dst[k:], src[k:]
		if len(dst) >= 8 {
			// A group the vector code leaves to the scalar path.
			logisticGo(dst[:8], src[:8])
			dst, src = dst[8:], src[8:]
		}
	}
	logisticGo(dst, src)
}

// logisticGo is LogisticExact's Go reference.
func logisticGo(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] = logisticFast(v)
	}
}
