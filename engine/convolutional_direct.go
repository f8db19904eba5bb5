package engine

import "github.com/darkgo/darkgo/kernels"

// Direct 3×3 convolution for layers with few filters (and large images).
//
// A 3×3 convolution with 16 or 32 filters (PeleeNet's dense layers: most
// of CSPPeleeNet's convolutions) does only 2·M = 32 FLOP per element of its
// im2col matrix, so gathering that matrix (or packing it on the fly) costs
// about as much as the GEMM itself. The direct kernel reads the input
// where it is instead. The input is first copied with a zero border (rows
// wp = W+2 floats, planes (H+2)·wp; a band of output rows at a time, into
// the part's own scratch: see bindDirect); there the window of output (oy, ox)
// starts at q = oy·wp + ox and its tap (ky, kx) is at q + ky·wp + kx, so
// the taps of consecutive outputs are runs of consecutive floats. Outputs
// are computed for consecutive q across rows (two junk positions per row)
// by kernels.Conv3x3, 4 filters × up to directChunk positions per call
// (broadcast weights, unaligned loads, no packing), into a small per-slot buffer, with the bias
// and activation applied as the GEMM epilogue does (the sums are the GEMM
// kernels' too), then copied into the output rows without the junk.
//
// Stride 2 was tried with the input split into even/odd column planes per
// kernel row: slower than the GEMM path for the stems it would serve
// (3 -> 32 channels: K = 27 leaves the tile's stores, the copy-out and the
// six-plane layout dominating).

const (
	directChunk    = 2 * kernels.Conv3x3Block // positions per unit
	directChannels = 128                      // channels per pass: 18 KiB of weights
)

// directConv is a layer's load-time form for the direct kernel.
type directConv struct {
	w    []float32 // [filter block][channel][ky·3+kx][4 filters]
	bias []float32
	taps [9]int // offsets of the taps from a position's first float
	row  int    // positions per output row in the layout (wp or we)
	// actFlags asks kernels.Conv3x3 for the epilogue (bias and linear,
	// leaky or relu); 0 for other activations, applied afterwards.
	actFlags int
}

// directLayout returns the zero-bordered layout's row pitch and tap
// offsets (in floats). The border is the layer's padding (0, 1 or 2): a
// 3×3 stride-1 output row is then always 2 positions shorter than the
// layout's rows.
func (c *convolutional) directLayout() (row int, taps [9]int) {
	wp := c.in.W + 2*c.padding
	for t := range taps {
		taps[t] = t/3*wp + t%3
	}
	return wp, taps
}

// useDirect reports whether the layer takes the direct path: a vector
// kernels.Conv3x3 (its Go reference is slower than the GEMM), 3×3, stride
// 1, padding 0 to 2 (the layout's border; Darknet's pad=1 is padding 1, a
// stem such as tiny-face's with padding 0 reads the input rows as they
// are), no dilation or groups, a multiple of 4 filters, and either few filters (the GEMM's packing then dominates:
// 2.5-4× faster measured for 16-32 filters) or an image big enough that
// the junk positions and the last partial tile waste little (measured on
// Zen 3, one thread: 1.1-1.3× faster than the GEMM at 20×20 to 104×104
// with 64-256 filters, 0.85× at 13×13 where only 78% of the computed
// positions are outputs).
func (c *convolutional) useDirect() bool {
	if !haveConvDirect() || c.size != 3 || c.strideX != 1 || c.strideY != 1 || c.padding < 0 || c.padding > 2 ||
		c.dilation != 1 || c.groups != 1 || c.filters%4 != 0 {
		return false
	}
	row, _ := c.directLayout()
	q := (c.out.H-1)*row + c.out.W
	used := float64(c.out.H*c.out.W) / float64((q+directUseTile-1)/directUseTile*directUseTile)
	return c.filters <= directMaxFilters || used >= directMinUse
}

// haveConvDirect reports whether kernels.Conv3x3 runs vector code here.
func haveConvDirect() bool { return kernels.ImplOf(kernels.OpConv3x3) != "generic" }

// directUseTile is the tile width useDirect's thresholds were measured
// with (the AVX2 tile's; the AVX-512 tile is 48 wide, but the positions are
// cut into units of directChunk, so the round-up costs at most one partial
// tile per layer and filter block, and the junk columns dominate).
const directUseTile = 24

// Thresholds of useDirect (variables for the tests that set them).
var (
	directMaxFilters = 128
	directMinUse     = 0.88
)

func (c *convolutional) prepareDirect(f *convFast) {
	C := c.in.C
	d := &directConv{w: make([]float32, c.filters*C*9), bias: f.bias}
	for fb := 0; fb < c.filters/4; fb++ {
		for ch := 0; ch < C; ch++ {
			for t := 0; t < 9; t++ {
				for j := 0; j < 4; j++ {
					d.w[((fb*C+ch)*9+t)*4+j] = f.weights[((fb*4+j)*C+ch)*9+t]
				}
			}
		}
	}
	switch f.act {
	case kernels.Linear:
		d.actFlags = kernels.Conv3x3Linear
	case kernels.Leaky:
		d.actFlags = kernels.Conv3x3Leaky
	case kernels.Relu:
		d.actFlags = kernels.Conv3x3Relu
	}
	d.row, d.taps = c.directLayout()
	f.direct = d
}

