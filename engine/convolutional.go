package engine

import (
	"errors"
	"fmt"
	"math"

	"github.com/darkgo/darkgo/cfgparse"
)

// convolutional is Darknet's [convolutional] / [conv] layer
// (src/convolutional_layer.c): grouped, strided, dilated 2-D convolution,
// optional batch-norm, bias, activation.
type convolutional struct {
	filters, size, strideX, strideY, padding, dilation, groups int
	bn                                                         bool
	act                                                        Activation
	in, out                                                    Shape
	shareFrom                                                  int  // layer whose parameters this one shares, or -1
	winograd                                                   bool // chosen for the Winograd path (chooseWinograd)

	biases, scales, mean, variance, weights []float32

	fast *convFast // made at load for sessions
}

// bnEpsilon is the constant Darknet adds to the variance (normalize_cpu).
const bnEpsilon = 0.00001

func init() { register("convolutional", buildConvolutional) }

func buildConvolutional(b *buildState, s *cfgparse.Section, l *Layer) error {
	c := &convolutional{
		filters:  s.Int("filters", 1),
		groups:   s.Int("groups", 1),
		size:     s.Int("size", 1),
		dilation: s.Int("dilation", 1),
		bn:       s.Int("batch_normalize", 0) != 0,
		in:       l.In,
	}
	// stride_x/stride_y override stride (parse_convolutional).
	stride := s.Int("stride", 1)
	c.strideX, c.strideY = s.Int("stride_x", -1), s.Int("stride_y", -1)
	if c.strideX < 1 {
		c.strideX = stride
	}
	if c.strideY < 1 {
		c.strideY = stride
	}
	if c.size == 1 {
		c.dilation = 1
	}
	pad := s.Int("pad", 0)
	c.padding = s.Int("padding", 0)
	if pad != 0 {
		c.padding = c.size / 2
	}
	var err error
	if c.act, err = parseActivation(s.String("activation", "logistic")); err != nil {
		return s.Errorf("activation", "%v", err)
	}
	if s.Int("cbn", 0) != 0 {
		c.bn = true
	}
	c.shareFrom = -1
	if s.Has("share_index") {
		v := s.Int("share_index", 0)
		idx := v
		if v < 0 {
			idx = l.Index + v
		}
		if idx < 0 || idx >= l.Index {
			return s.Errorf("share_index", "refers to layer %d, which is not an earlier layer", idx)
		}
		src, ok := b.layers[idx].op.(*convolutional)
		if !ok {
			return s.Errorf("share_index", "layer %d is a %s, not a convolutional layer", idx, b.layers[idx].Type)
		}
		if src.shareFrom >= 0 {
			idx = src.shareFrom
		}
		c.shareFrom = idx
	}
	for _, k := range []string{"binary", "xnor", "sway", "rotate", "stretch", "stretch_sway", "antialiasing", "assisted_excitation", "coordconv"} {
		if s.Has(k) && s.Float(k, 0) != 0 {
			// The shapes are still right, so summaries work; running is refused.
			l.unsupported = s.Errorf(k, "%s=%s is not supported by darkgo", k, s.String(k, ""))
		}
	}
	consume(s, "bin_output", "flipped", "dot", "angle", "grad_centr", "reverse", "stream", "wait_stream",
		"learning_rate", "stopbackward", "train_only_bn", "dont_update", "burnin_update")

	for key, v := range map[string]int{"filters": c.filters, "groups": c.groups, "size": c.size,
		"stride": min(c.strideX, c.strideY), "dilation": c.dilation} {
		if err := positive(s, key, v); err != nil {
			return err
		}
	}
	if c.padding < 0 || c.padding > maxDim {
		return s.Errorf("padding", "must be between 0 and %d, got %d", maxDim, c.padding)
	}
	if err := checkShape(l.In); err != nil {
		if l.In == (Shape{}) {
			// Darknet's route gives 0x0x0 when it joins layers of different
			// sizes, which is what a network size that is not a multiple of
			// the network's total stride produces.
			return fmt.Errorf("input is empty (0x0x0): a [route] joins layers of different sizes; is the network size %dx%d a multiple of the network's stride (32 for YOLO)?", b.net.Input.W, b.net.Input.H)
		}
		return fmt.Errorf("input %v: %v (the layer before a convolutional layer must output an image)", l.In, err)
	}
	if l.In.C%c.groups != 0 || c.filters%c.groups != 0 {
		return s.Errorf("groups", "groups=%d must divide both the input channels (%d) and filters (%d)", c.groups, l.In.C, c.filters)
	}
	outH := (l.In.H+2*c.padding-c.size)/c.strideY + 1
	outW := (l.In.W+2*c.padding-c.size)/c.strideX + 1
	if outH <= 0 || outW <= 0 {
		return fmt.Errorf("output is empty: input %v with size=%d padding=%d", l.In, c.size, c.padding)
	}
	// Darknet's im2col pads by padding*dilation and spans dilation*(size-1)+1
	// pixels. Unless that yields the same output size as the line above,
	// Darknet writes out of bounds; such a cfg has no defined result.
	span := c.dilation*(c.size-1) + 1
	if (l.In.H+2*c.padding*c.dilation-span)/c.strideY+1 != outH || (l.In.W+2*c.padding*c.dilation-span)/c.strideX+1 != outW {
		return s.Errorf("dilation", "dilation=%d with size=%d and padding=%d is inconsistent (Darknet corrupts memory here); use pad=1", c.dilation, c.size, c.padding)
	}
	c.out = Shape{C: c.filters, H: outH, W: outW}
	l.Out = c.out
	nweights := (l.In.C / c.groups) * c.filters * c.size * c.size
	bflops := 2 * float64(nweights) * float64(outH*outW) / 1e9
	if s.Int("xnor", 0) != 0 {
		bflops /= 32 // Darknet counts a binary (XNOR) conv as 1/32 of a float one
	}
	l.BFLOPs = float64(float32(bflops))
	if c.shareFrom < 0 {
		l.Params = c.filters + nweights
		if c.bn {
			l.Params += 3 * c.filters
		}
	}
	l.op = c
	return nil
}

