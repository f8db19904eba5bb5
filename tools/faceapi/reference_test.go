package faceapi

// A self-contained Darknet forward of the converted face model, written from
// Darknet's documented semantics (../shared/golden/README.md) for the few
// layer types the cfg uses. It validates the converter on its own: the cfg is
// read as Darknet reads it, the weights in Darknet's order, and the output must
// match face-api's. The engine-based test (engine_test.go) checks darkgo itself.

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"strconv"
	"strings"
)

// section is one [type] block of a cfg, keys in a map.
type section struct {
	typ  string
	line int
	kv   map[string]string
}

// readCfg reads a Darknet cfg: '#' and ';' start comment lines, spaces are
// dropped, sections are [name], entries key=value.
func readCfg(path string) ([]section, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var secs []section
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		l := strings.Join(strings.Fields(sc.Text()), "")
		switch {
		case l == "" || l[0] == '#' || l[0] == ';':
		case l[0] == '[' && l[len(l)-1] == ']':
			secs = append(secs, section{typ: l[1 : len(l)-1], line: n, kv: map[string]string{}})
		default:
			k, v, ok := strings.Cut(l, "=")
			if !ok || len(secs) == 0 {
				return nil, fmt.Errorf("%s:%d: bad line %q", path, n, l)
			}
			secs[len(secs)-1].kv[k] = v
		}
	}
	return secs, sc.Err()
}

func (s section) int(key string, def int) (int, error) {
	v, ok := s.kv[key]
	if !ok {
		return def, nil
	}
	i, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("line %d: [%s] %s: %v", s.line, s.typ, key, err)
	}
	return i, nil
}

// tensor is a CHW float32 array.
type tensor struct {
	c, h, w int
	d       []float32
}

func (t *tensor) at(c, y, x int) float32 { return t.d[(c*t.h+y)*t.w+x] }

// refConv is Darknet's [convolutional] without batch_normalize.
type refConv struct {
	filters, size, stride, padding, groups int
	act                                    string
	biases, weights                        []float32
}

func (l *refConv) forward(in *tensor) *tensor {
	oh := (in.h+2*l.padding-l.size)/l.stride + 1
	ow := (in.w+2*l.padding-l.size)/l.stride + 1
	out := &tensor{c: l.filters, h: oh, w: ow, d: make([]float32, l.filters*oh*ow)}
	cg := in.c / l.groups
	fg := l.filters / l.groups
	for f := 0; f < l.filters; f++ {
		c0 := f / fg * cg
		o := out.d[f*oh*ow : (f+1)*oh*ow]
		// Accumulate weight by weight over the whole output plane: the same
		// sum as the textbook loop, in an order that runs fast in plain Go.
		for c := 0; c < cg; c++ {
			plane := in.d[(c0+c)*in.h*in.w : (c0+c+1)*in.h*in.w]
			for i := 0; i < l.size; i++ {
				for j := 0; j < l.size; j++ {
					wv := l.weights[((f*cg+c)*l.size+i)*l.size+j]
					// output columns x whose input column x*stride+j-padding is inside
					x0 := max(0, (l.padding-j+l.stride-1)/l.stride)
					x1 := min(ow, (in.w-1+l.padding-j)/l.stride+1)
					for y := 0; y < oh; y++ {
						iy := y*l.stride + i - l.padding
						if iy < 0 || iy >= in.h {
							continue
						}
						row := plane[iy*in.w : (iy+1)*in.w]
						orow := o[y*ow : (y+1)*ow]
						for x := x0; x < x1; x++ {
							orow[x] += wv * row[x*l.stride+j-l.padding]
						}
					}
				}
			}
		}
		for k := range o {
			s := o[k] + l.biases[f]
			if l.act == "leaky" && s <= 0 {
				s *= 0.1
			}
			o[k] = s
		}
	}
	return out
}

// refMaxpool is Darknet's [maxpool]: padding defaults to size-1, windows start
// at -padding/2, positions outside the input are ignored.
type refMaxpool struct{ size, stride, padding int }

func (l *refMaxpool) forward(in *tensor) *tensor {
	oh := (in.h+l.padding-l.size)/l.stride + 1
	ow := (in.w+l.padding-l.size)/l.stride + 1
	off := -l.padding / 2
	out := &tensor{c: in.c, h: oh, w: ow, d: make([]float32, in.c*oh*ow)}
	for c := 0; c < in.c; c++ {
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				m := float32(-math.MaxFloat32)
				for i := 0; i < l.size; i++ {
					for j := 0; j < l.size; j++ {
						iy, ix := off+y*l.stride+i, off+x*l.stride+j
						if iy >= 0 && iy < in.h && ix >= 0 && ix < in.w && in.at(c, iy, ix) > m {
							m = in.at(c, iy, ix)
						}
					}
				}
				out.d[(c*oh+y)*ow+x] = m
			}
		}
	}
	return out
}

// refRegion holds the [region] parameters the decoding needs.
type refRegion struct {
	classes, coords, num int
	anchors              []float64
}

// refNet is the converted model as Darknet would build it.
type refNet struct {
	w, h, c int
	layers  []any // *refConv or *refMaxpool
	region  *refRegion
}

