//go:build !purego

package kernels

// The amd64 implementations of the operations (ops.go): assembly stubs
// and the per-level dispatch. Each *Arch function runs the operation at
// level l and reports whether it did (false: the caller runs the Go
// reference). The AVX2 level requires AVX2 and FMA, the AVX-512 level
// F/BW/DQ/VL; the registry only hands out levels the CPU has.

// archOps lists the levels each operation has on amd64.
var archOps = [numOps][]isa{
	opSgemm:      {isaAVX2, isaAVX512},
	opConv3x3:    {isaAVX2, isaAVX512},
	opWinograd:   {isaAVX2, isaAVX512},
	opMaxpool:    {isaAVX2, isaAVX512},
	opLogistic:   {isaAVX2, isaAVX512},
	opActivation: {isaAVX2, isaAVX512},
	opIDCT:       {isaAVX2},            // idct_amd64.s (integer lanes: AVX-512 would not pay for 8×8 blocks)
	opYUV:        {isaAVX2, isaAVX512}, // yuv_amd64.s; AVX-512 with VBMI: yuv_vbmi_amd64.s (without: the AVX2 code)
	opResize:     {isaAVX2},            // resize_amd64.s
	opDepthwise:  {isaAVX2, isaAVX512},
	opSTB:        {isaAVX2, isaAVX512}, // stbycc_amd64.s; AVX-512 with VBMI: stbycc_vbmi_amd64.s (without: the AVX2 code)
}

// conv3x3AVX2 is one 4-filter × 24-position tile of Conv3x3 (taps in
// bytes; flags as Conv3x3's).
//
//go:noescape
func conv3x3AVX2(out *float32, ldo int, in *float32, taps *int, chs, nch int, w *float32, flags int, bias *float32)

// conv3x3AVX512 is conv3x3AVX2 for 48 positions.
//
//go:noescape
func conv3x3AVX512(out *float32, ldo int, in *float32, taps *int, chs, nch int, w *float32, flags int, bias *float32)

// conv3x3PairAVX512 is two conv3x3AVX512 tiles sharing their input:
// filters 0-3 from w0 into rows 0-3, 4-7 from w1 into rows 4-7, bias[0:8].
//
//go:noescape
func conv3x3PairAVX512(out *float32, ldo int, in *float32, taps *int, chs, nch int, w0, w1 *float32, flags int, bias *float32)

// tapBytes converts tap offsets from floats to the bytes the tiles add.
func tapBytes(taps *[9]int) (tb [9]int) {
	for t, o := range taps {
		tb[t] = 4 * o
	}
	return tb
}

func conv3x3Arch(l isa, out []float32, ldo int, in []float32, chs int, taps *[9]int, w []float32, nch, n int, bias []float32, flags int) bool {
	if l != isaAVX2 && l != isaAVX512 {
		return false
	}
	tb := tapBytes(taps)
	b := &w[0] // any valid pointer when the flags do not ask for the bias
	if flags&Conv3x3Linear != 0 {
		b = &bias[0]
	}
	if l == isaAVX512 {
		for j := 0; j < n; j += 48 {
			conv3x3AVX512(&out[j], ldo, &in[j], &tb[0], chs, nch, &w[0], flags, b)
		}
		return true
	}
	for j := 0; j < n; j += 24 {
		conv3x3AVX2(&out[j], ldo, &in[j], &tb[0], chs, nch, &w[0], flags, b)
	}
	return true
}

// conv3x3x8Arch runs the fused 8-filter tile where the level has one.
func conv3x3x8Arch(l isa, out []float32, ldo int, in []float32, chs int, taps *[9]int, w0, w1 []float32, nch, n int, bias []float32, flags int) bool {
	if l != isaAVX512 {
		return false
	}
	tb := tapBytes(taps)
	b := &w0[0] // any valid pointer when the flags do not ask for the bias
	if flags&Conv3x3Linear != 0 {
		b = &bias[0]
	}
	for j := 0; j < n; j += 48 {
		conv3x3PairAVX512(&out[j], ldo, &in[j], &tb[0], chs, nch, &w0[0], &w1[0], flags, b)
	}
	return true
}

//go:noescape
func winoBAVX2(src, dst *[6]*float32, n int)

//go:noescape
func winoAAVX2(src *[6]*float32, dst *[4]*float32, n int)

// winoBAVX512 and winoAAVX512 are winoBAVX2 and winoAAVX2 16 floats at a
// time (the same operations, so the same bits), for n ≥ 16.
//
//go:noescape
func winoBAVX512(src, dst *[6]*float32, n int)

//go:noescape
func winoAAVX512(src *[6]*float32, dst *[4]*float32, n int)

//go:noescape
func winoGatherAVX2(row *float32, q *[6]*float32, n int)

//go:noescape
func winoScatterAVX2(y *[4]*float32, dst *float32, n int)

func winoInputArch(l isa, src, dst *[6][]float32, n int) bool {
	if l != isaAVX2 && l != isaAVX512 {
		return false
	}
	var s, d [6]*float32
	for i := range 6 {
		s[i], d[i] = &src[i][0], &dst[i][0]
	}
	if l == isaAVX512 && n >= 16 {
		winoBAVX512(&s, &d, n)
	} else {
		winoBAVX2(&s, &d, n)
	}
	return true
}

func winoOutputArch(l isa, src *[6][]float32, dst *[4][]float32, n int) bool {
	if l != isaAVX2 && l != isaAVX512 {
		return false
	}
	var s [6]*float32
	var d [4]*float32
	for i := range 6 {
		s[i] = &src[i][0]
	}
	for i := range 4 {
		d[i] = &dst[i][0]
	}
	if l == isaAVX512 && n >= 16 {
		winoAAVX512(&s, &d, n)
	} else {
		winoAAVX2(&s, &d, n)
	}
	return true
}

