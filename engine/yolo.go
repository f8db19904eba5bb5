package engine

import (
	"fmt"
	"github.com/darkgo/darkgo/engine/detect"
	"slices"

	"github.com/darkgo/darkgo/cfgparse"
)

// yolo is Darknet's [yolo] layer (src/yolo_layer.c, YOLOv3/v4/v7 heads). At
// inference it only squashes the raw predictions in place; decoding boxes
// is the detection decoder's job, which reads the layer's options through
// Layer.YOLO.
//
// The tensor is [anchor][4+1+classes][h][w]: for each of the len(mask)
// anchors, planes tx, ty, tw, th, objectness, then one plane per class.
type yolo struct {
	p YOLOParams
}

// NMSKind is the non-maximum suppression a detection layer asks for with
// nms_kind= (Darknet's NMS_KIND enum); it is the decoder's type.
type NMSKind = detect.NMSKind

// The NMS kinds, as in package detect.
const (
	DefaultNMS = detect.DefaultNMS // "default": Darknet's do_nms_sort
	GreedyNMS  = detect.GreedyNMS  // "greedynms"
	DIoUNMS    = detect.DIoUNMS    // "diounms"
	CornersNMS = detect.CornersNMS // "cornersnms" (only [Gaussian_yolo] knows it)
)

// YoloPoint is where a [Gaussian_yolo] box's predicted x,y sit in the box
// (yolo_point=); [yolo] boxes are always centred.
type YoloPoint int

const (
	YoloCenter      YoloPoint = iota // "center" (default)
	YoloLeftTop                      // "left_top"
	YoloRightBottom                  // "right_bottom"
)

// YOLOParams are the options of a [yolo] or [Gaussian_yolo] layer that
// turning its output into boxes needs. Anchors are in network-input pixels.
type YOLOParams struct {
	Gaussian  bool      // a [Gaussian_yolo] layer: 8 box values (mean, sigma of x,y,w,h) instead of 4
	W, H      int       // grid size
	Classes   int       // classes=
	Mask      []int     // mask=: the anchors this layer predicts, indexes into the Num anchor pairs
	Num       int       // num=: total anchors (Darknet's l.total)
	Anchors   []float32 // w0,h0,w1,h1,...: at least 2*Num values (Darknet's l.biases; missing ones are 0.5)
	ScaleXY   float32   // scale_x_y=
	NewCoords bool      // new_coords=1: no activation in the layer, w = 4*tw^2*anchor
	NMSKind   NMSKind   // nms_kind=
	BetaNMS   float32   // beta_nms= (DIoU-NMS exponent)
	YoloPoint YoloPoint // [Gaussian_yolo] yolo_point=
	MaxBoxes  int       // max=
}

// BoxValues is the number of box planes per anchor (4, or 8 for Gaussian).
func (p *YOLOParams) BoxValues() int {
	if p.Gaussian {
		return 8
	}
	return 4
}

// Entries is the number of planes per anchor: box values, objectness, classes.
func (p *YOLOParams) Entries() int { return p.BoxValues() + 1 + p.Classes }

func (p *YOLOParams) clone() *YOLOParams {
	c := *p
	c.Mask = slices.Clone(p.Mask)
	c.Anchors = slices.Clone(p.Anchors)
	return &c
}

// YOLO returns the options of a [yolo] or [Gaussian_yolo] layer, or nil for
// any other layer. The result is a copy.
func (l *Layer) YOLO() *YOLOParams {
	switch o := l.op.(type) {
	case *yolo:
		return o.p.clone()
	case *gaussianYolo:
		return o.p.clone()
	}
	return nil
}

func init() { register("yolo", buildYolo) }

// yoloTrainingKeys are read by parse_yolo but only matter for training (or
// for tracking/embeddings, which darkgo does not do).
var yoloTrainingKeys = []string{
	"show_details", "max_delta", "counters_per_class", "label_smooth_eps", "objectness_smooth",
	"iou_normalizer", "obj_normalizer", "cls_normalizer", "delta_normalizer", "iou_loss",
	"iou_thresh_kind", "jitter", "resize", "focal_loss", "ignore_thresh", "truth_thresh",
	"iou_thresh", "random", "track_history_size", "sim_thresh", "dets_for_track", "dets_for_show",
	"track_ciou_norm", "map",
}

// layerCommonKeys are read by parse_network_cfg for every layer; none of
// them changes inference.
var layerCommonKeys = []string{
	"clip", "onlyforward", "dont_update", "burnin_update", "stopbackward", "train_only_bn",
	"dontload", "dontloadscales", "learning_rate",
}

func buildYolo(b *buildState, s *cfgparse.Section, l *Layer) error {
	p := YOLOParams{
		Classes:   s.Int("classes", 20),
		Num:       s.Int("num", 1),
		MaxBoxes:  s.Int("max", 200),
		ScaleXY:   float32(s.Float("scale_x_y", 1)),
		NewCoords: s.Int("new_coords", 0) != 0,
		BetaNMS:   float32(s.Float("beta_nms", 0.6)),
	}
	if err := parseYoloCommon(b, s, l, &p, false); err != nil {
		return err
	}
	consume(s, yoloTrainingKeys...)
	consume(s, layerCommonKeys...)
	l.op = &yolo{p: p}
	return nil
}

