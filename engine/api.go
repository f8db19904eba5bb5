package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/darkgo/darkgo/cfgparse"
	"github.com/darkgo/darkgo/engine/detect"
)

// Load reads a Darknet cfg and its weights and prepares the network for
// inference: shapes are checked against the memory budget, batch-norm is
// folded, weights are packed for the GEMM kernel and the activation memory
// is planned. A nil weights reader loads deterministic synthetic weights
// (Options.Seed), which is enough for timing any cfg.
//
// The returned Net is immutable and safe for concurrent use by many
// goroutines.
func Load(cfg, weights io.Reader, opts *Options) (*Net, error) {
	if opts == nil {
		opts = &Options{}
	}
	cfgName, weightsName := opts.CfgName, opts.WeightsName
	if cfgName == "" {
		cfgName = "cfg"
	}
	if weightsName == "" {
		weightsName = "weights"
	}
	data, err := io.ReadAll(io.LimitReader(cfg, cfgparse.MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfgName, err)
	}
	c, err := cfgparse.Parse(cfgName, data)
	if err != nil {
		return nil, err
	}
	n, err := Build(c, opts)
	if err != nil {
		return nil, err
	}
	n.names = opts.Names
	if weights == nil {
		err = n.SyntheticWeights(opts.Seed)
	} else {
		err = n.LoadWeights(weights, weightsName)
	}
	if err != nil {
		return nil, err
	}
	return n, nil
}

// LoadFiles is Load on file paths. An empty weightsPath means synthetic
// weights.
func LoadFiles(cfgPath, weightsPath string, opts *Options) (*Net, error) {
	return LoadFS(osFS{}, cfgPath, weightsPath, opts)
}

// LoadFS is Load on files of an fs.FS, such as an embed.FS holding a
// bundled model.
func LoadFS(fsys fs.FS, cfgPath, weightsPath string, opts *Options) (*Net, error) {
	o := Options{}
	if opts != nil {
		o = *opts
	}
	o.CfgName, o.WeightsName = cfgPath, weightsPath
	cfg, err := fs.ReadFile(fsys, cfgPath)
	if err != nil {
		return nil, err
	}
	if weightsPath == "" {
		return Load(bytes.NewReader(cfg), nil, &o)
	}
	w, err := fsys.Open(weightsPath)
	if err != nil {
		return nil, err
	}
	defer w.Close()
	return Load(bytes.NewReader(cfg), w, &o)
}

// osFS opens paths as the os package does (absolute or relative), which
// os.DirFS cannot.
type osFS struct{}

func (osFS) Open(name string) (fs.File, error) { return os.Open(name) }

// ReadFile lets fs.ReadFile use os.ReadFile directly.
func (osFS) ReadFile(name string) ([]byte, error) { return os.ReadFile(name) }

// Names are the class names given in Options.Names (nil if none).
func (n *Net) Names() []string { return n.names }

// session pool: sessions are large (the arena) and reused across calls,
// so steady-state inference through Net methods allocates little.
// Threads is how many threads a new Session uses by default (LoadOptions'
// Threads, else GOMAXPROCS).
func (n *Net) Threads() int { return n.threads }

func (n *Net) getSession() (*Session, error) {
	n.poolMu.Lock()
	if k := len(n.pool); k > 0 {
		s := n.pool[k-1]
		n.pool = n.pool[:k-1]
		n.poolMu.Unlock()
		return s, nil
	}
	n.poolMu.Unlock()
	return n.NewSession()
}

func (n *Net) putSession(s *Session) {
	n.poolMu.Lock()
	n.pool = append(n.pool, s)
	n.poolMu.Unlock()
}

// LayerOutput is the output of one layer, copied out of a session.
type LayerOutput struct {
	Index int
	Type  string
	Shape Shape     // Darknet's out_c, out_h, out_w
	Data  []float32 // Darknet's memory layout for the layer
}

