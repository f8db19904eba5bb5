package engine

import (
	"math"

	"github.com/darkgo/darkgo/kernels"
)

// The fast maxpool gives exactly the reference's numbers (including
// Darknet's x86 vector-path quirks, see maxpool.forward): every output the
// reference computes with one of its block routines whose lanes all see a
// whole in-range window, or with windowMax over a whole in-range window, is
// computed here by the same comparisons in the same order but a whole run
// of outputs at a time (with AVX where the CPU has it: vmaxps is the
// comparison itself); the few outputs at the borders call the reference
// routines. Work is split by channel.

func (m *maxpool) prepareFast(*Net, *Layer) error { return nil }

// scratch: pooling with stride 1 across keeps one channel's row maxima
// (see planeRows).
func (m *maxpool) scratch(*Layer) (int, int) {
	if m.depth || m.strideX != 1 {
		return 0, 0
	}
	return m.in.H * m.out.W, 0
}

func (m *maxpool) bind(s *Session, _ *Layer, ins [][]float32, out []float32, threads int) []step {
	in := ins[0]
	if m.depth {
		return []step{split(m.out.C, threads, func(g0, g1 int) { m.depthGroups(in, out, g0, g1) })}
	}
	if m.pairsStride1() {
		return []step{split(m.in.C, threads, func(c0, c1 int) { m.pairs1(in, out, c0, c1) })}
	}
	if m.strideX == 1 {
		return []step{splitSlot(m.in.C, threads, func(slot, c0, c1 int) {
			tmp := s.work[slot][:m.in.H*m.out.W]
			for k := c0; k < c1; k++ {
				m.planeRows(in, out, k, tmp)
			}
		})}
	}
	return []step{split(m.in.C, threads, func(c0, c1 int) {
		for k := c0; k < c1; k++ {
			m.plane(in, out, k)
		}
	})}
}

// pairsStride1 reports whether the pool is size 2, stride 1, padding 1
// (Darknet's default padding; tiny YOLOs' and tiny-face's last pool): the
// output is the input's size and a window (y..y+1, x..x+1) is clipped only
// at the right and bottom edges.
func (m *maxpool) pairsStride1() bool {
	return !m.depth && m.size == 2 && m.strideX == 1 && m.strideY == 1 && m.padding == 1 && m.out == m.in
}

// pairs1 pools channels [c0,c1) of a pairsStride1 pool. Every output is
// windowMax's: the reference's 8-wide blocks give the same here, since
// all their lanes are in range (they stop 9 columns before the end). So
// the channels are four flat MaxInto passes in window order, then the
// outputs whose windows are clipped, the last column of every row and
// the last row of every plane (where the flat passes read the next row or
// plane), are redone with their in-range positions. It replaces
// planeRows' per-channel work, which cost more than the pooling on the
// small maps these pools run on (13×13×512: 0.22 ms, Zen 5).
func (m *maxpool) pairs1(in, out []float32, c0, c1 int) {
	h, w := m.in.H, m.in.W
	lo, hi := c0*h*w, c1*h*w
	d := out[lo:hi]
	n := len(d)
	fillNegMax(d)
	kernels.MaxInto(d, in[lo:hi])
	for _, sh := range [3]int{1, w, w + 1} { // the other window positions, in order
		if sh < n {
			kernels.MaxInto(d[:n-sh], in[lo+sh:hi])
		}
	}
	for k := c0; k < c1; k++ {
		src, dst := in[k*h*w:(k+1)*h*w], out[k*h*w:(k+1)*h*w]
		for y := 0; y < h-1; y++ { // last column: two rows, one column
			x := y*w + w - 1
			dst[x] = kernels.MaxF(src[x+w], kernels.MaxF(src[x], -math.MaxFloat32))
		}
		r, o := src[(h-1)*w:], dst[(h-1)*w:] // last row: one row
		for x := 0; x < w-1; x++ {
			o[x] = kernels.MaxF(r[x+1], kernels.MaxF(r[x], -math.MaxFloat32))
		}
		o[w-1] = kernels.MaxF(r[w-1], -math.MaxFloat32)
	}
}

// depthGroups is maxpool_depth (maxout) for output channels [g0,g1):
// channel g is the maximum of input channels g, g+C, g+2C, ... taken in
// that order with the reference's comparison, starting from -FLT_MAX.
func (m *maxpool) depthGroups(in, out []float32, g0, g1 int) {
	plane := m.in.H * m.in.W
	for g := g0; g < g1; g++ {
		d := out[g*plane : (g+1)*plane]
		fillNegMax(d)
		for k := g; k < m.in.C; k += m.out.C {
			kernels.MaxInto(d, in[k*plane:(k+1)*plane])
		}
	}
}

