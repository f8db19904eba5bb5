package engine

import (
	"errors"
	"fmt"
	"sort"

	"github.com/darkgo/darkgo/cfgparse"
)

// maxDim bounds any single dimension a cfg may ask for. Darknet has no such
// limit, but nothing real comes close and it keeps all size arithmetic far
// from int overflow before the memory budget is checked.
const maxDim = 1 << 16

// buildState is what layer builders see while the graph is built.
type buildState struct {
	net    *Net
	layers []*Layer // layers built so far
	budget int64    // bytes still allowed
	// warnings are the builder's remarks about valid cfgs that Darknet runs
	// silently but probably not as the author meant (Net.Warnings).
	warnings []cfgparse.Warning
}

// sectionWarning makes a builder warning about key of section s, at the
// key's line (or the section's).
func sectionWarning(s *cfgparse.Section, key, msg string) cfgparse.Warning {
	line := s.KeyLine(key)
	if line == 0 {
		line = s.Line
	}
	return cfgparse.Warning{File: s.File, Line: line, Section: s.Name(), Key: key, Msg: msg}
}

// Build makes the layer graph of a parsed cfg: it resolves every reference
// between layers, infers shapes and costs, and checks the memory budget. It
// allocates no parameters (see LoadWeights / SyntheticWeights).
func Build(cfg *cfgparse.Config, opts *Options) (*Net, error) {
	if opts == nil {
		opts = &Options{}
	}
	n := &Net{File: cfg.File, cfg: cfg, threads: opts.Threads, exact: opts.Exact}
	s := cfg.Net
	n.Input = Shape{C: s.Int("channels", 0), H: s.Int("height", 0), W: s.Int("width", 0)}
	if opts.Width > 0 {
		n.Input.W = opts.Width
	}
	if opts.Height > 0 {
		n.Input.H = opts.Height
	}
	n.LetterBox = s.Int("letter_box", 0) != 0
	consumeNetKeys(s)
	if err := s.Err(); err != nil {
		return nil, err
	}
	if err := checkShape(n.Input); err != nil {
		return nil, s.Errorf("", "network input %dx%dx%d: %v", n.Input.W, n.Input.H, n.Input.C, err)
	}
	budget := opts.MaxMemory
	if budget <= 0 {
		budget = DefaultMaxMemory
	}
	n.maxMemory = budget
	b := &buildState{net: n, budget: budget}
	if err := b.charge(int64(n.Input.Size())); err != nil {
		return nil, s.Errorf("", "%v", err)
	}
	if len(cfg.Layers) == 0 {
		return nil, s.Errorf("", "the cfg has no layers")
	}
	for i, sec := range cfg.Layers {
		l := &Layer{Index: i, Type: sec.Type, Name: sec.Name(), Line: sec.Line, Inputs: []int{i - 1}}
		if i == 0 {
			l.In = n.Input
		} else {
			l.In = b.layers[i-1].Out
		}
		consume(sec, layerTrainingKeys...)
		l.dontLoad = sec.Int("dontload", 0) != 0
		l.dontLoadScales = sec.Int("dontloadscales", 0) != 0
		f := builders[sec.Type]
		if f == nil {
			return nil, b.errorf(l, "layer type %q is not supported by darkgo", sec.Type)
		}
		err := f(b, sec, l)
		if err == nil {
			err = sec.Err()
		}
		if err != nil {
			var ce *cfgparse.Error
			if errors.As(err, &ce) {
				return nil, err
			}
			return nil, &LayerError{File: n.File, Line: sec.Line, Index: i, Name: l.Name, Err: err}
		}
		if l.Outputs == 0 {
			l.Outputs = l.Out.Size()
		}
		if l.dontLoad {
			l.Params = 0
		} else if l.dontLoadScales {
			for _, p := range l.op.params() {
				if isBNTensor(p.name) {
					l.Params -= p.n
				}
			}
		}
		if l.Outputs <= 0 {
			return nil, b.errorf(l, "output %v is empty", l.Out)
		}
		if err := b.charge(int64(l.Outputs) + int64(l.Params)); err != nil {
			return nil, b.errorf(l, "%v", err)
		}
		b.layers = append(b.layers, l)
	}
	n.Layers = b.layers
	n.Warnings = cfg.Warnings()
	if len(b.warnings) > 0 {
		n.Warnings = append(n.Warnings, b.warnings...)
		sort.SliceStable(n.Warnings, func(i, j int) bool { return n.Warnings[i].Line < n.Warnings[j].Line })
	}
	return n, nil
}