// parseYoloCommon reads what [yolo] and [Gaussian_yolo] share (parse_yolo /
// parse_gaussian_yolo) and sets the layer's shapes.
func parseYoloCommon(b *buildState, s *cfgparse.Section, l *Layer, p *YOLOParams, gaussian bool) error {
	p.Gaussian = gaussian
	if err := positive(s, "num", p.Num); err != nil {
		return err
	}
	if p.Classes < 0 || p.Classes > maxDim {
		return s.Errorf("classes", "must be between 0 and %d, got %d", maxDim, p.Classes)
	}
	// mask= selects anchors; without it the layer uses all num of them.
	if s.Has("mask") {
		p.Mask = s.Ints("mask")
	} else {
		for i := 0; i < p.Num; i++ {
			p.Mask = append(p.Mask, i)
		}
	}
	if len(p.Mask) == 0 {
		return s.Errorf("mask", "no anchors")
	}
	// Darknet presets num anchors to 0.5 and overwrites as many as anchors=
	// lists. It stores no more than num of them, yet some of its own cfgs
	// (cspx-p7-mish: num=16, 20 anchors, mask=16,17,18,19) use mask indexes
	// beyond num, for which Darknet reads past its anchor array. darkgo
	// keeps every listed anchor, so such masks get the anchors the cfg
	// lists (Darknet's boxes for them are undefined).
	listed := s.Floats("anchors")
	if len(listed) > 2*maxDim {
		return s.Errorf("anchors", "%d values is more than darkgo allows (%d)", len(listed), 2*maxDim)
	}
	p.Anchors = make([]float32, max(2*p.Num, len(listed)&^1))
	for i := range p.Anchors {
		p.Anchors[i] = 0.5
	}
	for i, v := range listed {
		if i < len(p.Anchors) {
			p.Anchors[i] = float32(v)
		}
	}
	for _, m := range p.Mask {
		if m < 0 {
			return s.Errorf("mask", "anchor index %d is negative", m)
		}
		if 2*m+1 >= len(p.Anchors) {
			// The layer's shapes and forward do not depend on anchors;
			// only decoding boxes does.
			l.unsupported = s.Errorf("mask", "anchor index %d is outside the %d anchors of num= and anchors=", m, len(p.Anchors)/2)
		}
	}
	var err error
	if p.NMSKind, err = parseNMSKind(s, gaussian); err != nil {
		return err
	}
	if s.Has("embedding_layer") {
		if _, err := b.ref(l, s.Int("embedding_layer", 0)); err != nil {
			return s.Errorf("embedding_layer", "%v", err)
		}
	}
	p.W, p.H = l.In.W, l.In.H
	n := len(p.Mask)
	l.In = Shape{C: n * p.Entries(), H: p.H, W: p.W}
	l.Out = l.In
	if in := flatInputs(b, l); l.Out.Size() != in || in == 0 {
		return fmt.Errorf("the previous layer outputs %d values but %d anchors x (%d box values + 1 + classes=%d) on a %dx%d grid need %d: filters= of the convolutional layer before must be %d",
			in, n, p.BoxValues(), p.Classes, p.W, p.H, l.Out.Size(), n*p.Entries())
	}
	return nil
}

// parseNMSKind mirrors parse_yolo: "cornersnms" is only recognised by
// [Gaussian_yolo]; [yolo] treats it, like any unknown name, as default.
// darkgo rejects names Darknet knows in neither layer, since they are typos.
func parseNMSKind(s *cfgparse.Section, gaussian bool) (NMSKind, error) {
	switch v := s.String("nms_kind", "default"); v {
	case "default":
		return DefaultNMS, nil
	case "greedynms":
		return GreedyNMS, nil
	case "diounms":
		return DIoUNMS, nil
	case "cornersnms":
		if gaussian {
			return CornersNMS, nil
		}
		return DefaultNMS, nil
	default:
		return 0, s.Errorf("nms_kind", "unknown NMS kind %q (want default, greedynms, diounms or cornersnms)", v)
	}
}

// flatInputs is Darknet's params.inputs for layer l: the previous layer's
// output count, or the network input size for the first layer.
func flatInputs(b *buildState, l *Layer) int {
	if l.Index == 0 {
		return b.net.Input.Size()
	}
	return b.layers[l.Index-1].Outputs
}

func (y *yolo) params() []param { return nil }

// forward copies the input and, per anchor, applies the logistic to x, y,
// objectness and classes (not to tw, th), then stretches x, y around the
// cell centre by scale_x_y. With new_coords=1 the preceding convolution has
// already applied the logistic, so only the scale_x_y step runs.
func (y *yolo) forward(ins [][]float32, out []float32) {
	copy(out, ins[0])
	plane := y.p.W * y.p.H
	entries := y.p.Entries()
	scale := y.p.ScaleXY
	shift := float32(-0.5 * (float64(scale) - 1))
	for a := range y.p.Mask {
		t := out[a*entries*plane : (a+1)*entries*plane]
		xy := t[:2*plane]
		if !y.p.NewCoords {
			for i, v := range xy {
				xy[i] = logistic(v)
			}
			rest := t[4*plane:]
			for i, v := range rest {
				rest[i] = logistic(v)
			}
		}
		for i, v := range xy {
			xy[i] = v*scale + shift
		}
	}
}