// directScratch: per slot, the tile buffer and a band's layout (when
// fused with a pool, a tile of two convolution rows of 8 filters and the
// layout of a band of pooled rows).
func (c *convolutional) directScratch() (perSlot, shared int) {
	perSlot = 8*directChunk + c.directBandFloats(c.directBandMax())
	if c.fast.pool != nil {
		perSlot = max(perSlot, 16*c.fusedRowPitch()+c.directBandFloats(2*c.directPoolBandMax()))
	}
	return perSlot, 0
}

// directBandBudget is about how many floats a band's layout (all the
// input channels, the band's rows and the two below) may take: 192 KiB,
// so that it stays in L2 next to the tile while it is convolved.
const directBandBudget = 48 << 10

// directBandMax is the most output rows of a band: the layout rows the
// budget holds, less the two a band reads below its last row.
func (c *convolutional) directBandMax() int {
	return max(1, min(c.out.H, c.directBudgetRows()))
}

// directPoolBandMax is the most pooled rows of a band of the fused step
// (two output rows each).
func (c *convolutional) directPoolBandMax() int {
	return max(1, min(c.fast.pool.out.H, c.directBudgetRows()/2))
}

// directBudgetRows is how many output rows' layout the band budget holds.
func (c *convolutional) directBudgetRows() int {
	return directBandBudget/(c.in.C*c.fast.direct.row) - 2
}

// bandRows is the rows per band of n rows for threads threads, at most
// most: as large as that on one thread, two bands per thread otherwise.
// Smaller ones cost: each repeats two input rows, and its last kernel
// call computes a whole tile for its last few positions.
func bandRows(most, n, threads int) int {
	if threads > 1 {
		return max(1, min(most, (n+2*threads-1)/(2*threads)))
	}
	return most
}

// layOutBand writes the layout rows [y0, y0+rows) of every input channel
// into band (channel pitch rows·row, returned), then the kernel's zero
// slack after the last channel.
func (c *convolutional) layOutBand(in, band []float32, y0, rows int) (chb int) {
	C := c.in.C
	chb = rows * c.fast.direct.row
	for ch := 0; ch < C; ch++ {
		c.layOutRows(in, band[ch*chb:(ch+1)*chb], ch, y0, rows)
	}
	clear(band[C*chb : C*chb+2*kernels.Conv3x3Block])
	return chb
}

// directBandFloats is the size of the layout of a band of rows output
// rows: rows+2 layout rows per channel, and the kernel's slack.
func (c *convolutional) directBandFloats(rows int) int {
	return c.in.C*(rows+2)*c.fast.direct.row + 2*kernels.Conv3x3Block
}

// bindDirect splits the output into bands of rows, one part each: a part
// lays out the input rows its band reads (with their zero border) in its
// own scratch and convolves them there, 8 (or a last 4) filters ×
// directChunk positions at a time. Each core so reads the layout it
// wrote, from its own cache: with one layout for the layer, laid out by
// channel and read by position, every line crossed between the cores,
// and the direct layers barely gained from a second thread (CSPPeleeNet-
// EFM: 4.43 -> 4.06 ms).
func (c *convolutional) bindDirect(s *Session, in, out []float32, threads int) []step {
	d := c.fast.direct
	oh, ow := c.out.H, c.out.W
	plane := oh * ow
	groups := c.directGroups()
	B := bandRows(c.directBandMax(), oh, threads)
	bands := (oh + B - 1) / B
	return []step{splitSlot(bands, threads, func(slot, b0, b1 int) {
		tmp := s.work[slot][:8*directChunk]
		band := s.work[slot][8*directChunk:]
		for b := b0; b < b1; b++ {
			y0, y1 := b*B, min(oh, (b+1)*B)
			chb := c.layOutBand(in, band, y0, y1-y0+2)
			q := (y1-y0-1)*d.row + ow // positions up to the band's last output
			for q0 := 0; q0 < q; q0 += directChunk {
				n := min(directChunk, q-q0)
				// Filter groups inside: they read the same input.
				for g := 0; g < groups; g++ {
					fb := 2 * g
					nf := c.directTile(tmp, directChunk, band, chb, q0, n, fb)
					for j := 0; j < nf; j++ {
						row := tmp[j*directChunk : j*directChunk+n]
						dst := out[(fb*4+j)*plane+y0*ow : (fb*4+j+1)*plane]
						for p := q0; p < q0+n; {
							oy, ox := p/d.row, p%d.row
							if ox >= ow {
								p += d.row - ox
								continue
							}
							k := min(ow-ox, q0+n-p)
							copy(dst[oy*ow+ox:oy*ow+ox+k], row[p-q0:p-q0+k])
							p += k
						}
					}
				}
			}
		}
	})}
}

