package kernels

import (
	"math"
	"strconv"
	"unsafe"
)

// Depthwise operation (OpDepthwise): a convolution with one k×k filter per
// channel (groups = channels = filters). A GEMM with one row per group
// would waste the microkernel, and tap-by-tap vector passes over the
// output (what the engine did before) read and write every output k·k
// times; here each output row is computed once with all its taps.
//
// Numerics, the same bits on every implementation: each output starts
// from the channel's bias and adds the k·k taps in (ky, kx) order, each
// with one fused multiply-add rounded once to float32; taps in the padding
// read 0 and are added like the others (w·0, as the im2col matrix of
// Darknet's GEMM path has zeros there). The Go reference computes the
// float32 FMA exactly (fma32); AVX2/AVX-512 use VFMADD231PS, NEON FMLA.
//
// How the implementations get there: the input rows are copied once per
// channel into zero-bordered row buffers (the whole padded plane when it
// is small, else a ring of the last dilation·(k−1)+1 rows),
// split into StrideW phases for strides above 1 (phase r holds the padded
// row's columns r, r+s, r+2s, ...). Every tap of an output row then reads
// a run of consecutive floats, so the row kernel is k·k broadcast-weight
// FMAs over plain vector loads, without edge cases: borders, odd widths
// and strides are all in the buffers' layout. The generic level runs the
// same buffers with a Go row loop (dwRowGo); depthwiseGo, the formula
// tap by tap, is the reference the tests hold every level to (and runs
// kernels with more than maxDepthwiseTaps taps).

// maxDepthwiseTaps bounds KernelH·KernelW for the row buffers (7×7 is
// 49); larger kernels run the Go reference.
const maxDepthwiseTaps = 64

// dwSlack is the zero slack after each phase of a row buffer: a row
// kernel may read (and the tail call computes) up to 16 positions past the
// last output.
const dwSlack = 16

// Depthwise computes channels [c0,c1) of a depthwise convolution of in
// (g.Channels planes of g.Height×g.Width, CHW) into out (g.Channels planes
// of g.OutH()×g.OutW()):
//
//	out[c][oy][ox] = act(fma(w[c][kh−1][kw−1], x(…), … fma(w[c][0][0], x(oy·sh−ph, ox·sw−pw), bias[c])))
//
// with x(iy, ix) = in[c][iy][ix] inside the plane and 0 in the padding,
// taps in (ky, kx) order at (oy·StrideH − PadH + ky·DilationH, ox·StrideW −
// PadW + kx·DilationW), every step one float32 FMA. weights holds
// KernelH·KernelW floats per channel (row-major); bias one per channel or
// nil (the sums then start from −0, which adds nothing). Linear, leaky and
// relu give Activation.Apply's bits; the other activations are applied to
// each output row as Activate computes them at the active level. ws holds
// the row buffers (nil: allocated for the call); one ws must not be used
// by two calls at once. It panics on inconsistent arguments.
func Depthwise(ws *Workspace, out, in []float32, g *ConvGeom, weights, bias []float32, act Activation, c0, c1 int) {
	depthwiseAt(level(opDepthwise), ws, out, in, g, weights, bias, act, c0, c1)
}

func depthwiseAt(l isa, ws *Workspace, out, in []float32, g *ConvGeom, weights, bias []float32, act Activation, c0, c1 int) {
	depthwiseCheck(out, in, g, weights, bias, c0, c1)
	if c0 >= c1 || g.OutH() <= 0 || g.OutW() <= 0 {
		return
	}
	if g.KernelH*g.KernelW > maxDepthwiseTaps {
		depthwiseGo(out, in, g, weights, bias, act, c0, c1)
		return
	}
	if !depthwiseHasRow(l) {
		l = isaGeneric // the row buffers with the Go row loop
	}
	if ws == nil {
		ws = new(Workspace)
	}
	depthwiseRows(l, ws, out, in, g, weights, bias, act, c0, c1)
}

func depthwiseCheck(out, in []float32, g *ConvGeom, weights, bias []float32, c0, c1 int) {
	if !g.valid() {
		panic("kernels: Depthwise: bad geometry")
	}
	chs, kk := g.Channels, g.KernelH*g.KernelW
	switch {
	case c0 < 0 || c1 > chs || c0 > c1:
		panic("kernels: Depthwise: channels [" + strconv.Itoa(c0) + "," + strconv.Itoa(c1) + ") of " + strconv.Itoa(chs))
	case len(in) < chs*g.Height*g.Width:
		panic("kernels: Depthwise: input shorter than Channels·Height·Width")
	case len(out) < chs*max(g.OutH(), 0)*max(g.OutW(), 0):
		panic("kernels: Depthwise: output shorter than Channels·OutH·OutW")
	case len(weights) < chs*kk:
		panic("kernels: Depthwise: fewer than Channels·KernelH·KernelW weights")
	case bias != nil && len(bias) < chs:
		panic("kernels: Depthwise: fewer biases than channels")
	}
}

