package engine

import "math"

// The fast maxpool gives exactly the reference's numbers (including
// Darknet's x86 vector-path quirks, see maxpool.forward): every output the
// reference computes with one of its block routines whose lanes all see a
// whole in-range window, or with windowMax over a whole in-range window, is
// computed here by the same comparisons in the same order but without
// per-element bounds checks; the few outputs at the borders call the
// reference routines themselves. Work is split by channel.

func (m *maxpool) prepareFast(*Net, *Layer) error { return nil }

func (m *maxpool) scratch(*Layer) int { return 0 }

func (m *maxpool) bind(_ *Session, _ *Layer, ins [][]float32, out []float32, threads int) []step {
	in := ins[0]
	if m.depth {
		return []step{split(m.out.C, threads, func(g0, g1 int) { m.depthGroups(in, out, g0, g1) })}
	}
	return []step{split(m.in.C, threads, func(c0, c1 int) {
		for k := c0; k < c1; k++ {
			m.plane(in, out, k)
		}
	})}
}

// depthGroups is maxpool_depth (maxout) for output channels [g0,g1):
// channel g is the maximum of input channels g, g+C, g+2C, ... taken in
// that order with a plain comparison from -FLT_MAX, as the reference.
func (m *maxpool) depthGroups(in, out []float32, g0, g1 int) {
	plane := m.in.H * m.in.W
	for g := g0; g < g1; g++ {
		d := out[g*plane : (g+1)*plane]
		for i := range d {
			d[i] = -math.MaxFloat32
		}
		for k := g; k < m.in.C; k += m.out.C {
			src := in[k*plane : (k+1)*plane]
			src = src[:len(d)]
			for i, x := range src {
				d[i] = gt(x, d[i])
			}
		}
	}
}

// plane pools input channel k.
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
	for oy := 0; oy < oh; oy++ {
		row := dst[oy*ow : (oy+1)*ow]
		y0 := off + oy*m.strideY
		inside := y0 >= 0 && y0+m.size <= h && xLo < xHi
		ox := 0
		switch {
		case m.strideX == 1 && m.strideY == 1:
			// The reference's 8-wide blocks; a block whose eight windows
			// are all inside computes the plain window maximum per lane.
			for ; ox < ow-8-(m.size-1); ox += 8 {
				if inside && ox >= xLo && ox+8 <= xHi {
					m.windowsPlain(src, row, y0, ox, ox+8)
				} else {
					m.maxBlock8(in, k, oy, ox, row[ox:ox+8])
				}
			}
		case m.size == 2 && m.strideX == 2 && m.strideY == 2:
			for ; ox < ow-4; ox += 4 {
				if inside && ox >= xLo && ox+4 <= xHi {
					blocks4x2(src[y0*w:(y0+2)*w], w, row[ox:ox+4], 2*ox+off)
				} else {
					m.maxBlock4x2(in, k, oy, ox, row[ox:ox+4])
				}
			}
		}
		// Scalar tail, as windowMax.
		if inside {
			a, b := max(ox, xLo), max(ox, xHi)
			for x := ox; x < a; x++ {
				row[x] = m.windowMax(in, k, oy, x)
			}
			m.windowsPlain(src, row, y0, a, b)
			ox = b
		}
		for ; ox < ow; ox++ {
			row[ox] = m.windowMax(in, k, oy, ox)
		}
	}
}

// windowsPlain sets row[ox] for ox in [a,b), whose windows (top row y0)
// lie inside the plane, to the window maximum: rows top to bottom, columns
// left to right, a plain comparison from -FLT_MAX (windowMax's order).
func (m *maxpool) windowsPlain(src, row []float32, y0, a, b int) {
	w, size, sx := m.in.W, m.size, m.strideX
	x0 := -m.padding/2 + a*sx
	switch {
	case size == 2:
		r0, r1 := src[y0*w:(y0+1)*w], src[(y0+1)*w:(y0+2)*w]
		for ox := a; ox < b; ox, x0 = ox+1, x0+sx {
			v := float32(-math.MaxFloat32)
			v = gt(r0[x0], v)
			v = gt(r0[x0+1], v)
			v = gt(r1[x0], v)
			v = gt(r1[x0+1], v)
			row[ox] = v
		}
	case size == 3:
		r0, r1, r2 := src[y0*w:(y0+1)*w], src[(y0+1)*w:(y0+2)*w], src[(y0+2)*w:(y0+3)*w]
		for ox := a; ox < b; ox, x0 = ox+1, x0+sx {
			v := float32(-math.MaxFloat32)
			for _, r := range [3][]float32{r0, r1, r2} {
				r := r[x0 : x0+3]
				v = gt(r[0], v)
				v = gt(r[1], v)
				v = gt(r[2], v)
			}
			row[ox] = v
		}
	default:
		for ox := a; ox < b; ox, x0 = ox+1, x0+sx {
			v := float32(-math.MaxFloat32)
			for dy := 0; dy < size; dy++ {
				r := src[(y0+dy)*w+x0 : (y0+dy)*w+x0+size]
				for _, x := range r {
					v = gt(x, v)
				}
			}
			row[ox] = v
		}
	}
}

// blocks4x2 is maxBlock4x2 for four outputs whose windows are inside the
// plane: rows holds the two input rows (width w), x the first column.
// Per window row, the pair maximum is _mm256_max_ps's a > b ? a : b.
func blocks4x2(rows []float32, w int, dst []float32, x int) {
	r0, r1 := rows[x:x+8], rows[w+x:w+x+8]
	for i := range 4 {
		v := gt(gt(r0[2*i], r0[2*i+1]), -math.MaxFloat32)
		dst[i] = gt(gt(r1[2*i], r1[2*i+1]), v)
	}
}

// gt is a > b ? a : b (x86's maxss, Darknet's comparison), computed
// without a branch: pooling data makes the comparison unpredictable, and
// the compiler turns the mask below into a conditional move.
func gt(a, b float32) float32 {
	ab, bb := math.Float32bits(a), math.Float32bits(b)
	var m uint32
	if a > b {
		m = ^uint32(0)
	}
	return math.Float32frombits(bb ^ ((ab ^ bb) & m))
}