// Forward runs the network on a raw input tensor (CHW float32,
// n.Input.Size() values, RGB/255 for image models) and returns a copy of
// every output layer (Net.OutputLayers) in network order.
func (n *Net) Forward(ctx context.Context, input []float32) ([]LayerOutput, error) {
	s, err := n.getSession()
	if err != nil {
		return nil, err
	}
	defer n.putSession(s)
	if len(input) != len(s.input) {
		return nil, fmt.Errorf("engine: input has %d values, the network takes %v = %d", len(input), n.Input, len(s.input))
	}
	copy(s.input, input)
	if err := s.run(ctx); err != nil {
		return nil, err
	}
	var outs []LayerOutput
	for _, i := range n.OutputLayers() {
		l := n.Layers[i]
		outs = append(outs, LayerOutput{Index: i, Type: l.Type, Shape: l.Out, Data: append([]float32(nil), s.Output(i)...)})
	}
	return outs, nil
}

// Run runs the network on the input already in s.Input(), checking ctx
// between layers; it returns ctx's error if it was cancelled.
func (s *Session) Run(ctx context.Context) error { return s.run(ctx) }

// run is ForwardUpTo over the whole net, checking ctx between layers.
func (s *Session) run(ctx context.Context) error {
	var err error
	s.ForwardUpTo(len(s.net.Layers), func(int) {
		if err == nil {
			err = ctx.Err()
		}
	})
	return err
}

// Letterbox chooses how an image is fitted to the network input.
type Letterbox int

const (
	LetterboxAuto Letterbox = iota // as the cfg says ([net] letter_box)
	LetterboxOn                    // keep the aspect ratio, pad with grey
	LetterboxOff                   // stretch (Darknet's resize_image)
)

// DetectOptions tune Detect. The zero value means Darknet's detector test
// defaults.
type DetectOptions struct {
	Thresh     float32 // minimum class probability to report (0: 0.25)
	NMS        float32 // IoU threshold of non-maximum suppression (0: 0.45; negative: off)
	HierThresh float32 // Darknet's hier_thresh (0: 0.5)
	Letterbox  Letterbox
}

func (o *DetectOptions) withDefaults() DetectOptions {
	d := DetectOptions{}
	if o != nil {
		d = *o
	}
	if d.Thresh == 0 {
		d.Thresh = 0.25
	}
	if d.NMS == 0 {
		d.NMS = 0.45
	}
	if d.HierThresh == 0 {
		d.HierThresh = 0.5
	}
	return d
}

// Box is a box relative to the image: centre and size as fractions of the
// image's width and height (Darknet's relative_coordinates).
type Box struct{ X, Y, W, H float32 }

// Detection is one object found in an image: one box and one class whose
// probability passed the threshold (a box with several such classes gives
// several Detections, as Darknet's JSON output does).
type Detection struct {
	Class      int
	Name       string  // class name, if the Net has names
	Confidence float32 // class probability (objectness × class score)
	Objectness float32
	Box        Box
	// Rect is the box in image pixels, as Darknet draws it (truncated,
	// clamped to the image).
	Rect image.Rectangle
}

// Boxes is the result of DetectBoxes: Darknet's detections after NMS, each
// with all its class probabilities, in Darknet's order.
type Boxes struct {
	Detections    []detect.Detection
	Width, Height int           // the image's size
	Network       time.Duration // time of the forward pass
	Decode        time.Duration // time of decoding and NMS
}

// DetectBoxes runs the full detector pipeline on an image, like Darknet's
// detector test: resize (or letterbox) to the network input, forward,
// decode every yolo/region layer, NMS. It returns Darknet's raw detections;
// Detect flattens them per class.
func (n *Net) DetectBoxes(ctx context.Context, img image.Image, opts *DetectOptions) (*Boxes, error) {
	o := opts.withDefaults()
	layers, err := n.detectLayers()
	if err != nil {
		return nil, err
	}
	s, err := n.getSession()
	if err != nil {
		return nil, err
	}
	defer n.putSession(s)
	letter := n.LetterBox
	switch o.Letterbox {
	case LetterboxOn:
		letter = true
	case LetterboxOff:
		letter = false
	}
	b := img.Bounds()
	if b.Dx() <= 0 || b.Dy() <= 0 {
		return nil, errors.New("engine: empty image")
	}
	if err := s.prep.NetworkInput(s.input, img, n.Input.W, n.Input.H, n.Input.C, letter); err != nil {
		return nil, err
	}
	return n.detectInput(ctx, s, layers, b.Dx(), b.Dy(), letter, o)
}