// fma32 returns a·b + c rounded once to float32, like a float32 FMA
// instruction. float32(math.FMA(a, b, c)) in float64 would round twice,
// and that differs: for a = b = 1+2⁻¹², c = 2⁻⁸⁰ the exact value lies just
// above a float32 midpoint, the float64 rounding lands on the midpoint and
// the float32 rounding then goes to even (TestFma32 has the case). So: the
// product of two float32s is exact in float64 (48 bits), the sum is
// computed in float64 with its exact error (TwoSum) and rounded to odd,
// and a round-to-odd result with at least 2 more bits than the target
// rounds correctly to nearest (Boldo & Melquiond, 2008).
func fma32(a, b, c float32) float32 {
	if r, ok := fma32Quick(float64(a), b, c); ok {
		return r
	}
	return fma32Odd(float64(float64(a)*float64(b)), float64(c))
}

// fma32Quick returns fma32(float32(a), b, c) and true where the float64
// sum rounds to float32 as the exact sum does (nearly always), else false.
// Rounding s = p + c to float32 can differ from rounding the exact sum
// only where s is a float32 midpoint (its low 29 bits 1000…0): a midpoint
// strictly between s and the exact sum would be a float64 nearer to it
// than s. Below float32's normal range the midpoints have fewer bits, so
// those take the careful path too. a is a float32 value passed as float64
// so that loops convert their weight once. Small enough to inline.
func fma32Quick(a float64, b, c float32) (float32, bool) {
	s := float64(a*float64(b)) + float64(c) // the product is exact
	u := math.Float64bits(s)
	return float32(s), u&(1<<29-1) != 1<<28 && u>>52&0x7ff >= 1023-126
}

// fma32Odd rounds p + c (both exact) to float32 through round-to-odd.
func fma32Odd(p, c float64) float32 {
	s := p + c
	if math.IsInf(s, 0) || s != s {
		return float32(s)
	}
	bv := s - p
	e := (p - (s - bv)) + (c - bv) // p + c = s + e exactly (TwoSum)
	if e != 0 {
		if u := math.Float64bits(s); u&1 == 0 {
			// Round to odd: the neighbour of s on e's side.
			if (e > 0) == (s > 0) {
				u++
			} else {
				u--
			}
			s = math.Float64frombits(u)
		}
	}
	return float32(s)
}

// depthwiseGo is the Go reference: the formula, tap by tap.
func depthwiseGo(out, in []float32, g *ConvGeom, weights, bias []float32, act Activation, c0, c1 int) {
	h, w, oh, ow := g.Height, g.Width, g.OutH(), g.OutW()
	kh, kw := g.KernelH, g.KernelW
	for c := c0; c < c1; c++ {
		src := in[c*h*w : (c+1)*h*w]
		dst := out[c*oh*ow : (c+1)*oh*ow]
		wc := weights[c*kh*kw : (c+1)*kh*kw]
		b := noBias
		if bias != nil {
			b = bias[c]
		}
		for oy := 0; oy < oh; oy++ {
			for ox := 0; ox < ow; ox++ {
				s := b
				for ky := 0; ky < kh; ky++ {
					iy := oy*g.StrideH - g.PadH + ky*g.DilationH
					for kx := 0; kx < kw; kx++ {
						ix := ox*g.StrideW - g.PadW + kx*g.DilationW
						var x float32
						if iy >= 0 && iy < h && ix >= 0 && ix < w {
							x = src[iy*w+ix]
						}
						s = fma32(wc[ky*kw+kx], x, s)
					}
				}
				dst[oy*ow+ox] = act.Apply(s)
			}
		}
	}
}

// dwPlaneMax is the largest padded plane (floats, 256 KB) Depthwise
// buffers whole; larger planes go through a ring of rows. The whole plane
// was faster up to 207×207 on Zen 5 (1 MB L2): 235 vs 300 µs on
// 207×207×16. A variable for the tests, which run both ways.
var dwPlaneMax = 64 << 10

// pairs3x3 enables the two-rows-per-pass 3×3 kernel (a variable for the
// tests, which run both ways).
var pairs3x3 = true