func winoGatherArch(l isa, row []float32, q *[6][]float32, n int) bool {
	if l != isaAVX2 && l != isaAVX512 {
		return false
	}
	var p [6]*float32
	for j := range p {
		p[j] = &q[j][0]
	}
	winoGatherAVX2(&row[0], &p, n)
	return true
}

func winoScatterArch(l isa, y *[4][]float32, dst []float32, n int) bool {
	if l != isaAVX2 && l != isaAVX512 {
		return false
	}
	winoScatterAVX2(&[4]*float32{&y[0][0], &y[1][0], &y[2][0], &y[3][0]}, &dst[0], n)
	return true
}

// maxIntoAVX2 is MaxInto for n a multiple of 8 (needs AVX only).
//
//go:noescape
func maxIntoAVX2(dst, x *float32, n int)

// maxPairsAVX2 is MaxPairs for n a multiple of 8.
//
//go:noescape
func maxPairsAVX2(dst, r0, r1 *float32, n int)

// maxPairsRowsAVX2 is MaxPairsRows for n a multiple of 4.
//
//go:noescape
func maxPairsRowsAVX2(dst *float32, ldd int, src *float32, lds, rows, n int)

// maxPairsRowsAVX512 is MaxPairsRows for any n and tail ≤ 8 (masked
// loads and stores for the ends of the rows).
//
//go:noescape
func maxPairsRowsAVX512(dst *float32, ldd int, src *float32, lds, rows, n, tail int)

// maxPairsRowsTailArch runs the whole of MaxPairsRows, the tail windows
// included, where the level has that (AVX-512); false: it did nothing.
func maxPairsRowsTailArch(l isa, dst []float32, ldd int, src []float32, lds, rows, n, tail int) bool {
	if l != isaAVX512 || tail > 8 {
		return false
	}
	maxPairsRowsAVX512(&dst[0], ldd, &src[0], lds, rows, n, tail)
	return true
}

// maxPairsRowsArch does the leading n&^3 outputs of every row and returns
// how many that is per row.
func maxPairsRowsArch(l isa, dst []float32, ldd int, src []float32, lds, rows, n int) int {
	n4 := n &^ 3
	if n4 == 0 || l != isaAVX2 && l != isaAVX512 {
		return 0
	}
	maxPairsRowsAVX2(&dst[0], ldd, &src[0], lds, rows, n4)
	return n4
}

// maxIntoArch and maxPairsArch return how many leading outputs they did.
func maxIntoArch(l isa, dst, x []float32) int {
	n8 := len(dst) &^ 7
	if n8 == 0 || l != isaAVX2 && l != isaAVX512 {
		return 0
	}
	maxIntoAVX2(&dst[0], &x[0], n8)
	return n8
}

func maxPairsArch(l isa, dst, r0, r1 []float32) int {
	n8 := len(dst) &^ 7
	if n8 == 0 || l != isaAVX2 && l != isaAVX512 {
		return 0
	}
	maxPairsAVX2(&dst[0], &r0[0], &r1[0], n8)
	return n8
}

// logisticAVX2 is LogisticExact for n a multiple of 8 until the first
// group of 8 it leaves to the Go code; it returns how many it did. table
// is exp2by64.
//
//go:noescape
func logisticAVX2(dst, src *float32, n int, table *float64) int

// logisticAVX512 is logisticAVX2 for n a multiple of 16, 16 at a time.
//
//go:noescape
func logisticAVX512(dst, src *float32, n int, table *float64) int

// logisticArch runs the vector code from the start of dst (len ≥ 8); ok is
// false when there is none at level l.
func logisticArch(l isa, dst, src []float32) (k int, ok bool) {
	switch l {
	case isaAVX512:
		n16 := len(dst) &^ 15
		if n16 > 0 {
			if k = logisticAVX512(&dst[0], &src[0], n16, &exp2by64[0]); k < n16 {
				return k, true
			}
		}
		if len(dst)-k >= 8 { // a last group of 8
			k += logisticAVX2(&dst[k], &src[k], 8, &exp2by64[0])
		}
		return k, true
	case isaAVX2:
		return logisticAVX2(&dst[0], &src[0], len(dst)&^7, &exp2by64[0]), true
	}
	return 0, false
}

// resizePairsAVX2 is ResizePairs for n a multiple of 8 (resize_amd64.s).
//
//go:noescape
func resizePairsAVX2(out *float32, src *uint8, w0, w1 *float32, n int)

func resizePairsArch(l isa, out []float32, g []uint8, w0, w1 []float32) int {
	n8 := len(out) &^ 7
	if n8 == 0 || l != isaAVX2 && l != isaAVX512 {
		return 0
	}
	resizePairsAVX2(&out[0], &g[0], &w0[0], &w1[0], n8)
	return n8
}

// blendRowsAVX2 is BlendRows for n a multiple of 8 (resize_amd64.s).
//
//go:noescape
func blendRowsAVX2(out, a, b *float32, n int, w0, w1 float32)

func blendRowsArch(l isa, out, a, b []float32, w0, w1 float32) int {
	n8 := len(out) &^ 7
	if n8 == 0 || l != isaAVX2 && l != isaAVX512 {
		return 0
	}
	blendRowsAVX2(&out[0], &a[0], &b[0], n8, w0, w1)
	return n8
}