// DetectInput is the second half of DetectBoxes, for callers that prepare
// the network input themselves (for example to time each stage, or to
// decode images on another goroutine): it runs the network on the tensor
// already in s.Input() — made from an imgW×imgH image, letterboxed or not —
// and decodes the detections. The Boxes report how long the network and
// the decoding took.
func (n *Net) DetectInput(ctx context.Context, s *Session, imgW, imgH int, letterbox bool, opts *DetectOptions) (*Boxes, error) {
	if s.net != n {
		return nil, errors.New("engine: the session belongs to another network")
	}
	layers, err := n.detectLayers()
	if err != nil {
		return nil, err
	}
	return n.detectInput(ctx, s, layers, imgW, imgH, letterbox, opts.withDefaults())
}

// IsDetector reports, as an error naming the cfg, why the network cannot
// detect objects (it has no yolo, Gaussian_yolo or region layer), or nil.
func (n *Net) IsDetector() error {
	_, err := n.detectLayers()
	return err
}

// detectInput runs the network on the input already in s and decodes the
// detections for an imgW×imgH image.
func (n *Net) detectInput(ctx context.Context, s *Session, layers []detectLayer, imgW, imgH int, letter bool, o DetectOptions) (*Boxes, error) {
	t0 := time.Now()
	if err := s.run(ctx); err != nil {
		return nil, err
	}
	t1 := time.Now()
	outs := make([]detect.Output, len(layers))
	for k, dl := range layers {
		outs[k] = detect.Output{Layer: dl.layer, Data: s.Output(dl.index)}
	}
	bx, err := n.decode(layers, outs, imgW, imgH, letter, o)
	if err != nil {
		return nil, err
	}
	bx.Network, bx.Decode = t1.Sub(t0), time.Since(t1)
	return bx, nil
}

// decode turns the detection layers' outputs into Darknet's detections
// after NMS.
func (n *Net) decode(layers []detectLayer, outs []detect.Output, imgW, imgH int, letter bool, o DetectOptions) (*Boxes, error) {
	dets, err := detect.GetNetworkBoxes(outs, imgW, imgH, n.Input.W, n.Input.H, o.Thresh, o.HierThresh, letter)
	if err != nil {
		return nil, err
	}
	if o.NMS > 0 && len(dets) > 0 {
		// Darknet's detector takes nms_kind from the network's last layer,
		// whatever its type: a net ending in anything but a yolo layer gets
		// the default (do_nms_sort).
		last := layers[len(layers)-1]
		kind, beta := last.nmsKind, last.betaNMS
		if last.index != len(n.Layers)-1 {
			kind = detect.DefaultNMS
		}
		dets = detect.NMS(dets, last.layer.NumClasses(), o.NMS, kind, beta)
	}
	return &Boxes{Detections: dets, Width: imgW, Height: imgH}, nil
}

// RawDetections are a forward pass's detection-layer outputs, copied out
// of the session (ForwardDetections) so that the session can run the
// next input while another goroutine decodes them (DecodeDetections).
// The buffers are reused when a RawDetections is passed again.
type RawDetections struct {
	net        *Net
	bufs       [][]float32
	imgW, imgH int
	letterbox  bool
	Network    time.Duration // time of the forward pass
}

// ForwardDetections runs the network on the input already in s.Input() —
// made from an imgW×imgH image, letterboxed or not — and copies the
// detection layers' outputs into raw. It is DetectInput without the
// decoding, which DecodeDetections does, on any goroutine.
func (n *Net) ForwardDetections(ctx context.Context, s *Session, imgW, imgH int, letterbox bool, raw *RawDetections) error {
	if s.net != n {
		return errors.New("engine: the session belongs to another network")
	}
	layers, err := n.detectLayers()
	if err != nil {
		return err
	}
	t0 := time.Now()
	if err := s.run(ctx); err != nil {
		return err
	}
	raw.net, raw.imgW, raw.imgH, raw.letterbox = n, imgW, imgH, letterbox
	if len(raw.bufs) != len(layers) {
		raw.bufs = make([][]float32, len(layers))
	}
	for k, dl := range layers {
		out := s.Output(dl.index)
		if cap(raw.bufs[k]) < len(out) {
			raw.bufs[k] = make([]float32, len(out))
		}
		raw.bufs[k] = raw.bufs[k][:len(out)]
		copy(raw.bufs[k], out)
	}
	raw.Network = time.Since(t0)
	return nil
}

