// Command convert imports face-api's tiny face detector (the npm package
// @vladmandic/face-api, MIT) into a Darknet cfg + weights pair.
//
// Usage, from the repository root:
//
//	go run ./tools/faceapi/convert -model testdata/faceapi/model -out cfg
//
// It writes cfg/tiny-face.cfg, cfg/tiny-face.weights and cfg/face.names. The
// output depends only on the two model files, so running it again reproduces
// the committed files byte for byte (a test checks this).
//
// The network (face-api src/tinyYolov2/TinyYolov2Base.ts, runMobilenet, with
// the TinyFaceDetector config) and how each part maps onto Darknet:
//
//   - input: face-api feeds (RGB - mean)/255; Darknet feeds RGB/255. conv0 uses
//     'valid' padding, so every tap of conv0 sees a real pixel and the mean
//     folds exactly into its bias: b' = b - Σ W·mean/255 (see foldMean).
//   - conv0 3×3 3→16 + bias, leaky 0.1 → [convolutional] pad=0.
//   - five depthwise-separable blocks: 3×3 depthwise (no bias, zero padding 1)
//     → [convolutional] groups=C filters=C size=3 pad=1 activation=linear with
//     zero biases; 1×1 pointwise + bias, leaky 0.1 → [convolutional] size=1.
//   - 2×2 max-pools, TF 'same' padding, stride 2 (stride 1 after the last
//     block). TF 'same' pads max(0,(out-1)·s+2-in) cells, the first half
//     (rounded down, here always 0) before; Darknet's maxpool pads size-1 = 1
//     and starts windows at -1/2 = 0. Both give out = ceil(in/s) with windows
//     at 0, s, 2s, ... and ignore cells past the edge: the same operator.
//   - conv8 1×1 512→25 + bias, linear: 5 anchors × (tx, ty, tw, th, score).
//     Darknet's [region] wants coords+1+classes = 6 values per anchor, so a
//     sixth, constant channel (zero weights and bias) is inserted per anchor:
//     the softmax over one class is 1, and prob = σ(score)·1 as in face-api.
//   - [region] decodes x = (col+σ(tx))/w, y = (row+σ(ty))/h,
//     w = exp(tw)·anchor_w/w, h = exp(th)·anchor_h/h (anchors in grid cells),
//     which is face-api's extractBoxes on a square input.
//
// Weights are uint8-quantized per tensor: value = min + scale·q, as
// TensorFlow.js decodeWeights computes it (in float64, stored as float32).
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
)

const (
	manifestName = "tiny_face_detector_model-weights_manifest.json"
	baseName     = "tiny-face"
	numAnchors   = 5
	// face-api's TinyFaceDetector constants (src/tinyFaceDetector/const.ts).
	iouThreshold   = 0.4
	scoreThreshold = 0.5
)

var (
	// meanRGB is subtracted from 0..255 pixels before the /255 (MEAN_RGB).
	meanRGB = [3]float64{117.001, 114.697, 97.404}
	// anchors in grid cells (BOX_ANCHORS), (width, height) pairs.
	anchors = [numAnchors][2]float64{
		{1.603231, 2.094468},
		{6.041143, 7.080126},
		{2.882459, 3.518061},
		{4.266906, 5.178857},
		{9.041765, 10.66308},
	}
	// blockFilters are the outputs of the five separable blocks; conv0 has 16.
	blockFilters = []int{32, 64, 128, 256, 512}
)

func main() {
	modelDir := flag.String("model", "testdata/faceapi/model", "directory holding "+manifestName+" and its .bin")
	outDir := flag.String("out", "cfg", "directory to write "+baseName+".cfg, "+baseName+".weights and face.names to")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: convert [-model DIR] [-out DIR]")
		os.Exit(2)
	}
	files, err := convert(*modelDir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "convert:", err)
		os.Exit(1)
	}
	for _, f := range files {
		p := filepath.Join(*outDir, f.name)
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "convert:", err)
			os.Exit(1)
		}
		fmt.Printf("wrote %s (%d bytes)\n", p, len(f.data))
	}
}

type outFile struct {
	name string
	data []byte
}

