package engine

import (
	"fmt"
	"math"

	"github.com/darkgo/darkgo/cfgparse"
)

// pool2d is the window geometry shared by [maxpool] and [local_avgpool]
// (Darknet builds both with make_maxpool_layer, src/maxpool_layer.c).
//
// Darknet's pooling padding is the TOTAL padding of both sides: the output is
// (in + padding - size)/stride + 1 and the first window starts at
// -padding/2. Window positions outside the input are skipped, never read as
// zeros.
type pool2d struct {
	size, strideX, strideY, padding int
	in, out                         Shape
}

// readPool2d reads the options parse_maxpool and parse_local_avgpool have in
// common, with their defaults: stride 1, stride_x/stride_y = stride,
// size = stride, padding = size-1.
func readPool2d(s *cfgparse.Section, in Shape) (pool2d, error) {
	stride := s.Int("stride", 1)
	p := pool2d{in: in}
	p.strideX = s.Int("stride_x", stride)
	p.strideY = s.Int("stride_y", stride)
	p.size = s.Int("size", stride)
	p.padding = s.Int("padding", p.size-1)
	for key, v := range map[string]int{"stride_x": p.strideX, "stride_y": p.strideY, "size": p.size} {
		if err := positive(s, key, v); err != nil {
			return p, err
		}
	}
	if p.padding < 0 || p.padding > maxDim {
		return p, s.Errorf("padding", "must be between 0 and %d, got %d", maxDim, p.padding)
	}
	return p, nil
}

// geometry computes the strided output size. Like Darknet's C code it
// truncates toward zero, so a window larger than the padded input can still
// give one output.
func (p *pool2d) geometry() error {
	if err := checkShape(p.in); err != nil {
		return fmt.Errorf("input %v: %v (the layer before a pooling layer must output an image)", p.in, err)
	}
	oh := (p.in.H+p.padding-p.size)/p.strideY + 1
	ow := (p.in.W+p.padding-p.size)/p.strideX + 1
	if oh <= 0 || ow <= 0 {
		return fmt.Errorf("output is empty: input %v with size=%d padding=%d", p.in, p.size, p.padding)
	}
	p.out = Shape{C: p.in.C, H: oh, W: ow}
	return nil
}

// bflops is Darknet's size*size*c*out_h*out_w/1e9 (c is the INPUT channel
// count, also for maxpool_depth), kept at float precision.
func (p *pool2d) bflops(outH, outW int) float64 {
	return float64(float32(float64(p.size*p.size*p.in.C*outH*outW) / 1e9))
}

// maxpool is Darknet's [maxpool] / [max] layer.
type maxpool struct {
	pool2d
	depth       bool // maxpool_depth=1: max across channel groups instead of space
	outChannels int
	fused       bool // computed by the layer before it (fuse.go)
}

func init() { register("maxpool", buildMaxpool) }

func buildMaxpool(b *buildState, s *cfgparse.Section, l *Layer) error {
	p, err := readPool2d(s, l.In)
	if err != nil {
		return err
	}
	m := &maxpool{pool2d: p}
	m.depth = s.Int("maxpool_depth", 0) != 0
	m.outChannels = s.Int("out_channels", 1)
	antialiasing := s.Int("antialiasing", 0)
	consume(s, "maxpool_zero_nonmax") // only used by Darknet's GPU training path
	if m.depth {
		if err := positive(s, "out_channels", m.outChannels); err != nil {
			return err
		}
	}
	if antialiasing != 0 {
		// Darknet pools with stride 1 and then blurs with a fixed depthwise
		// conv of the requested stride (a second, hidden layer).
		m.strideX, m.strideY = 1, 1
	}
	if m.depth {
		// Channels k = g, g+out_channels, ... are reduced into channel g; the
		// spatial size is unchanged whatever size/stride/padding say.
		if err := checkShape(l.In); err != nil {
			return fmt.Errorf("input %v: %v (the layer before a pooling layer must output an image)", l.In, err)
		}
		m.out = Shape{C: m.outChannels, H: l.In.H, W: l.In.W}
	} else if err := m.geometry(); err != nil {
		return err
	}
	l.Out = m.out
	l.BFLOPs = m.bflops(m.out.H, m.out.W)
	if antialiasing != 0 {
		// The next layer sees the blur's output (parse_network_cfg takes
		// params from l.input_layer), so that is this layer's Out.
		blurSize, blurPad := 3, 1
		if antialiasing == 2 {
			blurSize, blurPad = 2, 0
		}
		l.Out = Shape{C: m.out.C,
			H: (m.out.H+2*blurPad-blurSize)/p.strideY + 1,
			W: (m.out.W+2*blurPad-blurSize)/p.strideX + 1}
		if err := checkShape(l.Out); err != nil {
			return fmt.Errorf("antialiasing output %v: %v", l.Out, err)
		}
		l.unsupported = s.Errorf("antialiasing", "antialiasing=%d is not supported by darkgo", antialiasing)
	}
	l.op = m
	return nil
}