// plane pools input channel k when the stride across is not 1.
func (m *maxpool) plane(in, out []float32, k int) {
	h, w, oh, ow := m.in.H, m.in.W, m.out.H, m.out.W
	off := -m.padding / 2
	src := in[k*h*w : (k+1)*h*w]
	dst := out[k*oh*ow : (k+1)*oh*ow]
	// Output columns whose whole window is inside the row: [xLo, xHi).
	xLo := 0
	if off < 0 {
		xLo = min((-off+m.strideX-1)/m.strideX, ow)
	}
	xHi := 0
	if w-m.size-off >= 0 {
		xHi = min((w-m.size-off)/m.strideX+1, ow)
	}
	xHi = max(xHi, xLo)
	pairs := m.size == 2 && m.strideX == 2 && m.strideY == 2
	end := blockEnd(ow-4, 4) // the reference's 4-wide blocks stop here
	ry0, ry1 := 0, 0         // rows whose windows are inside vertically
	tailDone := false        // windows [end, ow) of those rows done
	if pairs {
		// On the rows whose windows are inside: the runs of 4-wide blocks
		// that are inside (the lane formula) and, when they are all
		// inside, the windows after the blocks (window order), in one call
		// for the plane.
		ry0 = max(0, (1-off)/2)
		if h-2-off >= 0 {
			ry1 = min(oh, (h-2-off)/2+1)
		}
		a, b := (xLo+3)&^3, min(xHi, end)&^3
		if a >= b {
			a, b = end, end
		}
		tailDone = b == end && xLo <= end && xHi >= ow && ry0 < ry1
		tail := 0
		if tailDone {
			tail = ow - end
		}
		if (a < b || tail > 0) && ry0 < ry1 {
			y0 := off + 2*ry0
			kernels.MaxPairsRows(dst[ry0*ow+a:], ow, src[y0*w+off+2*a:], w, ry1-ry0, b-a, tail)
		}
	}
	for oy := 0; oy < oh; oy++ {
		row := dst[oy*ow : (oy+1)*ow]
		y0 := off + oy*m.strideY
		inside := y0 >= 0 && y0+m.size <= h
		whole := func(a, b int) bool { return inside && a >= xLo && b <= xHi }
		switch {
		case pairs:
			for b := 0; b < end; b += 4 {
				if !whole(b, b+4) {
					m.maxBlock4x2(in, k, oy, b, row[b:b+4])
				}
			}
			x := end
			if tailDone && oy >= ry0 && oy < ry1 {
				x = ow
			}
			for x < ow {
				if !whole(x, x+1) {
					row[x] = m.windowMax(in, k, oy, x)
					x++
					continue
				}
				e := x + 1 // one call for the run of inside windows
				for e < ow && whole(e, e+1) {
					e++
				}
				m.windowsPlain(src, row, y0, x, e)
				x = e
			}
		default:
			for x := 0; x < ow; x++ {
				if whole(x, x+1) {
					m.windowsPlain(src, row, y0, x, x+1)
				} else {
					row[x] = m.windowMax(in, k, oy, x)
				}
			}
		}
	}
}

