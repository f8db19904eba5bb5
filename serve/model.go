package serve

import (
	"fmt"
	"strconv"

	"github.com/darkgo/darkgo/cfg"
	"github.com/darkgo/darkgo/engine"
	"github.com/darkgo/darkgo/engine/detect"
)

// Model is a loaded network the server answers with.
type Model struct {
	// Name is what clients ask for (/v1/vision/custom/NAME, ?model=NAME).
	Name string
	Net  *engine.Net
	// Names are the class names (nil: classes are reported by number).
	Names []string
	// Cfg and Weights name the files, for /v1/models.
	Cfg, Weights string
	// Thresh and NMS are /v1/detect's defaults (0: Darknet's 0.25 and
	// 0.45); the DeepStack routes take min_confidence instead of Thresh.
	Thresh, NMS float32
	// Letterbox fits images with their aspect ratio kept, as the cfg's
	// letter_box=1 does (it is also on when the cfg asks for it).
	Letterbox bool
}

// FaceModelName is the name the bundled face detector is served under,
// and the model /v1/vision/face uses.
const FaceModelName = "face"

// BundledFace loads the face detector bundled in the binary with its own
// thresholds; opts as for cfg.Default (nil: the defaults).
func BundledFace(opts *engine.Options) (*Model, error) {
	n, err := cfg.Default(opts)
	if err != nil {
		return nil, err
	}
	return &Model{Name: FaceModelName, Net: n, Names: n.Names(), Cfg: cfg.DefaultCfg, Weights: cfg.DefaultWeights,
		Thresh: cfg.DefaultThresh, NMS: cfg.DefaultNMS}, nil
}

// className is the name of class c, or its number.
func (m *Model) className(c int) string {
	if c >= 0 && c < len(m.Names) {
		return m.Names[c]
	}
	return strconv.Itoa(c)
}

// classes is the class count of the network's last detection layer.
func (m *Model) classes() int {
	c := 0
	for _, l := range m.Net.Layers {
		if p := l.YOLO(); p != nil {
			c = p.Classes
		} else if p := l.Region(); p != nil {
			c = p.Classes
		}
	}
	return c
}

// classFilter parses a comma-separated list of class names or ids into the
// classes to keep (nil: all).
func (m *Model) classFilter(spec string) ([]bool, error) {
	keep, unknown := detect.ClassList(spec, m.Names, max(m.classes(), len(m.Names)))
	if unknown != "" {
		return nil, fmt.Errorf("classes: %q is not a class of model %s", unknown, m.Name)
	}
	return keep, nil
}

// ModelInfo is one entry of GET /v1/models.
type ModelInfo struct {
	Name    string   `json:"name"`
	Default bool     `json:"default"`
	Cfg     string   `json:"cfg"`
	Weights string   `json:"weights"`
	Width   int      `json:"width"`
	Height  int      `json:"height"`
	Classes int      `json:"classes"`
	Names   []string `json:"names,omitempty"`
	BFLOPs  float64  `json:"bflops"`
	Thresh  float32  `json:"thresh"`
	NMS     float32  `json:"nms"`
	Kernels string   `json:"kernels"`
}