// depthwiseRows is Depthwise at level l: the row buffers described above.
// A plane whose padded rows fit dwPlaneMax is buffered whole, once per
// channel, and the kernel does all its output rows in one call (output
// row oy's taps are row 0's moved down oy·StrideH rows); a larger one goes
// through the ring, one kernel call per output row.
func depthwiseRows(l isa, ws *Workspace, out, in []float32, g *ConvGeom, weights, bias []float32, act Activation, c0, c1 int) {
	h, w, oh, ow := g.Height, g.Width, g.OutH(), g.OutW()
	kh, kw := g.KernelH, g.KernelW
	kk := kh * kw
	s := g.StrideW
	spanH := g.DilationH*(kh-1) + 1
	// Phase length: the outputs plus the widest tap offset plus the slack
	// the kernels may read. The padded row's columns past the input (and
	// the padding) stay zero: only the input's columns are ever written.
	phase := ow + g.DilationW*(kw-1)/s + dwSlack
	phase = (phase + 15) &^ 15 // whole 64-byte lines: buffer rows start aligned
	rowLen := s * phase
	nrows := (oh-1)*g.StrideH + spanH // padded rows the outputs read
	whole := nrows*rowLen <= dwPlaneMax
	slots := spanH
	if whole {
		slots = nrows
	}
	buf := ws.depthwiseBuf((slots+1)*rowLen + dwSlack)
	zero := buf[slots*rowLen : (slots+1)*rowLen]
	tail := buf[(slots+1)*rowLen:]

	// Where tap column kx starts in a row buffer: phase (kx·dw) mod s, index (kx·dw)/s.
	var xoff [maxDepthwiseTaps]int
	for kx := 0; kx < kw; kx++ {
		q := kx * g.DilationW
		xoff[kx] = (q%s)*phase + q/s
	}
	var taps [maxDepthwiseTaps]*float32
	var rows [maxDepthwiseTaps][]float32
	for c := c0; c < c1; c++ {
		src := in[c*h*w : (c+1)*h*w]
		dst := out[c*oh*ow : (c+1)*oh*ow]
		wc := weights[c*kk : (c+1)*kk]
		b := noBias
		if bias != nil {
			b = bias[c]
		}
		if whole {
			// Padded row i holds input row i − PadH; the others stay zero.
			for iy := 0; iy < h && iy+g.PadH < nrows; iy++ {
				i := iy + g.PadH
				fillPhases(buf[i*rowLen:(i+1)*rowLen], src[iy*w:(iy+1)*w], g.PadW, s, phase)
			}
			done, oy0 := 0, 0
			if kh == 3 && kw == 3 && s == 1 && g.StrideH == 1 && g.DilationH == 1 && g.DilationW == 1 && pairs3x3 {
				// Two output rows per pass where the level has it.
				oy0 = depthwise3x3Arch(l, dst, buf, rowLen, wc, ow, oh, b)
			}
			if l != isaGeneric && oy0 < oh {
				for ky := 0; ky < kh; ky++ {
					for kx, o := range xoff[:kw] {
						taps[ky*kw+kx] = &buf[(oy0*g.StrideH+ky*g.DilationH)*rowLen+o]
					}
				}
				done = depthwiseRowArch(l, &dst[oy0*ow], &taps, &wc[0], kk, ow, oh-oy0, g.StrideH*rowLen, b)
			}
			if done < ow {
				// The rest of each row (generic: all of it).
				for oy := oy0; oy < oh; oy++ {
					for ky := 0; ky < kh; ky++ {
						i := oy*g.StrideH + ky*g.DilationH
						rows[ky] = buf[i*rowLen : (i+1)*rowLen]
					}
					orow := dst[oy*ow : (oy+1)*ow]
					if done == 0 {
						dwRow(l, orow, rows[:kh], xoff[:kw], &taps, wc, b, tail)
					} else {
						dwTail(l, orow, rows[:kh], xoff[:kw], &taps, wc, b, tail, done)
					}
				}
			}
			if act != Linear {
				Activate(dst, act)
			}
			continue
		}
		held := ws.depthwiseHeld(spanH)
		for i := range held {
			held[i] = -1
		}
		for oy := 0; oy < oh; oy++ {
			top := oy*g.StrideH - g.PadH
			slot := top % spanH // input row iy ≥ 0 lives in slot iy mod spanH
			if slot < 0 {
				slot += spanH
			}
			for ky := 0; ky < kh; ky++ {
				row := zero
				if iy := top + ky*g.DilationH; iy >= 0 && iy < h {
					row = buf[slot*rowLen : (slot+1)*rowLen]
					if held[slot] != iy {
						fillPhases(row, src[iy*w:(iy+1)*w], g.PadW, s, phase)
						held[slot] = iy
					}
				}
				if slot += g.DilationH; slot >= spanH {
					slot -= spanH
				}
				rows[ky] = row
			}
			orow := dst[oy*ow : (oy+1)*ow]
			dwRow(l, orow, rows[:kh], xoff[:kw], &taps, wc, b, tail)
			if act != Linear {
				Activate(orow, act)
			}
		}
	}
}

