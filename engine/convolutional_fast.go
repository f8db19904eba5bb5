package engine

import (
	"math"

	"github.com/darkgo/darkgo/kernels"
)

// convFast is the load-time form of a convolution for the fast path:
// batch-norm folded into the weights and bias (as Darknet's detector does
// with fuse_conv_batchnorm) and the weights of each group packed for the
// GEMM kernel.
type convFast struct {
	packed    []*kernels.PackedA // one per group
	bias      []float32          // folded bias, one per filter
	weights   []float32          // folded weights, kept for the depthwise kernel only
	act       kernels.Activation // fused into the GEMM epilogue
	postAct   bool               // activation applied after the GEMM (normalize_channels family)
	eps       []kernels.Epilogue // one per group (bias slice + activation)
	geom      kernels.ConvGeom   // one group's convolution
	direct    *directConv        // 3×3 with few filters: direct kernel (convolutional_direct.go)
	wino      *winoConv          // 3×3 with many channels and filters (convolutional_winograd.go)
	pointwise bool               // 1×1, stride 1, no padding: the input is the GEMM's B as it is
	depthwise bool               // one filter per input channel: direct kernel
	pool      *maxpool           // the maxpool fused into this layer's step (fuse.go), or nil
}

func (c *convolutional) prepareFast(n *Net, l *Layer) error {
	f := &convFast{bias: make([]float32, c.filters), weights: make([]float32, len(c.weights))}
	per := len(c.weights) / c.filters
	for i := 0; i < c.filters; i++ {
		scale := 1.0
		f.bias[i] = c.biases[i]
		if c.bn {
			sd := math.Sqrt(float64(c.variance[i]) + bnEpsilon)
			scale = float64(c.scales[i]) / sd
			f.bias[i] = float32(float64(c.biases[i]) - float64(c.scales[i])*float64(c.mean[i])/sd)
		}
		for j := i * per; j < (i+1)*per; j++ {
			f.weights[j] = float32(float64(c.weights[j]) * scale)
		}
	}
	if a, ok := kernels.ParseActivation(c.act.String()); ok && !c.act.perChannel() {
		f.act = a
	} else {
		f.act, _ = kernels.ParseActivation("linear")
		f.postAct = true
	}
	f.pointwise = c.size == 1 && c.strideX == 1 && c.strideY == 1 && c.padding == 0
	f.depthwise = c.groups == c.in.C && c.filters == c.groups
	pad := c.padding * c.dilation
	f.geom = kernels.ConvGeom{Channels: c.in.C / c.groups, Height: c.in.H, Width: c.in.W,
		KernelH: c.size, KernelW: c.size, PadH: pad, PadW: pad,
		StrideH: c.strideY, StrideW: c.strideX, DilationH: c.dilation, DilationW: c.dilation}
	// One layout of the weights besides the reference's: the direct
	// kernel's, the packed GEMM panels, or (depthwise) the folded ones.
	switch {
	case c.winograd:
		c.prepareWinograd(f)
	case c.useDirect():
		c.prepareDirect(f)
	case !f.depthwise:
		fpg := c.filters / c.groups
		k := per
		for g := 0; g < c.groups; g++ {
			f.packed = append(f.packed, kernels.PackA(fpg, k, f.weights[g*fpg*k:(g+1)*fpg*k], k))
			f.eps = append(f.eps, kernels.Epilogue{Bias: f.bias[g*fpg : (g+1)*fpg], Act: f.act})
		}
	}
	if !f.depthwise {
		f.weights = nil
	}
	c.fast = f
	return nil
}

func (c *convolutional) scratch(*Layer) (int, int) {
	if c.fast != nil && c.fast.wino != nil {
		return c.winoScratch()
	}
	if c.fast != nil && c.fast.direct != nil {
		return c.directScratch()
	}
	if c.fast != nil && c.fast.pool != nil {
		return c.filters * 2 * c.out.W, 0 // bindGemmPool's two rows of every filter
	}
	return 0, 0
}

