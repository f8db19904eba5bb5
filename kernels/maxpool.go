package kernels

import "math"

// Maxpool operation (OpMaxpool): the engine's pooling runs (maxpool,
// maxpool_depth / Maxout) as two vector loops whose comparisons are
// exactly Darknet's: every implementation gives the same bits as the Go
// reference, NaN and signed zeros included.

// MaxInto sets dst[i] = MaxF(x[i], dst[i]) for i < len(dst): one window
// position of a max pooling over a run of outputs. x must hold len(dst)
// floats.
func MaxInto(dst, x []float32) { maxIntoAt(level(opMaxpool), dst, x) }

func maxIntoAt(l isa, dst, x []float32) {
	x = x[:len(dst)]
	if n := maxIntoArch(l, dst, x); n > 0 {
		dst, x = dst[n:], x[n:]
	}
	maxIntoGo(dst, x)
}

func maxIntoGo(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = MaxF(v, dst[i])
	}
}

// MaxPairs computes len(dst) outputs of a size-2 stride-2 max pooling
// from two input rows r0 and r1 (2·len(dst) floats each) with Darknet's
// vector-path formula:
//
//	v      = MaxF(MaxF(r0[2i], r0[2i+1]), -math.MaxFloat32)
//	dst[i] = MaxF(MaxF(r1[2i], r1[2i+1]), v)
func MaxPairs(dst, r0, r1 []float32) { maxPairsAt(level(opMaxpool), dst, r0, r1) }

func maxPairsAt(l isa, dst, r0, r1 []float32) {
	r0, r1 = r0[:2*len(dst)], r1[:2*len(dst)]
	if n := maxPairsArch(l, dst, r0, r1); n > 0 {
		dst, r0, r1 = dst[n:], r0[2*n:], r1[2*n:]
	}
	maxPairsGo(dst, r0, r1)
}

func maxPairsGo(dst, r0, r1 []float32) {
	r0, r1 = r0[:2*len(dst)], r1[:2*len(dst)]
	for i := range dst {
		v := MaxF(MaxF(r0[2*i], r0[2*i+1]), -math.MaxFloat32)
		dst[i] = MaxF(MaxF(r1[2*i], r1[2*i+1]), v)
	}
}

// MaxPairsRows computes rows output rows of a 2×2 stride-2 max pooling in
// one call: output row r (dst[r·ldd:]) from input rows 2r and 2r+1
// (src[2r·lds:] and src[(2r+1)·lds:]). Its first n outputs take MaxPairs'
// lane formula (Darknet's vector blocks), the next tail outputs the
// window order of Darknet's scalar loop (the two differ on ties of ±0 and
// NaN):
//
//	dst[x] = MaxF(r1[2x+1], MaxF(r1[2x], MaxF(r0[2x+1], MaxF(r0[2x], -math.MaxFloat32))))
//
// Input rows hold 2(n+tail) floats. For the planes of a pooling, where a
// call per row costs more than the row's vector work.
func MaxPairsRows(dst []float32, ldd int, src []float32, lds, rows, n, tail int) {
	maxPairsRowsAt(level(opMaxpool), dst, ldd, src, lds, rows, n, tail)
}

func maxPairsRowsAt(l isa, dst []float32, ldd int, src []float32, lds, rows, n, tail int) {
	m := n + tail
	if rows <= 0 || m <= 0 {
		return
	}
	if n < 0 || tail < 0 || ldd < m || lds < 2*m || len(dst) < (rows-1)*ldd+m || len(src) < (2*rows-1)*lds+2*m {
		panic("kernels: MaxPairsRows slices too short or strides too small")
	}
	if maxPairsRowsTailArch(l, dst, ldd, src, lds, rows, n, tail) {
		return
	}
	k := 0
	if n > 0 {
		k = maxPairsRowsArch(l, dst, ldd, src, lds, rows, n)
	}
	for r := 0; r < rows; r++ {
		d, r0, r1 := dst[r*ldd:r*ldd+m], src[2*r*lds:2*r*lds+2*m], src[(2*r+1)*lds:(2*r+1)*lds+2*m]
		if k < n { // the rest of the pairs: MaxPairs at this level
			maxPairsAt(l, d[k:n], r0[2*k:], r1[2*k:])
		}
		for x := n; x < m; x++ { // the tail windows, in window order
			v := MaxF(r0[2*x], -math.MaxFloat32)
			v = MaxF(r0[2*x+1], v)
			v = MaxF(r1[2*x], v)
			d[x] = MaxF(r1[2*x+1], v)
		}
	}
}

// MaxF is a > b ? a : b: x86's maxss and Darknet's pooling comparison (b
// when the two are equal or either is NaN). It has no branch: pooling data
// makes the comparison unpredictable, and the compiler turns the mask
// below into a conditional move.
func MaxF(a, b float32) float32 {
	ab, bb := math.Float32bits(a), math.Float32bits(b)
	var m uint32
	if a > b {
		m = ^uint32(0)
	}
	return math.Float32frombits(bb ^ ((ab ^ bb) & m))
}
