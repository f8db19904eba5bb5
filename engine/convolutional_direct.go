package engine

import "github.com/darkgo/darkgo/kernels"

// Direct 3×3 convolution for layers with few filters.
//
// A 3×3 stride-1 convolution with 16 or 32 filters (PeleeNet's dense
// layers: most of CSPPeleeNet's convolutions) does only 2·M = 32 FLOP per
// element of its im2col matrix, so gathering that matrix (or packing it on
// the fly) costs about as much as the GEMM itself. The direct kernel reads
// the input where it is instead: the input is copied once into a
// zero-bordered buffer (rows Wp = W+2 floats, planes Hp·Wp, Hp = H+2),
// where the window of output (oy, ox) starts at padded position q =
// oy·Wp + ox, so the outputs of a run of consecutive q (crossing rows, two
// junk positions per row) read runs of consecutive floats: an assembly
// tile computes 4 filters × 24 positions from broadcast weights and
// unaligned loads, with no packing at all. Results go to a small per-slot
// buffer, get the activation there and are copied into the output rows
// without the junk positions.

const (
	directTile     = 24 // positions per assembly tile
	directChunk    = 4 * directTile
	directChannels = 128 // channels per pass: 18 KiB of weights
)

// directZero is the bias the assembly starts the sums from.
var directZero [4]float32

// directConv is a layer's load-time form for the direct kernel.
type directConv struct {
	w    []float32 // [filter block][channel][ky·3+kx][4 filters]
	bias []float32
}

// useDirect reports whether the layer takes the direct path: 3×3, stride
// 1, pad 1, no dilation or groups, a multiple of 4 filters, and either few
// filters (the GEMM's packing then dominates: 2.5-4× faster measured for
// 16-32 filters) or an image big enough that the junk positions (two per
// row) and the last partial tile waste little (measured on Zen 3, one
// thread: 1.1-1.3× faster than the GEMM at 20×20 to 104×104 with 64-256
// filters, 0.85× at 13×13 where only 78% of the computed positions are
// outputs).
func (c *convolutional) useDirect() bool {
	if !haveConvDirect || c.size != 3 || c.strideX != 1 || c.strideY != 1 || c.padding != 1 ||
		c.dilation != 1 || c.groups != 1 || c.filters%4 != 0 {
		return false
	}
	wp := c.in.W + 2
	q := (c.out.H-1)*wp + c.out.W
	used := float64(c.out.H*c.out.W) / float64((q+directTile-1)/directTile*directTile)
	return c.filters <= directMaxFilters || used >= directMinUse
}

// Thresholds of useDirect (variables for the benchmarks that set them).
var (
	directMaxFilters = 32
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
	f.direct = d
}

// directScratch is the per-slot tile buffer and the shared padded input.
func (c *convolutional) directScratch() (perSlot, shared int) {
	wp, hp := c.in.W+2, c.in.H+2
	return 4 * directChunk, c.in.C*hp*wp + 32
}

// bindDirect: one step pads the input (split by channel), one computes
// units of 4 filters × directChunk padded positions (split by unit).
func (c *convolutional) bindDirect(s *Session, in, out []float32, threads int) []step {
	d := c.fast.direct
	C, h, w := c.in.C, c.in.H, c.in.W
	wp, hp := w+2, h+2
	oh, ow := c.out.H, c.out.W
	plane := oh * ow
	padded := s.shared[:C*hp*wp+32]
	q := (oh-1)*wp + ow // padded positions up to the last output
	chunks := (q + directChunk - 1) / directChunk
	blocks := c.filters / 4
	act := c.fast.act
	pad := split(C, threads, func(c0, c1 int) {
		for ch := c0; ch < c1; ch++ {
			p := padded[ch*hp*wp : (ch+1)*hp*wp]
			clear(p[:wp])
			for y := 0; y < h; y++ {
				r := p[(y+1)*wp : (y+2)*wp]
				r[0], r[wp-1] = 0, 0
				copy(r[1:wp-1], in[(ch*h+y)*w:(ch*h+y+1)*w])
			}
			clear(p[(hp-1)*wp:])
		}
		if c1 == C {
			clear(padded[C*hp*wp:])
		}
	})
	conv := splitSlot(chunks*blocks, threads, func(slot, u0, u1 int) {
		tmp := s.work[slot][:4*directChunk]
		for u := u0; u < u1; u++ {
			// Filter blocks vary fastest: consecutive units read the same
			// input rows.
			q0, fb := u/blocks*directChunk, u%blocks
			n := min(directChunk, q-q0)
			wfb, bias := d.w[fb*C*36:(fb+1)*C*36], d.bias[fb*4:fb*4+4]
			// Blocks of channels, so that a block's weights (and input
			// rows) stay in L1 when there are many channels. The sums start
			// from zero and the bias is added with the activation, in the
			// order of the GEMM path's kernels (same k order, same FMAs):
			// up to 128 channels the two give the same bits.
			for c0 := 0; c0 < C; c0 += directChannels {
				nc := min(directChannels, C-c0)
				for t := 0; t < n; t += directTile {
					conv3x3Direct(&tmp[t], directChunk, &padded[c0*hp*wp+q0+t], wp, hp*wp, nc, &wfb[c0*36], &directZero[0], c0)
				}
			}
			for j := 0; j < 4; j++ {
				row := tmp[j*directChunk : j*directChunk+n]
				kernels.ActivateChannels(row, bias[j:j+1], n, act)
				dst := out[(fb*4+j)*plane : (fb*4+j+1)*plane]
				for p := q0; p < q0+n; {
					oy, ox := p/wp, p%wp
					if ox >= ow {
						p += wp - ox
						continue
					}
					k := min(ow-ox, q0+n-p)
					copy(dst[oy*ow+ox:oy*ow+ox+k], row[p-q0:p-q0+k])
					p += k
				}
			}
		}
	})
	return []step{pad, conv}
}