// planeRows pools input channel k when the stride across is 1, using tmp
// (in.H*out.W floats). Every output is first set to windowMax's result,
// computed separably: tmp holds, for each input row and output column,
// the maximum over the in-range window columns, and an output is the
// maximum of its in-range window rows' values, in order. Both windowMax and
// this keep the first of the maximal values in window order (a > b ? a : b
// from -FLT_MAX never picks a NaN and never replaces an equal value, so +0
// and -0 stay as found), hence the same bits. With stride 1 down as well
// the reference's 8-wide blocks whose lanes are not all inside are then
// redone with maxBlock8.
func (m *maxpool) planeRows(in, out []float32, k int, tmp []float32) {
	h, w, oh, ow, size, sy := m.in.H, m.in.W, m.out.H, m.out.W, m.size, m.strideY
	off := -m.padding / 2
	src := in[k*h*w : (k+1)*h*w]
	dst := out[k*oh*ow : (k+1)*oh*ow]
	fillNegMax(tmp)
	// Columns ox whose window columns are all in range: [xLo, xHi).
	xLo := min(-off, ow)
	xHi := max(min(w-size-off+1, ow), xLo)
	if ow == w {
		// All rows at once, as one flat run per window column: outputs
		// whose window column falls outside the row read a neighbouring
		// row's value there, so those border columns are redone below.
		for dx := 0; dx < size; dx++ {
			sh := off + dx
			lo, hi := max(0, -sh), min(ow, w-sh)
			if lo < hi {
				kernels.MaxInto(tmp[lo:(h-1)*ow+hi], src[lo+sh:(h-1)*w+hi+sh])
			}
		}
		for y := 0; y < h; y++ {
			m.rowMaxClipped(src[y*w:(y+1)*w], tmp[y*ow:(y+1)*ow], 0, xLo)
			m.rowMaxClipped(src[y*w:(y+1)*w], tmp[y*ow:(y+1)*ow], xHi, ow)
		}
	} else {
		for y := 0; y < h; y++ {
			r, t := src[y*w:(y+1)*w], tmp[y*ow:(y+1)*ow]
			for dx := 0; dx < size; dx++ {
				sh := off + dx
				lo, hi := max(0, -sh), min(ow, w-sh)
				if lo < hi {
					kernels.MaxInto(t[lo:hi], r[lo+sh:hi+sh])
				}
			}
		}
	}
	fillNegMax(dst)
	if sy == 1 {
		for dy := 0; dy < size; dy++ {
			sh := off + dy
			lo, hi := max(0, -sh), min(oh, h-sh)
			if lo < hi {
				kernels.MaxInto(dst[lo*ow:hi*ow], tmp[(lo+sh)*ow:(hi+sh)*ow])
			}
		}
	} else {
		for oy := 0; oy < oh; oy++ {
			for dy := 0; dy < size; dy++ {
				if y := off + oy*sy + dy; y >= 0 && y < h {
					kernels.MaxInto(dst[oy*ow:(oy+1)*ow], tmp[y*ow:(y+1)*ow])
				}
			}
		}
		return
	}
	end := blockEnd(ow-8-(size-1), 8)
	for oy := 0; oy < oh; oy++ {
		y0 := off + oy
		inside := y0 >= 0 && y0+size <= h
		for b := 0; b < end; b += 8 {
			if !inside || b < xLo || b+8 > xHi {
				m.maxBlock8(in, k, oy, b, dst[oy*ow+b:oy*ow+b+8])
			}
		}
	}
}

// rowMaxClipped sets t[ox], ox in [a,b), to the maximum of input row r
// over the in-range columns of output column ox's window, left to right
// from -FLT_MAX.
func (m *maxpool) rowMaxClipped(r, t []float32, a, b int) {
	off, w := -m.padding/2, m.in.W
	for ox := a; ox < b; ox++ {
		v := float32(-math.MaxFloat32)
		for x := max(off+ox, 0); x < min(off+ox+m.size, w); x++ {
			v = kernels.MaxF(r[x], v)
		}
		t[ox] = v
	}
}

// blockEnd is where the reference's `for j = 0; j < limit; j += step`
// block loop stops.
func blockEnd(limit, step int) int {
	if limit <= 0 {
		return 0
	}
	return (limit + step - 1) / step * step
}

// windowsPlain sets row[ox] for ox in [a,b), whose windows (top row y0)
// lie inside the plane, to the window maximum in windowMax's order.
func (m *maxpool) windowsPlain(src, row []float32, y0, a, b int) {
	w, size, sx := m.in.W, m.size, m.strideX
	x0 := -m.padding/2 + a*sx
	if size == 2 {
		// The 2×2 windows at the end of the stride-2 rows (after the
		// vector blocks): the same comparisons without the loops, which
		// cost more than the vector part of the row.
		r0, r1 := src[y0*w:(y0+1)*w], src[(y0+1)*w:(y0+2)*w]
		for ox := a; ox < b; ox, x0 = ox+1, x0+sx {
			v := kernels.MaxF(r0[x0], -math.MaxFloat32)
			v = kernels.MaxF(r0[x0+1], v)
			v = kernels.MaxF(r1[x0], v)
			row[ox] = kernels.MaxF(r1[x0+1], v)
		}
		return
	}
	for ox := a; ox < b; ox, x0 = ox+1, x0+sx {
		v := float32(-math.MaxFloat32)
		for dy := 0; dy < size; dy++ {
			for _, x := range src[(y0+dy)*w+x0 : (y0+dy)*w+x0+size] {
				v = kernels.MaxF(x, v)
			}
		}
		row[ox] = v
	}
}

func fillNegMax(x []float32) {
	for i := range x {
		x[i] = -math.MaxFloat32
	}
}