// DecodeDetections decodes raw (filled by this network's
// ForwardDetections) as DetectInput would have: the same Boxes, Decode
// timing the decoding. raw may be reused once it returns.
func (n *Net) DecodeDetections(raw *RawDetections, opts *DetectOptions) (*Boxes, error) {
	if raw.net != n {
		return nil, errors.New("engine: the raw detections are not this network's")
	}
	layers, err := n.detectLayers()
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	outs := make([]detect.Output, len(layers))
	for k, dl := range layers {
		outs[k] = detect.Output{Layer: dl.layer, Data: raw.bufs[k]}
	}
	bx, err := n.decode(layers, outs, raw.imgW, raw.imgH, raw.letterbox, opts.withDefaults())
	if err != nil {
		return nil, err
	}
	bx.Network, bx.Decode = raw.Network, time.Since(t0)
	return bx, nil
}

// Detect runs the detector on an image and returns every (box, class)
// whose probability passes opts.Thresh, in Darknet's order.
func (n *Net) Detect(ctx context.Context, img image.Image, opts *DetectOptions) ([]Detection, error) {
	bx, err := n.DetectBoxes(ctx, img, opts)
	if err != nil {
		return nil, err
	}
	return n.Flatten(bx, opts.withDefaults().Thresh), nil
}

// Flatten turns Darknet's detections into one Detection per box and class
// above thresh.
func (n *Net) Flatten(bx *Boxes, thresh float32) []Detection {
	var out []Detection
	for i := range bx.Detections {
		d := &bx.Detections[i]
		pb := d.Box.Pixels(bx.Width, bx.Height)
		for c, p := range d.Prob {
			if p <= thresh {
				continue
			}
			det := Detection{Class: c, Confidence: p, Objectness: d.Objectness,
				Box:  Box{d.Box.X, d.Box.Y, d.Box.W, d.Box.H},
				Rect: image.Rect(pb.Left, pb.Top, pb.Right, pb.Bottom)}
			if c < len(n.names) {
				det.Name = n.names[c]
			}
			out = append(out, det)
		}
	}
	return out
}

type detectLayer struct {
	index   int
	layer   detect.Layer
	nmsKind detect.NMSKind
	betaNMS float32
}

// detectLayers maps the network's yolo/region layers to the decoder's
// descriptions (once).
func (n *Net) detectLayers() ([]detectLayer, error) {
	n.detOnce.Do(func() {
		for i, l := range n.Layers {
			var dl detectLayer
			switch {
			case l.YOLO() != nil:
				p := l.YOLO()
				kind := p.NMSKind
				dl = detectLayer{index: i, nmsKind: kind, betaNMS: p.BetaNMS}
				if p.Gaussian {
					dl.layer = &detect.GaussianYolo{W: p.W, H: p.H, Classes: p.Classes, Mask: p.Mask, Anchors: p.Anchors, NMSKind: kind, BetaNMS: p.BetaNMS}
				} else {
					dl.layer = &detect.Yolo{W: p.W, H: p.H, Classes: p.Classes, Mask: p.Mask, Anchors: p.Anchors, NewCoords: p.NewCoords, NMSKind: kind, BetaNMS: p.BetaNMS}
				}
			case l.Region() != nil:
				p := l.Region()
				dl = detectLayer{index: i, layer: &detect.Region{W: p.W, H: p.H, N: p.Num, Classes: p.Classes, Coords: p.Coords, Anchors: p.Anchors, Classfix: p.Classfix}}
			default:
				continue
			}
			n.detLayers = append(n.detLayers, dl)
		}
		if len(n.detLayers) == 0 {
			n.detErr = fmt.Errorf("%s: the network has no [yolo], [Gaussian_yolo] or [region] layer: it is not a detector", n.File)
		}
	})
	return n.detLayers, n.detErr
}

// poolState is embedded in Net.
type poolState struct {
	poolMu    sync.Mutex
	pool      []*Session
	names     []string
	detOnce   sync.Once
	detLayers []detectLayer
	detErr    error
}