// directGroups is the number of filter units: pairs of blocks of 4.
func (c *convolutional) directGroups() int { return (c.filters/4 + 1) / 2 }

// directTile computes filters 4·fb... (8 of them, or the last 4: it
// returns how many) at the n positions from q0 of the layout buf (channel
// pitch chs) into tmp (filter j at tmp[j·ldt:], ldt ≥ n rounded up to
// kernels.Conv3x3Block), bias and activation included.
func (c *convolutional) directTile(tmp []float32, ldt int, buf []float32, chs, q0, n, fb int) int {
	d := c.fast.direct
	C := c.in.C
	nf := min(8, c.filters-fb*4) // filters in this unit: 4 or 8
	w0, bias := d.w[fb*C*36:(fb+1)*C*36], d.bias[fb*4:fb*4+nf]
	// Blocks of channels, so that a block's weights (and input) stay in
	// L1 when there are many channels. The sums start from zero and the
	// bias is added with the activation, in the order of the GEMM path's
	// kernels (same k order, same FMAs): while K fits one GEMM block the
	// two give the same bits.
	for c0 := 0; c0 < C; c0 += directChannels {
		nc := min(directChannels, C-c0)
		flags := 0
		if c0 > 0 {
			flags = kernels.Conv3x3Accumulate
		}
		if c0+nc == C && d.actFlags != 0 {
			flags |= d.actFlags
		}
		src := buf[c0*chs+q0:]
		if nf == 8 {
			w1 := d.w[(fb+1)*C*36 : (fb+2)*C*36]
			kernels.Conv3x3x8(tmp, ldt, src, chs, &d.taps, w0[c0*36:], w1[c0*36:], nc, n, bias, flags)
		} else {
			kernels.Conv3x3(tmp, ldt, src, chs, &d.taps, w0[c0*36:], nc, n, bias, flags)
		}
	}
	if d.actFlags == 0 {
		for j := 0; j < nf; j++ {
			kernels.ActivateChannels(tmp[j*ldt:j*ldt+n], bias[j:j+1], n, c.fast.act)
		}
	}
	return nf
}

// fusedRowPitch is the tile row of the fused step: one output row,
// rounded up to the kernel's granularity.
func (c *convolutional) fusedRowPitch() int {
	b := kernels.Conv3x3Block
	return (c.out.W + b - 1) / b * b
}

// bindDirectPool binds the convolution fused with the maxpool after it
// (see fuse.go), writing the pool's output, in bands of pooled rows as
// bindDirect's bands: a part lays out the input rows under its band in
// its own scratch, then for each pooled row computes the two convolution
// rows under it into the tile (filter j's rows at rows 2j and 2j+1: the
// layout poolPairs takes for all filters in one call) and pools them.
func (c *convolutional) bindDirectPool(s *Session, in, pooled []float32, threads int) []step {
	d := c.fast.direct
	m := c.fast.pool
	H := c.out.H
	groups := c.directGroups()
	ldt := c.fusedRowPitch()
	plane := m.out.H * m.out.W
	P := bandRows(c.directPoolBandMax(), m.out.H, threads)
	bands := (m.out.H + P - 1) / P
	return []step{splitSlot(bands, threads, func(slot, b0, b1 int) {
		tmp := s.work[slot][:16*ldt]
		band := s.work[slot][16*ldt:]
		for b := b0; b < b1; b++ {
			r0, r1 := b*P, min(m.out.H, (b+1)*P)
			y0, y1 := 2*r0, min(H, 2*r1) // the convolution rows under the band
			chb := c.layOutBand(in, band, y0, y1-y0+2)
			for r := r0; r < r1; r++ {
				two := 2*r+1 < H
				for g := 0; g < groups; g++ {
					fb := 2 * g
					nf := c.directTile(tmp, 2*ldt, band, chb, (2*r-y0)*d.row, c.out.W, fb)
					if two {
						c.directTile(tmp[ldt:], 2*ldt, band, chb, (2*r+1-y0)*d.row, c.out.W, fb)
					}
					m.poolPairs(pooled[fb*4*plane+r*m.out.W:], plane, tmp, ldt, nf, two)
				}
			}
		}
	})}
}

// layOutRows writes rows r0..r0+rows of channel ch's zero-bordered
// layout into dst: layout row r is input row r - padding between
// `padding` zeros on each side, or zeros outside the input.
func (c *convolutional) layOutRows(in, dst []float32, ch, r0, rows int) {
	h, w, b := c.in.H, c.in.W, c.padding
	src := in[ch*h*w : (ch+1)*h*w]
	wp := w + 2*b
	for r := 0; r < rows; r++ {
		d := dst[r*wp : (r+1)*wp]
		y := r0 + r - b
		if y < 0 || y >= h {
			clear(d)
			continue
		}
		clear(d[:b])
		copy(d[b:b+w], src[y*w:(y+1)*w])
		clear(d[b+w:])
	}
}