func (b *buildState) errorf(l *Layer, format string, args ...any) error {
	return &LayerError{File: b.net.File, Line: l.Line, Index: l.Index, Name: l.Name, Err: fmt.Errorf(format, args...)}
}

// charge takes floats from the memory budget.
func (b *buildState) charge(floats int64) error {
	bytes := floats * 4
	if floats < 0 || bytes > b.budget {
		return fmt.Errorf("needs %d MiB more than the memory budget allows (%d MiB left of Options.MaxMemory); a cfg this large is probably a mistake", (bytes-b.budget)>>20, b.budget>>20)
	}
	b.budget -= bytes
	return nil
}

// ref resolves a layer reference from a route/shortcut/etc.: negative values
// are relative to the current layer, others absolute. It must name an
// earlier layer.
func (b *buildState) ref(l *Layer, v int) (int, error) {
	i := v
	if v < 0 {
		i = l.Index + v
	}
	if i < 0 || i >= l.Index {
		return 0, fmt.Errorf("refers to layer %d (%d), which is not an earlier layer (this is layer %d)", v, i, l.Index)
	}
	return i, nil
}

// checkShape rejects empty, negative and absurd sizes before they are used
// in any arithmetic or allocation.
func checkShape(s Shape) error {
	if s.C <= 0 || s.H <= 0 || s.W <= 0 {
		return errors.New("sizes must be positive")
	}
	if s.C > maxDim || s.H > maxDim || s.W > maxDim {
		return fmt.Errorf("a dimension exceeds %d", maxDim)
	}
	return nil
}

// positive checks a small integer option.
func positive(s *cfgparse.Section, key string, v int) error {
	if v <= 0 || v > maxDim {
		return s.Errorf(key, "must be between 1 and %d, got %d", maxDim, v)
	}
	return nil
}

// netTrainingKeys are [net] options that only matter for training. Darknet
// reads them all, so they must not be reported as unused.
var netTrainingKeys = []string{
	"batch", "subdivisions", "max_batches", "learning_rate", "momentum", "decay", "policy",
	"steps", "scales", "burn_in", "power", "gamma", "step", "angle", "saturation", "exposure",
	"hue", "aspect", "mosaic", "cutmix", "mixup", "blur", "gaussian_noise", "flip", "jitter",
	"letter_box", "track", "time_steps", "augment_speed", "sequential_subdivisions",
	"init_sequential_subdivisions", "try_fix_nan", "optimized_memory", "workspace_size_limit_MB",
	"adam", "B1", "B2", "eps", "max_crop", "min_crop", "center", "inputs", "contrastive",
	"contrastive_jit_flip", "contrastive_color", "unsupervised", "label_smooth_eps", "loss_scale",
	"dynamic_minibatch", "mosaic_bound", "resize_step", "max_chart_loss", "attention",
	"adversarial_lr", "equidistant_point", "use_cuda_graph", "seq_scales", "rgb", "random",
	"min_delta", "small_object", "num_boxes", "burn_in_steps", "ema_alpha",
	"learning_rate_min", "sgdr_cycle", "sgdr_mult", "weights_reject_freq",
	"badlabels_rejection_percentage", "num_sigmas_reject_badlabels", "show_receptive_field",
}

// layerTrainingKeys are read by Darknet's parser for every layer type and
// only matter for training.
var layerTrainingKeys = []string{
	"clip", "onlyforward", "dont_update", "burnin_update", "stopbackward", "train_only_bn", "learning_rate",
}

func consumeNetKeys(s *cfgparse.Section) {
	for _, k := range netTrainingKeys {
		if s.Has(k) {
			s.String(k, "")
		}
	}
}

// consume marks training-only keys of a layer section as read.
func consume(s *cfgparse.Section, keys ...string) {
	for _, k := range keys {
		if s.Has(k) {
			s.String(k, "")
		}
	}
}