// loadRefNet reads cfg + weights with Darknet's rules for the layer types the
// face model uses and fails on anything else.
func loadRefNet(cfgPath, weightsPath string) (*refNet, error) {
	secs, err := readCfg(cfgPath)
	if err != nil {
		return nil, err
	}
	if len(secs) == 0 || secs[0].typ != "net" {
		return nil, fmt.Errorf("%s: first section is not [net]", cfgPath)
	}
	wdata, err := os.ReadFile(weightsPath)
	if err != nil {
		return nil, err
	}
	if len(wdata) < 20 {
		return nil, fmt.Errorf("%s: short header", weightsPath)
	}
	major := int32(binary.LittleEndian.Uint32(wdata[0:]))
	minor := int32(binary.LittleEndian.Uint32(wdata[4:]))
	off := 20 // int32 major, minor, revision + uint64 seen
	if major*10+minor < 2 || major >= 1000 || minor >= 1000 {
		off = 16 // uint32 seen
	}
	take := func(n int) ([]float32, error) {
		if len(wdata)-off < 4*n {
			return nil, fmt.Errorf("%s: short at byte %d", weightsPath, off)
		}
		f := make([]float32, n)
		for i := range f {
			f[i] = math.Float32frombits(binary.LittleEndian.Uint32(wdata[off+4*i:]))
		}
		off += 4 * n
		return f, nil
	}
	net := &refNet{}
	if net.w, err = secs[0].int("width", 0); err != nil {
		return nil, err
	}
	if net.h, err = secs[0].int("height", 0); err != nil {
		return nil, err
	}
	if net.c, err = secs[0].int("channels", 0); err != nil {
		return nil, err
	}
	c := net.c
	for _, s := range secs[1:] {
		geti := func(key string, def int) int {
			if err != nil {
				return 0
			}
			var v int
			v, err = s.int(key, def)
			return v
		}
		switch s.typ {
		case "convolutional":
			l := &refConv{
				filters: geti("filters", 1), size: geti("size", 1), stride: geti("stride", 1),
				groups: geti("groups", 1), act: s.kv["activation"],
			}
			l.padding = geti("padding", 0)
			if geti("pad", 0) != 0 {
				l.padding = l.size / 2
			}
			if err != nil {
				return nil, err
			}
			if geti("batch_normalize", 0) != 0 || (l.act != "leaky" && l.act != "linear") || c%l.groups != 0 || l.filters%l.groups != 0 {
				return nil, fmt.Errorf("%s:%d: unsupported convolutional", cfgPath, s.line)
			}
			if l.biases, err = take(l.filters); err != nil {
				return nil, err
			}
			if l.weights, err = take(l.filters * c / l.groups * l.size * l.size); err != nil {
				return nil, err
			}
			net.layers = append(net.layers, l)
			c = l.filters
		case "maxpool":
			l := &refMaxpool{size: geti("size", 1)}
			l.stride = geti("stride", 1)
			l.padding = geti("padding", l.size-1)
			if err != nil {
				return nil, err
			}
			net.layers = append(net.layers, l)
		case "region":
			r := &refRegion{classes: geti("classes", 20), coords: geti("coords", 4), num: geti("num", 1)}
			if err != nil {
				return nil, err
			}
			for _, a := range strings.Split(s.kv["anchors"], ",") {
				v, perr := strconv.ParseFloat(a, 32)
				if perr != nil {
					return nil, fmt.Errorf("%s:%d: anchors: %v", cfgPath, s.line, perr)
				}
				r.anchors = append(r.anchors, v)
			}
			if len(r.anchors) != 2*r.num || c != r.num*(r.coords+1+r.classes) {
				return nil, fmt.Errorf("%s:%d: region does not fit its input (%d channels)", cfgPath, s.line, c)
			}
			net.region = r
		default:
			return nil, fmt.Errorf("%s:%d: unsupported layer [%s]", cfgPath, s.line, s.typ)
		}
	}
	if off != len(wdata) {
		return nil, fmt.Errorf("%s: %d bytes left after the last layer", weightsPath, len(wdata)-off)
	}
	if net.region == nil {
		return nil, fmt.Errorf("%s: no [region]", cfgPath)
	}
	return net, nil
}

// forward returns the output of the last convolutional layer (the [region]
// input), CHW.
func (n *refNet) forward(in *tensor) *tensor {
	t := in
	for _, l := range n.layers {
		switch l := l.(type) {
		case *refConv:
			t = l.forward(t)
		case *refMaxpool:
			t = l.forward(t)
		}
	}
	return t
}

// loadPNGInput reads an 8-bit RGB PNG as Darknet's network input: CHW, /255.
func loadPNGInput(path string) (*tensor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	rgba, ok := img.(*image.RGBA)
	if !ok {
		// The PNGs are 8-bit RGB, which image/png returns as *image.RGBA.
		return nil, fmt.Errorf("%s: decoded as %T, want *image.RGBA", path, img)
	}
	b := rgba.Bounds()
	t := &tensor{c: 3, h: b.Dy(), w: b.Dx()}
	t.d = make([]float32, 3*t.h*t.w)
	for y := 0; y < t.h; y++ {
		for x := 0; x < t.w; x++ {
			p := rgba.PixOffset(b.Min.X+x, b.Min.Y+y)
			for c := 0; c < 3; c++ {
				t.d[(c*t.h+y)*t.w+x] = float32(rgba.Pix[p+c]) / 255
			}
		}
	}
	return t, nil
}
