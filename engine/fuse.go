package engine

import (
	"math"

	"github.com/darkgo/darkgo/kernels"
)

// Layer fusion: a convolution (a 3×3 on the direct path, or a 1×1 GEMM
// with a large output) followed by a 2×2 stride-2 maxpool that is its only
// reader (tiny-face's and yolov2/v3-tiny's first layers) runs as one step
// that pools each pair of output rows while they are in cache, so the
// convolution's output (tiny-face: 414×414×16 floats, 11 MB) is never
// written to memory and read back. On a video pipeline
// the decoder shares the memory bus with the network, and those two passes
// over the largest tensor of the network were what slowed it most.
//
// The fused step computes the same sums with the same kernel calls and
// pools them with the maxpool's own formula, so the pooled output has the
// bits of the two layers run one after the other (TestFusedPoolBits).
// Sessions fuse by default; Session.SetFusion(false) runs every layer on
// its own, for callers that read every layer's Output.

// poolFuser is implemented by ops that can take the maxpool after them
// into their own step.
type poolFuser interface {
	// fusePool reports whether the op can compute m's output from its
	// own without storing it, and if so remembers m.
	fusePool(m *maxpool) bool
	// bindFused is bind for the pair: it writes the pool's output.
	bindFused(s *Session, in, pooled []float32, threads int) []step
}

// markFusions decides, once the fast paths are prepared, which layers run
// fused with the next one: the next layer must be a maxpool whose only
// input is this layer, no other layer may read this layer's output, and
// it must not be an output layer. It returns the marks (layer i fused
// with i+1).
func (n *Net) markFusions() []bool {
	L := len(n.Layers)
	readers := make([]int, L)
	for _, l := range n.Layers {
		for _, k := range l.Inputs {
			if k >= 0 {
				readers[k]++
			}
		}
	}
	for _, i := range n.OutputLayers() {
		readers[i] += 2 // the caller reads it
	}
	fuse := make([]bool, L)
	for i := 0; i+1 < L; i++ {
		next := n.Layers[i+1]
		m, ok := next.op.(*maxpool)
		if ok {
			m.fused = false
		}
		if !ok || readers[i] != 1 || len(next.Inputs) != 1 || next.Inputs[0] != i || next.unsupported != nil {
			continue
		}
		if f, ok := n.Layers[i].op.(poolFuser); ok && n.Layers[i].unsupported == nil && f.fusePool(m) {
			fuse[i], m.fused = true, true
		}
	}
	return fuse
}

// fusesAfter reports whether the maxpool can be computed by the layer
// before it from two of that layer's output rows at a time: 2×2 windows
// with stride 2 starting at the first row and column (padding 0 or 1,
// Darknet's default), no maxout, no blur. Windows at the right and bottom
// edges may be partial (an odd input size).
func (m *maxpool) fusesAfter(in Shape) bool {
	return !m.depth && m.size == 2 && m.strideX == 2 && m.strideY == 2 && m.padding/2 == 0 && m.in == in
}

// poolPairs computes one output row of a fusable pool (fusesAfter) for
// nch channels: channel j's output row at dst[j·ldd:], from its input row
// src[2j·lds:] (in.W floats) and, when two is set, the next input row
// src[(2j+1)·lds:]; without it the next row is outside the input. The
// numbers are forward's bit for bit, computed as plane does: Darknet's
// 4-wide vector blocks (maxBlock4x2) up to the reference's last block,
// then windowMax in window order over the in-range positions. One
// MaxPairsRows call takes all the channels: a call per channel and row
// cost more than the pooling.
func (m *maxpool) poolPairs(dst []float32, ldd int, src []float32, lds, nch int, two bool) {
	ow := m.out.W
	end := blockEnd(ow-4, 4)
	whole := min(ow, m.in.W/2) // outputs whose two columns are inside (end ≤ whole)
	if two {
		kernels.MaxPairsRows(dst, ldd, src, lds, nch, end, whole-end)
	}
	for j := 0; j < nch; j++ {
		d, r0 := dst[j*ldd:j*ldd+ow], src[2*j*lds:]
		if !two {
			for x := 0; x < end; x++ { // maxBlock4x2 with one row in range
				d[x] = kernels.MaxF(kernels.MaxF(r0[2*x], r0[2*x+1]), -math.MaxFloat32)
			}
			for x := end; x < whole; x++ {
				d[x] = kernels.MaxF(r0[2*x+1], kernels.MaxF(r0[2*x], -math.MaxFloat32))
			}
		}
		if whole < ow { // the last window has one column inside
			x := ow - 1
			v := kernels.MaxF(r0[2*x], -math.MaxFloat32)
			if two {
				v = kernels.MaxF(r0[lds+2*x], v)
			}
			d[x] = v
		}
	}
}

// algorithm is "fused" when the convolution before computes this pool
// (Layer.Algorithm).
func (m *maxpool) algorithm() string {
	if m.fused {
		return "fused"
	}
	return ""
}

// fusePool takes a following maxpool into the convolution's step (see
// above): on the direct path, or on the 1×1 GEMM path when its output is
// large enough for the memory traffic to matter (4 MiB and more: the GEMM
// of two rows at a time is slower than the GEMM of panels, measured on
// tiny-face, Zen 5: 207×207×32 0.67 + 0.47 ms → 0.71 ms fused,
// 104×104×64 about even, 52×52×128 0.30–0.31 → 0.35–0.37 ms), two rows of every filter
// fit a small tile (256 KiB) and there are pooled rows to share among
// threads. The activation must be per element.
func (c *convolutional) fusePool(m *maxpool) bool {
	f := c.fast
	if f == nil || f.postAct || !m.fusesAfter(c.out) {
		return false
	}
	gemm := f.pointwise && c.groups == 1 && f.direct == nil && f.wino == nil && !f.depthwise &&
		c.out.Size() >= 1<<20 && c.filters*2*c.out.W <= 64<<10 && m.out.H >= 16
	if f.direct == nil && !gemm {
		return false
	}
	f.pool = m
	return true
}

func (c *convolutional) bindFused(s *Session, in, pooled []float32, threads int) []step {
	if c.fast.direct != nil {
		return c.bindDirectPool(s, in, pooled, threads)
	}
	return c.bindGemmPool(s, in, pooled, threads)
}

// bindGemmPool binds a 1×1 convolution fused with the maxpool after it:
// units of one pooled row, each the GEMM of the two input rows under it
// (all filters) into the slot's tile, pooled from there. Each output
// position is the GEMM path's sum: the same k order and epilogue whatever
// the column range.
func (c *convolutional) bindGemmPool(s *Session, in, pooled []float32, threads int) []step {
	f := c.fast
	m := f.pool
	W, H := c.out.W, c.out.H
	plane := H * W
	pp := m.out.H * m.out.W
	return []step{splitSlot(m.out.H, threads, func(slot, r0, r1 int) {
		tmp := s.work[slot][:c.filters*2*W] // [filter][two rows]
		for r := r0; r < r1; r++ {
			n := min(2, H-2*r) * W
			kernels.GemmRange(s.kws[slot], f.packed[0], n, in[2*r*W:], plane, tmp, 2*W, &f.eps[0], 0, c.filters, 0, n)
			m.poolPairs(pooled[r*m.out.W:], pp, tmp, W, c.filters, n == 2*W)
		}
	})}
}