// convert reads the face-api model in dir and returns the files to write.
func convert(dir string) ([]outFile, error) {
	manifestPath := filepath.Join(dir, manifestName)
	manifestBytes, err := os.ReadFile(manifestPath)
	if err != nil {
		return nil, err
	}
	tensors, binName, binBytes, err := readModel(manifestPath, manifestBytes, dir)
	if err != nil {
		return nil, err
	}
	net, err := buildNet(tensors)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", manifestPath, err)
	}
	src := sourceInfo{
		manifest: manifestName, manifestSHA: sha(manifestBytes),
		bin: binName, binSHA: sha(binBytes),
	}
	return []outFile{
		{baseName + ".cfg", net.cfg(src)},
		{baseName + ".weights", net.weights()},
		{"face.names", []byte("face\n")},
	}, nil
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// tensor is one dequantized weight array with its TensorFlow shape.
type tensor struct {
	shape []int
	data  []float32
}

type manifestGroup struct {
	Paths   []string `json:"paths"`
	Weights []struct {
		Name         string `json:"name"`
		Shape        []int  `json:"shape"`
		Dtype        string `json:"dtype"`
		Quantization *struct {
			Dtype string  `json:"dtype"`
			Scale float64 `json:"scale"`
			Min   float64 `json:"min"`
		} `json:"quantization"`
	} `json:"weights"`
}

// readModel decodes a TensorFlow.js weights manifest (one group, one shard, as
// face-api ships it) and its binary shard.
func readModel(manifestPath string, manifestBytes []byte, dir string) (map[string]tensor, string, []byte, error) {
	var groups []manifestGroup
	if err := json.Unmarshal(manifestBytes, &groups); err != nil {
		return nil, "", nil, fmt.Errorf("%s: %w", manifestPath, err)
	}
	if len(groups) != 1 || len(groups[0].Paths) != 1 {
		return nil, "", nil, fmt.Errorf("%s: want one weight group with one shard, have %d groups", manifestPath, len(groups))
	}
	g := groups[0]
	binName := g.Paths[0]
	if filepath.Base(binName) != binName {
		return nil, "", nil, fmt.Errorf("%s: shard path %q leaves the model directory", manifestPath, binName)
	}
	binPath := filepath.Join(dir, binName)
	bin, err := os.ReadFile(binPath)
	if err != nil {
		return nil, "", nil, err
	}
	tensors := make(map[string]tensor)
	off := 0
	for _, w := range g.Weights {
		n := 1
		for _, d := range w.Shape {
			if d <= 0 || d > 1<<20 {
				return nil, "", nil, fmt.Errorf("%s: %s: bad shape %v", manifestPath, w.Name, w.Shape)
			}
			n *= d
		}
		if w.Dtype != "float32" {
			return nil, "", nil, fmt.Errorf("%s: %s: dtype %q, want float32", manifestPath, w.Name, w.Dtype)
		}
		data := make([]float32, n)
		switch {
		case w.Quantization == nil:
			if len(bin)-off < 4*n {
				return nil, "", nil, fmt.Errorf("%s: %s: shard too short", binPath, w.Name)
			}
			for i := range data {
				data[i] = math.Float32frombits(binary.LittleEndian.Uint32(bin[off+4*i:]))
			}
			off += 4 * n
		case w.Quantization.Dtype == "uint8":
			if len(bin)-off < n {
				return nil, "", nil, fmt.Errorf("%s: %s: shard too short", binPath, w.Name)
			}
			q := w.Quantization
			for i := range data {
				// TensorFlow.js: values[i] = q*scale + min in float64, stored
				// to a Float32Array. The explicit float64() conversion keeps
				// Go from fusing the multiply-add (FMA), which JS never does.
				data[i] = float32(float64(float64(bin[off+i])*q.Scale) + q.Min)
			}
			off += n
		default:
			return nil, "", nil, fmt.Errorf("%s: %s: unsupported quantization %q", manifestPath, w.Name, w.Quantization.Dtype)
		}
		if _, dup := tensors[w.Name]; dup {
			return nil, "", nil, fmt.Errorf("%s: %s listed twice", manifestPath, w.Name)
		}
		tensors[w.Name] = tensor{shape: w.Shape, data: data}
	}
	if off != len(bin) {
		return nil, "", nil, fmt.Errorf("%s: %d bytes, the manifest describes %d", binPath, len(bin), off)
	}
	return tensors, binName, bin, nil
}

// conv is one Darknet [convolutional] layer without batch normalization:
// weights in Darknet order [filters][c/groups][size][size].
type conv struct {
	comment         string
	filters, size   int
	pad, groups     int
	activation      string
	biases, weights []float32
}

// layer is a conv or, when conv is nil, a 2×2 maxpool with the given stride.
type layer struct {
	conv       *conv
	poolStride int
}

type network struct{ layers []layer }