// dwRow computes one output row at level l, tap (ky, kx) reading
// rows[ky][xoff[kx]:].
func dwRow(l isa, orow []float32, rows [][]float32, xoff []int, taps *[maxDepthwiseTaps]*float32, wc []float32, b float32, tail []float32) {
	if l == isaGeneric {
		dwRowGo(orow, rows, xoff, wc, b)
		return
	}
	kw := len(xoff)
	for ky, row := range rows {
		for kx, o := range xoff {
			taps[ky*kw+kx] = &row[o]
		}
	}
	done := depthwiseRowArch(l, &orow[0], taps, &wc[0], len(rows)*kw, len(orow), 1, 0, b)
	dwTail(l, orow, rows, xoff, taps, wc, b, tail, done)
}

// dwTail finishes a row whose first done outputs a kernel computed (NEON
// leaves the row's length mod 4): 16 more outputs into the tail scratch
// (the buffers have the slack), of which the ones that exist are copied.
func dwTail(l isa, orow []float32, rows [][]float32, xoff []int, taps *[maxDepthwiseTaps]*float32, wc []float32, b float32, tail []float32, done int) {
	if done >= len(orow) {
		return
	}
	kw := len(xoff)
	for ky, row := range rows {
		for kx, o := range xoff {
			taps[ky*kw+kx] = &row[o+done]
		}
	}
	depthwiseRowArch(l, &tail[0], taps, &wc[0], len(rows)*kw, dwSlack, 1, 0, b)
	copy(orow[done:], tail[:len(orow)-done])
}

// dwRowGo is the row kernel in Go (the generic level): out[j] from bias
// and the taps in (ky, kx) order, tap (ky, kx) at rows[ky][xoff[kx]+j].
// Four positions per step: the float32→float64 conversions write only
// the low lanes of their registers, so one position at a time would chain
// each step to the last through that false dependency (3-4× slower).
func dwRowGo(out []float32, rows [][]float32, xoff []int, w []float32, bias float32) {
	for j := range out {
		out[j] = bias
	}
	t := 0
	for _, row := range rows {
		for _, o := range xoff {
			wd := float64(w[t])
			t++
			x := row[o : o+len(out)]
			j := 0
			for ; j+4 <= len(out); j += 4 {
				x, d := x[j:j+4:j+4], out[j:j+4:j+4]
				r0, ok0 := fma32Quick(wd, x[0], d[0])
				r1, ok1 := fma32Quick(wd, x[1], d[1])
				r2, ok2 := fma32Quick(wd, x[2], d[2])
				r3, ok3 := fma32Quick(wd, x[3], d[3])
				if !(ok0 && ok1 && ok2 && ok3) {
					break // this group and the rest one at a time
				}
				d[0], d[1], d[2], d[3] = r0, r1, r2, r3
			}
			for ; j < len(out); j++ {
				out[j] = fma32(float32(wd), x[j], out[j])
			}
		}
	}
}

// fillPhases writes input row x into a zero-bordered row buffer split into
// s phases of n floats: phase r, index i holds padded column s·i + r, i.e.
// x[s·i + r − pad], or 0 outside x. For s = 1 only x's columns are
// written (the rest stays zero); larger strides use the im2col gather
// (vector code for stride 2), which writes the zeros too.
func fillPhases(row, x []float32, pad, s, n int) {
	if s == 1 {
		if pad < n {
			copy(row[pad:n], x)
		}
		return
	}
	for r := 0; r < s; r++ {
		gatherRow(row[r*n:(r+1)*n], x, r-pad, s)
	}
}

// depthwiseBuf returns ws's row buffers, n floats, zeroed.
// The buffer starts on a 64-byte boundary, so that with whole-line rows
// the kernels' first tap of each row loads whole cache lines.
func (ws *Workspace) depthwiseBuf(n int) []float32 {
	if cap(ws.dw) < n+15 {
		ws.dw = make([]float32, n+15)
	}
	b := ws.dw[:n+15]
	off := int(-uintptr(unsafe.Pointer(&b[0])) & 63 / 4)
	b = b[off : off+n]
	clear(b)
	return b
}

// depthwiseHeld returns ws's record of which input row each ring slot holds.
func (ws *Workspace) depthwiseHeld(n int) []int {
	if cap(ws.dwHeld) < n {
		ws.dwHeld = make([]int, n)
	}
	return ws.dwHeld[:n]
}
