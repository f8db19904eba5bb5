package kernels

import "strconv"

// Conv3x3 operation (OpConv3x3): the tile of the engine's direct 3×3
// stride-1 convolution. With the input copied into a zero-bordered layout
// (rows of W+2 floats), the 9 taps of consecutive output positions are
// runs of consecutive floats, so a tile of positions is 9·channels
// broadcast-weight FMAs over unaligned loads, without im2col or packing.

// Conv3x3Block is the granularity of Conv3x3: every implementation's tile
// width divides it (AVX2 24 positions, AVX-512 48), and a call may compute
// (and write) positions up to n rounded up to a multiple of it.
const Conv3x3Block = 48

// Conv3x3 flags.
const (
	// Conv3x3Accumulate starts the sums from out instead of zero (a later
	// block of channels).
	Conv3x3Accumulate = 1
	// Conv3x3Linear, Conv3x3Leaky and Conv3x3Relu apply the epilogue after
	// the sums: v = sum + bias[f], then v, max(v, 0.1·v) or v·(v > 0 ? 1 : 0)
	// as the GEMM epilogue computes them (bit for bit Activation.Apply).
	Conv3x3Linear = 2
	Conv3x3Leaky  = 2 | 1<<2
	Conv3x3Relu   = 2 | 2<<2
)

// Conv3x3 computes 4 filters × n positions of a convolution whose taps
// read runs of consecutive floats:
//
//	out[f·ldo + j] = s + Σ_{c<nch} Σ_{t<9} w[(c·9 + t)·4 + f] · in[c·chs + taps[t] + j]
//
// for f < 4, j < n, summed in that order (c, then t) with one FMA per term
// from s = 0, or from s = out[f·ldo + j] with Conv3x3Accumulate; then the
// epilogue the flags ask for, with bias[f] (bias is read only then). These
// are the sums, in the same order, that the GEMM path computes for the
// im2col matrix (K = 9·nch rows ordered channel-major), so while K fits
// one GEMM block both paths give the same bits.
//
// Positions n ≤ j < roundUp(n, Conv3x3Block) may be computed too: out must
// hold 3·ldo + that many floats (ldo ≥ that many), and in must be readable
// that far past the last tap of the last channel. Taps are in floats and
// non-negative. It panics on sizes that do not fit.
func Conv3x3(out []float32, ldo int, in []float32, chs int, taps *[9]int, w []float32, nch, n int, bias []float32, flags int) {
	conv3x3At(level(opConv3x3), out, ldo, in, chs, taps, w, nch, n, bias, flags)
}

func conv3x3At(l isa, out []float32, ldo int, in []float32, chs int, taps *[9]int, w []float32, nch, n int, bias []float32, flags int) {
	if n <= 0 {
		return
	}
	conv3x3Check(out, ldo, in, chs, taps, w, nch, n, bias, flags)
	if conv3x3Arch(l, out, ldo, in, chs, taps, w, nch, n, bias, flags) {
		return
	}
	conv3x3Go(out, ldo, in, chs, taps, w, nch, n, bias, flags)
}

// Conv3x3x8 is Conv3x3 for 8 filters sharing the input: filters 0-3 with
// the weights w0 and bias[0:4] into rows 0-3 of out, filters 4-7 with w1
// and bias[4:8] into rows 4-7 (out holds 7·ldo + the rounded-up n). The
// results are two Conv3x3 calls' bit for bit; where the level has a fused
// tile (AVX-512: each input vector feeds 8 filters, 24 accumulators) it
// is faster, elsewhere it is those two calls.
func Conv3x3x8(out []float32, ldo int, in []float32, chs int, taps *[9]int, w0, w1 []float32, nch, n int, bias []float32, flags int) {
	conv3x3x8At(level(opConv3x3), out, ldo, in, chs, taps, w0, w1, nch, n, bias, flags)
}

func conv3x3x8At(l isa, out []float32, ldo int, in []float32, chs int, taps *[9]int, w0, w1 []float32, nch, n int, bias []float32, flags int) {
	if n <= 0 {
		return
	}
	var b0, b1 []float32
	if flags&Conv3x3Linear != 0 {
		if len(bias) < 8 {
			panic("kernels: Conv3x3x8 epilogue without 8 biases")
		}
		b0, b1 = bias[:4], bias[4:8]
	}
	if len(out) < 4*ldo {
		panic("kernels: Conv3x3x8 slices too short")
	}
	conv3x3Check(out, ldo, in, chs, taps, w0, nch, n, b0, flags)
	conv3x3Check(out[4*ldo:], ldo, in, chs, taps, w1, nch, n, b1, flags)
	if conv3x3x8Arch(l, out, ldo, in, chs, taps, w0, w1, nch, n, bias, flags) {
		return
	}
	conv3x3At(l, out, ldo, in, chs, taps, w0, nch, n, b0, flags)
	conv3x3At(l, out[4*ldo:], ldo, in, chs, taps, w1, nch, n, b1, flags)
}

// conv3x3Check panics unless Conv3x3's arguments fit (n > 0).
func conv3x3Check(out []float32, ldo int, in []float32, chs int, taps *[9]int, w []float32, nch, n int, bias []float32, flags int) {
	nb := (n + Conv3x3Block - 1) / Conv3x3Block * Conv3x3Block
	maxTap := 0
	for _, t := range taps {
		if t < 0 {
			panic("kernels: Conv3x3 with a negative tap " + strconv.Itoa(t))
		}
		maxTap = max(maxTap, t)
	}
	switch {
	case flags&^Conv3x3Accumulate != 0 && flags&^Conv3x3Accumulate != Conv3x3Linear &&
		flags&^Conv3x3Accumulate != Conv3x3Leaky && flags&^Conv3x3Accumulate != Conv3x3Relu:
		panic("kernels: Conv3x3 with bad flags " + strconv.Itoa(flags))
	case nch < 1 || chs < 0 || ldo < nb:
		panic("kernels: Conv3x3 with " + strconv.Itoa(nch) + " channels, channel size " + strconv.Itoa(chs) + ", ldo " + strconv.Itoa(ldo))
	case len(out) < 3*ldo+nb || len(in) < (nch-1)*chs+maxTap+nb || len(w) < nch*36:
		panic("kernels: Conv3x3 slices too short")
	case flags&Conv3x3Linear != 0 && len(bias) < 4:
		panic("kernels: Conv3x3 epilogue without 4 biases")
	}
}

// conv3x3Go is Conv3x3's Go reference (exactly n positions).
func conv3x3Go(out []float32, ldo int, in []float32, chs int, taps *[9]int, w []float32, nch, n int, bias []float32, flags int) {
	for f := 0; f < 4; f++ {
		row := out[f*ldo : f*ldo+n]
		for j := range row {
			var s float32
			if flags&Conv3x3Accumulate != 0 {
				s = row[j]
			}
			for c := 0; c < nch; c++ {
				wc := w[c*36 : c*36+36]
				ic := in[c*chs+j:]
				for t, o := range taps {
					s += wc[t*4+f] * ic[o]
				}
			}
			if flags&Conv3x3Linear != 0 {
				s += bias[f]
				switch flags &^ Conv3x3Accumulate {
				case Conv3x3Leaky:
					s = MaxF(s, 0.1*s)
				case Conv3x3Relu:
					if s > 0 {
						s *= 1
					} else {
						s *= 0
					}
				}
			}
			row[j] = s
		}
	}
}