// get returns the named tensor after checking its TensorFlow shape.
func get(tensors map[string]tensor, name string, shape ...int) ([]float32, error) {
	t, ok := tensors[name]
	if !ok {
		return nil, fmt.Errorf("tensor %s missing", name)
	}
	if fmt.Sprint(t.shape) != fmt.Sprint(shape) {
		return nil, fmt.Errorf("tensor %s has shape %v, want %v", name, t.shape, shape)
	}
	return t.data, nil
}

// fromHWIO reorders a TensorFlow conv filter [kh][kw][in][out] into Darknet's
// [out][in][kh][kw].
func fromHWIO(w []float32, k, in, out int) []float32 {
	d := make([]float32, len(w))
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			for c := 0; c < in; c++ {
				for o := 0; o < out; o++ {
					d[((o*in+c)*k+i)*k+j] = w[((i*k+j)*in+c)*out+o]
				}
			}
		}
	}
	return d
}

// fromDepthwise reorders a TensorFlow depthwise filter [kh][kw][c][1] into
// Darknet's grouped layout [c][1][kh][kw].
func fromDepthwise(w []float32, k, c int) []float32 {
	d := make([]float32, len(w))
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			for ch := 0; ch < c; ch++ {
				d[(ch*k+i)*k+j] = w[(i*k+j)*c+ch]
			}
		}
	}
	return d
}

// foldMean returns conv0's bias for an input of RGB/255 instead of
// (RGB-mean)/255: out = b + Σ W·(x - m) = (b - Σ W·m) + Σ W·x, exact because
// 'valid' padding never lets a tap fall on padding. w is in Darknet order.
func foldMean(w, b []float32, in, k int) []float32 {
	out := make([]float32, len(b))
	for o := range b {
		s := float64(b[o])
		for c := 0; c < in; c++ {
			m := meanRGB[c] / 255
			for t := 0; t < k*k; t++ {
				s -= float64(w[(o*in+c)*k*k+t]) * m
			}
		}
		out[o] = float32(s)
	}
	return out
}

func buildNet(tensors map[string]tensor) (*network, error) {
	var net network
	w0, err := get(tensors, "conv0/filters", 3, 3, 3, 16)
	if err != nil {
		return nil, err
	}
	b0, err := get(tensors, "conv0/bias", 16)
	if err != nil {
		return nil, err
	}
	w0 = fromHWIO(w0, 3, 3, 16)
	net.layers = append(net.layers,
		layer{conv: &conv{
			comment: "conv0: 3x3 3->16, 'valid' padding; face-api's input mean folded into the biases",
			filters: 16, size: 3, pad: 0, groups: 1, activation: "leaky",
			biases: foldMean(w0, b0, 3, 3), weights: w0,
		}},
		layer{poolStride: 2})
	in := 16
	for bi, out := range blockFilters {
		name := fmt.Sprintf("conv%d", bi+1)
		dw, err := get(tensors, name+"/depthwise_filter", 3, 3, in, 1)
		if err != nil {
			return nil, err
		}
		pw, err := get(tensors, name+"/pointwise_filter", 1, 1, in, out)
		if err != nil {
			return nil, err
		}
		pb, err := get(tensors, name+"/bias", out)
		if err != nil {
			return nil, err
		}
		stride := 2
		if bi == len(blockFilters)-1 {
			stride = 1
		}
		net.layers = append(net.layers,
			layer{conv: &conv{
				comment: fmt.Sprintf("%s depthwise 3x3 (%d channels, no bias)", name, in),
				filters: in, size: 3, pad: 1, groups: in, activation: "linear",
				biases: make([]float32, in), weights: fromDepthwise(dw, 3, in),
			}},
			layer{conv: &conv{
				comment: fmt.Sprintf("%s pointwise 1x1 %d->%d", name, in, out),
				filters: out, size: 1, pad: 0, groups: 1, activation: "leaky",
				biases: pb, weights: fromHWIO(pw, 1, in, out),
			}},
			layer{poolStride: stride})
		in = out
	}
	const perAnchor = 5 // tx, ty, tw, th, score
	w8, err := get(tensors, "conv8/filters", 1, 1, in, numAnchors*perAnchor)
	if err != nil {
		return nil, err
	}
	b8, err := get(tensors, "conv8/bias", numAnchors*perAnchor)
	if err != nil {
		return nil, err
	}
	w8 = fromHWIO(w8, 1, in, numAnchors*perAnchor)
	const darknetPerAnchor = perAnchor + 1 // + one class
	c8 := &conv{
		comment: "conv8 1x1: per anchor tx, ty, tw, th, score and a constant class channel (zero weights and bias)",
		filters: numAnchors * darknetPerAnchor, size: 1, pad: 0, groups: 1, activation: "linear",
		biases:  make([]float32, numAnchors*darknetPerAnchor),
		weights: make([]float32, numAnchors*darknetPerAnchor*in),
	}
	for a := 0; a < numAnchors; a++ {
		for k := 0; k < perAnchor; k++ {
			src, dst := a*perAnchor+k, a*darknetPerAnchor+k
			c8.biases[dst] = b8[src]
			copy(c8.weights[dst*in:(dst+1)*in], w8[src*in:(src+1)*in])
		}
	}
	net.layers = append(net.layers, layer{conv: c8})
	if len(tensors) != 2+3*len(blockFilters)+2 {
		return nil, errors.New("the model has tensors this converter does not use")
	}
	for _, l := range net.layers {
		if l.conv == nil {
			continue
		}
		for _, v := range append(append([]float32(nil), l.conv.biases...), l.conv.weights...) {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, fmt.Errorf("%s: non-finite value", l.conv.comment)
			}
		}
	}
	return &net, nil
}