func (c *convolutional) nweights() int { return (c.in.C / c.groups) * c.filters * c.size * c.size }

func (c *convolutional) params() []param {
	if c.shareFrom >= 0 {
		return nil
	}
	ps := []param{{"biases", c.filters, &c.biases}}
	if c.bn {
		ps = append(ps, param{"scales", c.filters, &c.scales},
			param{"rolling_mean", c.filters, &c.mean},
			param{"rolling_variance", c.filters, &c.variance})
	}
	return append(ps, param{"weights", c.nweights(), &c.weights})
}

func (c *convolutional) prepare(n *Net) error {
	if c.shareFrom < 0 {
		return nil
	}
	src, ok := n.Layers[c.shareFrom].op.(*convolutional)
	if !ok || src.nweights() != c.nweights() || src.filters != c.filters || src.bn != c.bn {
		return errors.New("share_index names a layer with different parameter shapes")
	}
	c.biases, c.scales, c.mean, c.variance, c.weights = src.biases, src.scales, src.mean, src.variance, src.weights
	return nil
}

// validRange is the range [lo, hi) of output positions o < n whose input
// position o*stride+d lies in [0, size).
func validRange(d, stride, size, n int) (lo, hi int) {
	if d < 0 {
		lo = (-d + stride - 1) / stride
	}
	hi = n
	if size-1-d < 0 {
		return lo, lo
	}
	hi = min(hi, (size-1-d)/stride+1)
	return lo, max(hi, lo)
}

// forward is a direct convolution: for each output plane, accumulate every
// (input channel, kernel tap) as a shifted, strided copy of the input plane.
func (c *convolutional) forward(ins [][]float32, out []float32) {
	in := ins[0]
	h, w := c.in.H, c.in.W
	oh, ow := c.out.H, c.out.W
	cpg := c.in.C / c.groups
	fpg := c.filters / c.groups
	pad := c.padding * c.dilation
	for f := 0; f < c.filters; f++ {
		g := f / fpg
		o := out[f*oh*ow : (f+1)*oh*ow]
		clear(o)
		for ci := 0; ci < cpg; ci++ {
			plane := in[(g*cpg+ci)*h*w : (g*cpg+ci+1)*h*w]
			for ky := 0; ky < c.size; ky++ {
				for kx := 0; kx < c.size; kx++ {
					wv := c.weights[((f*cpg+ci)*c.size+ky)*c.size+kx]
					// Input column of output column ox: ox*strideX + dx. Only
					// the outputs whose input column is inside the image get
					// a contribution (outside is zero padding).
					dx := kx*c.dilation - pad
					lo, hi := validRange(dx, c.strideX, w, ow)
					for oy := 0; oy < oh; oy++ {
						iy := oy*c.strideY - pad + ky*c.dilation
						if iy < 0 || iy >= h {
							continue
						}
						row := plane[iy*w : (iy+1)*w]
						orow := o[oy*ow : (oy+1)*ow]
						for ox := lo; ox < hi; ox++ {
							orow[ox] += wv * row[ox*c.strideX+dx]
						}
					}
				}
			}
		}
		if c.bn {
			sd := float32(math.Sqrt(float64(c.variance[f] + bnEpsilon)))
			for i := range o {
				o[i] = (o[i]-c.mean[f])/sd*c.scales[f] + c.biases[f]
			}
		} else {
			for i := range o {
				o[i] += c.biases[f]
			}
		}
	}
	activateArray(out, c.act, c.filters, oh*ow)
}
