package engine

import (
	"fmt"
	"os"

	"github.com/darkgo/darkgo/cfgparse"
	"github.com/darkgo/darkgo/weights"
)

// Net is a network built from a Darknet cfg: its layer graph with shapes and
// costs, and (once loaded) its parameters. After loading it is never modified,
// so one Net can be shared by many goroutines. (LoadWeights and
// SyntheticWeights are the loading step itself and run once, before the Net
// is shared; the exported fields describe the network and must be treated as
// read-only.)
type Net struct {
	File     string // cfg file name, for messages
	Input    Shape  // from [net] channels, height, width
	Layers   []*Layer
	Header   weights.Header // header of the loaded weights file
	Warnings []cfgparse.Warning

	LetterBox bool // [net] letter_box=1: detector input is letterboxed

	cfg       *cfgparse.Config
	loaded    bool
	plan      *plan // where activations live in a session (made at load; lean)
	fullPlan  *plan // plan with every layer's output stored (== plan without fusions)
	threads   int   // default worker count per layer
	exact     bool  // Options.Exact: no Winograd convolutions
	maxMemory int64 // Options.MaxMemory or DefaultMaxMemory
	poolState
}

// Options control how a network is built. The zero value (or nil) means
// defaults.
type Options struct {
	// Width and Height override [net] width/height when non-zero (like
	// Darknet's -width/-height). Darknet detectors need multiples of 32.
	Width, Height int
	// MaxMemory bounds the bytes a cfg may make darkgo allocate for
	// parameters plus activations; cfgs that ask for more are rejected before
	// anything large is allocated. 0 means DefaultMaxMemory.
	MaxMemory int64
	// Threads is how many goroutines each layer is split over (0: all
	// cores, runtime.GOMAXPROCS).
	Threads int
	// Names are the class names reported in detections (for example the
	// lines of coco.names, cfg.COCONames()); with nil, Detection.Name is
	// empty and callers use Detection.Class.
	Names []string
	// Seed seeds the synthetic weights Load uses when it has no weights.
	Seed uint64
	// CfgName and WeightsName name the inputs in error messages (Load).
	CfgName, WeightsName string
	// Exact turns off the Winograd convolutions (3×3 layers with many
	// channels: 2-3× faster), whose sums round differently from Darknet's
	// (about 1e-6 of a layer's scale). Every convolution then sums in
	// Darknet's way, as its GEMM does.
	Exact bool
}

// DefaultMaxMemory is the memory budget used when Options.MaxMemory is 0.
const DefaultMaxMemory int64 = 8 << 30

// BFLOPs is the network's total cost as Darknet prints it: the float sum of
// every layer's l.bflops that is positive.
func (n *Net) BFLOPs() float64 {
	var sum float32 // Darknet accumulates in float
	for _, l := range n.Layers {
		if l.BFLOPs > 0 {
			sum += float32(l.BFLOPs)
		}
	}
	return float64(sum)
}

// Params is the number of float32 values the weights file holds (without
// its header).
func (n *Net) Params() int {
	t := 0
	for _, l := range n.Layers {
		t += l.Params
	}
	return t
}

// OutputLayers are the layers whose outputs a caller usually wants: every
// yolo, Gaussian_yolo, region, detection and softmax layer, and the last
// layer.
func (n *Net) OutputLayers() []int {
	var out []int
	for i, l := range n.Layers {
		switch l.Type {
		case "yolo", "Gaussian_yolo", "region", "detection", "softmax":
			out = append(out, i)
			continue
		}
		if i == len(n.Layers)-1 {
			out = append(out, i)
		}
	}
	return out
}

// BuildFile parses a cfg file and builds its network (without weights).
func BuildFile(path string, opts *Options) (*Net, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	cfg, err := cfgparse.Parse(path, data)
	if err != nil {
		return nil, err
	}
	return Build(cfg, opts)
}

// LayerError is an error about one layer of a cfg.
type LayerError struct {
	File  string
	Line  int
	Index int
	Name  string
	Err   error
}

func (e *LayerError) Error() string {
	return fmt.Sprintf("%s:%d: layer %d %s: %v", e.File, e.Line, e.Index, e.Name, e.Err)
}

func (e *LayerError) Unwrap() error { return e.Err }