type sourceInfo struct{ manifest, manifestSHA, bin, binSHA string }

func (n *network) cfg(src sourceInfo) []byte {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("# tiny-face: face-api's TinyFaceDetector (a Tiny-YOLOv2 with depthwise-separable")
	p("# convolutions, trained on photos of faces) as a Darknet network. One class: face.")
	p("#")
	p("# Source: npm package @vladmandic/face-api 1.7.15, model/%s", src.bin)
	p("#   sha256 %s", src.binSHA)
	p("#   and model/%s", src.manifest)
	p("#   sha256 %s", src.manifestSHA)
	p("# Licence: MIT. Copyright (c) Vladimir Mandic; face-api.js Copyright (c) 2018")
	p("#   Vincent Mühler. The licence text is testdata/faceapi/model/LICENSE.")
	p("# Converted by: go run ./tools/faceapi/convert -model testdata/faceapi/model -out cfg")
	p("#   (uint8 weights dequantized; face-api's input mean folded into conv0's biases;")
	p("#   one constant class channel per anchor added to the last conv; see")
	p("#   tools/faceapi/README.md)")
	p("#")
	p("# face-api's defaults: score threshold %.2g (-thresh %.2g), NMS IoU %.2g (-nms %.2g).", scoreThreshold, scoreThreshold, iouThreshold, iouThreshold)
	p("# face-api pads a photo to a square (black, right/bottom) before resizing it to")
	p("# the input size; faces in very wide or tall photos are detected best on such a")
	p("# square input. Any width/height that is a multiple of 32 works.")
	p("")
	p("[net]")
	p("batch=1")
	p("subdivisions=1")
	p("width=416")
	p("height=416")
	p("channels=3")
	for _, l := range n.layers {
		p("")
		if l.conv == nil {
			p("[maxpool]")
			p("size=2")
			p("stride=%d", l.poolStride)
			continue
		}
		c := l.conv
		p("# %s", c.comment)
		p("[convolutional]")
		p("filters=%d", c.filters)
		p("size=%d", c.size)
		p("stride=1")
		p("pad=%d", c.pad)
		if c.groups != 1 {
			p("groups=%d", c.groups)
		}
		p("activation=%s", c.activation)
	}
	p("")
	p("[region]")
	var as []string
	for _, a := range anchors {
		as = append(as, fmt.Sprint(a[0]), fmt.Sprint(a[1]))
	}
	p("anchors=%s", strings.Join(as, ", "))
	p("bias_match=1")
	p("classes=1")
	p("coords=4")
	p("num=%d", numAnchors)
	p("softmax=1")
	return b.Bytes()
}

// weights serializes the network in Darknet's .weights format: int32 major=0,
// minor=2, revision=5, uint64 seen=0, then per [convolutional] layer (no batch
// normalization) biases[filters] and weights[filters][c/groups][size][size],
// all little-endian float32.
func (n *network) weights() []byte {
	var b bytes.Buffer
	hdr := []any{int32(0), int32(2), int32(5), uint64(0)}
	for _, v := range hdr {
		binary.Write(&b, binary.LittleEndian, v) // bytes.Buffer never fails
	}
	put := func(fs []float32) {
		var tmp [4]byte
		for _, f := range fs {
			binary.LittleEndian.PutUint32(tmp[:], math.Float32bits(f))
			b.Write(tmp[:])
		}
	}
	for _, l := range n.layers {
		if l.conv != nil {
			put(l.conv.biases)
			put(l.conv.weights)
		}
	}
	return b.Bytes()
}