// bind splits a convolution into parts that each compute a rectangle of
// the output with kernels.ConvRange (or GemmRange for a 1×1 conv, whose B
// is the input itself): whole NR-column panels of output positions when
// there are enough of them, else whole MR-row panels of filters (small
// late layers: 10×10 outputs, hundreds of filters). Each part packs its own
// B blocks from the image into its slot's workspace. Grouped convolutions
// with at least as many groups as threads give each part whole groups
// instead.
func (c *convolutional) bind(s *Session, l *Layer, ins [][]float32, out []float32, threads int) []step {
	f := c.fast
	in := ins[0]
	plane := c.out.H * c.out.W
	var steps []step
	switch {
	case f.wino != nil:
		steps = c.bindWinograd(s, in, out, threads)
	case f.direct != nil:
		steps = c.bindDirect(s, in, out, threads)
	case f.depthwise:
		steps = append(steps, splitSlot(c.filters, threads, func(p, c0, c1 int) { c.depthwiseChannels(s.kws[p], in, out, c0, c1) }))
	case c.groups >= threads:
		steps = append(steps, splitSlot(c.groups, threads, func(p, g0, g1 int) {
			for g := g0; g < g1; g++ {
				c.groupRange(s.kws[p], in, out, g, 0, c.filters/c.groups, 0, plane)
			}
		}))
	default:
		mr, nr := f.packed[0].Tile()
		fpg := c.filters / c.groups
		npan := (plane + nr - 1) / nr
		mpan := (fpg + mr - 1) / mr
		splitN := npan >= 2*threads || npan >= mpan
		// Parts over columns are independent; parts over filters each
		// pack the whole B, so there are only as many as threads.
		units, minUnits := npan, 1
		if !splitN {
			units, minUnits = mpan, (mpan+threads-1)/threads
		}
		for g := 0; g < c.groups; g++ {
			steps = append(steps, splitMin(units, minUnits, threads, func(p, u0, u1 int) {
				if splitN {
					c.groupRange(s.kws[p], in, out, g, 0, fpg, u0*nr, min(u1*nr, plane))
				} else {
					c.groupRange(s.kws[p], in, out, g, u0*mr, min(u1*mr, fpg), 0, plane)
				}
			}))
		}
	}
	if f.postAct {
		// The normalize_channels activations mix channels: one part.
		steps = append(steps, step{parts: 1, fn: func(int, int) { activateArray(out, c.act, c.filters, plane) }})
	}
	return steps
}

// groupRange computes filters [r0,r1) and output positions [j0,j1) of
// group g.
func (c *convolutional) groupRange(ws *kernels.Workspace, in, out []float32, g, r0, r1, j0, j1 int) {
	f := c.fast
	hw := c.in.H * c.in.W
	plane := c.out.H * c.out.W
	cpg := c.in.C / c.groups
	fpg := c.filters / c.groups
	src := in[g*cpg*hw : (g+1)*cpg*hw]
	dst := out[g*fpg*plane : (g+1)*fpg*plane]
	if f.pointwise {
		kernels.GemmRange(ws, f.packed[g], plane, src, plane, dst, plane, &f.eps[g], r0, r1, j0, j1)
		return
	}
	kernels.ConvRange(ws, f.packed[g], src, &f.geom, dst, plane, &f.eps[g], r0, r1, j0, j1)
}

// depthwiseChannels convolves channels [c0,c1) each with its own k×k
// filter (kernels.Depthwise: every output row once with all its taps): a
// GEMM with one row would waste the kernel.
func (c *convolutional) depthwiseChannels(ws *kernels.Workspace, in, out []float32, c0, c1 int) {
	f := c.fast
	g := f.geom
	g.Channels = c.filters
	kernels.Depthwise(ws, out, in, &g, f.weights, f.bias, f.act, c0, c1) // f.act is linear when postAct

}

// algorithm names the fast path the layer runs (Layer.Algorithm).
func (c *convolutional) algorithm() string {
	f := c.fast
	switch {
	case f == nil:
		return ""
	case f.wino != nil:
		return "winograd"
	case f.direct != nil && f.pool != nil:
		return "direct+maxpool"
	case f.direct != nil:
		return "direct"
	case f.depthwise:
		return "depthwise"
	case c.groups > 1:
		return "grouped-gemm"
	case f.pointwise && f.pool != nil:
		return "gemm+maxpool"
	case f.pointwise:
		return "gemm"
	}
	return "conv-gemm"
}
