package kernels

// Small vector helpers for the engine's non-GEMM layers. They panic when
// the slices' lengths disagree (programmer error).

func checkLen(fn string, a, b int) {
	if a != b {
		panic("kernels: " + fn + ": length mismatch")
	}
}

// Optional assembly for Add, Axpy, AxpyStride2 and Repeat2 (set by an arch
// file's init), for a
// prefix of a multiple of 4 elements, bit for bit the Go loops; like the
// GEMM they follow the active implementation (generic: plain Go).
var (
	addFast     func(dst, x *float32, n int)
	axpyFast    func(dst, x *float32, n int, alpha float32)
	repeat2Fast func(dst, src *float32, n int, scale float32)
	// axpyStride2Fast reads x[0:2n].
	axpyStride2Fast func(dst, x *float32, n int, alpha float32)
)

// Add sets dst[i] += x[i].
func Add(dst, x []float32) {
	checkLen("Add", len(dst), len(x))
	if n4 := len(x) &^ 3; n4 > 0 && addFast != nil && level(opSgemm) != isaGeneric {
		addFast(&dst[0], &x[0], n4)
		dst, x = dst[n4:], x[n4:]
	}
	for i, v := range x {
		dst[i] += v
	}
}

// Axpy sets dst[i] += alpha·x[i].
func Axpy(alpha float32, x, dst []float32) {
	checkLen("Axpy", len(dst), len(x))
	if n4 := len(x) &^ 3; n4 > 0 && axpyFast != nil && level(opSgemm) != isaGeneric {
		axpyFast(&dst[0], &x[0], n4, alpha)
		dst, x = dst[n4:], x[n4:]
	}
	for i, v := range x {
		dst[i] += alpha * v
	}
}

// AxpyStride2 sets dst[i] += alpha·x[2i] for i < len(dst): a tap of a
// stride-2 depthwise convolution. x must hold 2·len(dst)−1 floats.
func AxpyStride2(alpha float32, x, dst []float32) {
	if len(dst) == 0 {
		return
	}
	if len(x) < 2*len(dst)-1 {
		panic("kernels: AxpyStride2: x shorter than 2·len(dst)−1")
	}
	x = x[:2*len(dst)-1]
	// Groups of 4 whose 8-float window of x lies inside it (the window's
	// last element is read, not used).
	if n4 := min(len(dst), len(x)/2) &^ 3; n4 > 0 && axpyStride2Fast != nil && level(opSgemm) != isaGeneric {
		axpyStride2Fast(&dst[0], &x[0], n4, alpha)
		dst, x = dst[n4:], x[2*n4:]
	}
	for i := range dst {
		dst[i] += alpha * x[2*i]
	}
}

// Repeat2 sets dst[2i] = dst[2i+1] = scale·src[i] for i < len(src): one
// row of a nearest-neighbour 2× upsampling. dst must hold 2·len(src)
// floats.
func Repeat2(dst, src []float32, scale float32) {
	checkLen("Repeat2", len(dst), 2*len(src))
	if n4 := len(src) &^ 3; n4 > 0 && repeat2Fast != nil && level(opSgemm) != isaGeneric {
		repeat2Fast(&dst[0], &src[0], n4, scale)
		dst, src = dst[2*n4:], src[n4:]
	}
	for i, v := range src {
		v *= scale
		dst[2*i], dst[2*i+1] = v, v
	}
}

// Mul sets dst[i] *= x[i].
func Mul(dst, x []float32) {
	checkLen("Mul", len(dst), len(x))
	for i, v := range x {
		dst[i] *= v
	}
}

// Scale sets x[i] *= s.
func Scale(s float32, x []float32) {
	for i := range x {
		x[i] *= s
	}
}

// ScaleAdd sets x[i] = x[i]·s + b (batch-norm style affine).
func ScaleAdd(s, b float32, x []float32) {
	for i := range x {
		x[i] = x[i]*s + b
	}
}

// AddConst sets x[i] += b.
func AddConst(b float32, x []float32) {
	for i := range x {
		x[i] += b
	}
}

// Fill sets every element of x to v.
func Fill(x []float32, v float32) {
	for i := range x {
		x[i] = v
	}
}

// Max sets dst[i] = max(dst[i], x[i]) (NaN in dst is kept, as with
// Darknet's `if (val > max) max = val` comparison order).
func Max(dst, x []float32) {
	checkLen("Max", len(dst), len(x))
	for i, v := range x {
		if v > dst[i] {
			dst[i] = v
		}
	}
}

// Sum returns the sum of x, accumulated in float32 from left to right like
// Darknet's loops.
func Sum(x []float32) float32 {
	var s float32
	for _, v := range x {
		s += v
	}
	return s
}

// AddBias adds bias[c] to each of the channels planes of size plane in x
// (x is channels×plane, CHW).
func AddBias(x []float32, bias []float32, plane int) {
	if len(x) != len(bias)*plane {
		panic("kernels: AddBias: length mismatch")
	}
	for c, b := range bias {
		AddConst(b, x[c*plane:(c+1)*plane])
	}
}

// ActivateChannels adds bias (may be nil) per channel and applies the
// activation, over channels planes of size plane.
func ActivateChannels(x []float32, bias []float32, plane int, a Activation) {
	if bias == nil {
		Activate(x, a)
		return
	}
	if len(x) != len(bias)*plane {
		panic("kernels: ActivateChannels: length mismatch")
	}
	for c, b := range bias {
		biasAct(x[c*plane:(c+1)*plane], b, a)
	}
}