func (m *maxpool) params() []param { return nil }

// forward reproduces Darknet's CPU maxpool as built for x86 with AVX (the
// build the golden data comes from): the plain window maximum over in-range
// positions (a window with none yields -FLT_MAX), except where
// forward_maxpool_layer_avx (src/gemm.c) takes its vector paths, which this
// mirrors lane by lane (see maxBlock8 and maxBlock4x2).
func (m *maxpool) forward(ins [][]float32, out []float32) {
	in := ins[0]
	h, w := m.in.H, m.in.W
	plane := h * w
	if m.depth {
		for g := 0; g < m.out.C; g++ {
			for i := 0; i < plane; i++ {
				v := float32(-math.MaxFloat32)
				for k := g; k < m.in.C; k += m.out.C {
					// A plain comparison, not max(): Darknet never selects a NaN.
					if x := in[k*plane+i]; x > v {
						v = x
					}
				}
				out[g*plane+i] = v
			}
		}
		return
	}
	oh, ow := m.out.H, m.out.W
	for k := 0; k < m.in.C; k++ {
		dst := out[k*oh*ow : (k+1)*oh*ow]
		for oy := 0; oy < oh; oy++ {
			row := dst[oy*ow : (oy+1)*ow]
			ox := 0
			// Darknet uses the AVX routine only when stride_x == stride_y.
			if m.strideX == 1 && m.strideY == 1 {
				for ; ox < ow-8-(m.size-1); ox += 8 {
					m.maxBlock8(in, k, oy, ox, row[ox:ox+8])
				}
			} else if m.size == 2 && m.strideX == 2 && m.strideY == 2 {
				for ; ox < ow-4; ox += 4 {
					m.maxBlock4x2(in, k, oy, ox, row[ox:ox+4])
				}
			}
			for ; ox < ow; ox++ {
				row[ox] = m.windowMax(in, k, oy, ox)
			}
		}
	}
}

// windowMax is the scalar maximum of one window over its in-range positions.
func (m *maxpool) windowMax(in []float32, k, oy, ox int) float32 {
	h, w := m.in.H, m.in.W
	off := -m.padding / 2
	v := float32(-math.MaxFloat32)
	for dy := 0; dy < m.size; dy++ {
		y := off + oy*m.strideY + dy
		if y < 0 || y >= h {
			continue
		}
		for dx := 0; dx < m.size; dx++ {
			x := off + ox*m.strideX + dx
			if x >= 0 && x < w && in[(k*h+y)*w+x] > v {
				v = in[(k*h+y)*w+x]
			}
		}
	}
	return v
}

// maxBlock8 is Darknet's stride-1 AVX path: 8 neighbouring outputs at once.
// For each window offset it checks only lane 0's position; if that is out
// of range (left padding of the first block) the offset is skipped for all
// 8 lanes, so outputs 1..7 of the row's first block miss the window columns
// left of x=0's lane-0 position... i.e. they ignore some in-range inputs.
// In-range lanes read 8 consecutive floats of the flat input.
func (m *maxpool) maxBlock8(in []float32, k, oy, ox int, dst []float32) {
	h, w := m.in.H, m.in.W
	off := -m.padding / 2
	var v [8]float32
	for i := range v {
		v[i] = -math.MaxFloat32
	}
	for dy := 0; dy < m.size; dy++ {
		y := off + oy + dy
		for dx := 0; dx < m.size; dx++ {
			x := off + ox + dx
			if y < 0 || y >= h || x < 0 || x >= w {
				continue
			}
			base := (k*h+y)*w + x
			for i := range v {
				// With padding > 2*size the lanes run past the row (Darknet
				// reads on into the next one); past the whole tensor it is
				// undefined behaviour in Darknet and skipped here.
				if base+i < len(in) && in[base+i] > v[i] {
					v[i] = in[base+i]
				}
			}
		}
	}
	copy(dst, v[:])
}

// maxBlock4x2 is Darknet's size-2 stride-2 AVX path: 4 outputs from 8
// consecutive inputs per window row, taking only lane 0's position into
// account (like maxBlock8): with padding >= 2 the row's first block sees
// every window row as out of range and yields -FLT_MAX.
func (m *maxpool) maxBlock4x2(in []float32, k, oy, ox int, dst []float32) {
	h, w := m.in.H, m.in.W
	off := -m.padding / 2
	var v [4]float32
	for i := range v {
		v[i] = -math.MaxFloat32
	}
	x := off + 2*ox
	for dy := 0; dy < 2; dy++ {
		y := off + 2*oy + dy
		if y < 0 || y >= h || x < 0 || x >= w {
			continue
		}
		base := (k*h+y)*w + x
		for i := range v {
			var a, b float32
			if j := base + 2*i; j+1 < len(in) {
				a, b = in[j], in[j+1]
			} else {
				continue
			}
			// _mm256_max_ps(a, b) is a > b ? a : b.
			p := b
			if a > b {
				p = a
			}
			if p > v[i] {
				v[i] = p
			}
		}
	}
	copy(dst, v[:])
}
