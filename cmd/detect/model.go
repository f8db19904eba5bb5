package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/darkgo/darkgo/cfg"
	"github.com/darkgo/darkgo/cfgparse"
	"github.com/darkgo/darkgo/engine"
)

// model is a loaded network with what the command knows about it.
type model struct {
	net     *engine.Net
	name    string // the cfg as the user named it (or the bundled file's name)
	weights string // weights file name; "" for synthetic weights
	bundled bool   // the default face detector bundled in the binary
	names   []string
	classes int  // classes of the detection layers; 0 if there are none
	fromFS  bool // the cfg came from the bundled files
}

// cfgSource reads the cfg: -cfg's file, or the bundled default model
// without -cfg. A -cfg that names no file but the base name of a bundled
// cfg ("csppeleenet-efm.cfg") uses the bundled copy, so the shipped models
// can be benchmarked from any directory.
func cfgSource(o *options) (name string, data []byte, fromFS bool, err error) {
	if o.cfg == "" {
		data, err = fs.ReadFile(cfg.FS, cfg.DefaultCfg)
		return cfg.DefaultCfg, data, true, err
	}
	st, err := os.Stat(o.cfg)
	if errors.Is(err, fs.ErrNotExist) && filepath.Base(o.cfg) == o.cfg && cfg.Bundled(o.cfg) {
		data, err = fs.ReadFile(cfg.FS, o.cfg)
		return o.cfg, data, true, err
	}
	if err != nil {
		return "", nil, false, err
	}
	// Refuse before reading: a weights file given as -cfg by mistake can
	// be hundreds of megabytes.
	if st.Size() > cfgparse.MaxFileSize {
		return "", nil, false, fmt.Errorf("%s: %d bytes is too large for a cfg file (limit %d); is it a weights file?", o.cfg, st.Size(), cfgparse.MaxFileSize)
	}
	if st.IsDir() {
		return "", nil, false, fmt.Errorf("%s: is a directory, not a cfg file", o.cfg)
	}
	data, err = os.ReadFile(o.cfg)
	if err != nil {
		return "", nil, false, err
	}
	return o.cfg, data, false, nil
}

// buildNet builds the cfg (without weights) with the -size override and
// reports the cfg's warnings (unused keys) on stderr, as Darknet does.
func buildNet(o *options, stderr io.Writer) (*engine.Net, error) {
	name, data, _, err := cfgSource(o)
	if err != nil {
		return nil, err
	}
	c, err := cfgparse.Parse(name, data)
	if err != nil {
		return nil, err
	}
	n, err := engine.Build(c, &engine.Options{Width: o.width, Height: o.height, Threads: o.threads, Exact: o.exact})
	if err != nil {
		return nil, err
	}
	for _, w := range n.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	return n, nil
}

// loadModel loads the network for the detection, bench and profile modes.
// needWeights refuses synthetic weights (detection with them would be
// noise).
func loadModel(o *options, needWeights bool, stderr io.Writer) (*model, error) {
	name, data, fromFS, err := cfgSource(o)
	if err != nil {
		return nil, err
	}
	m := &model{name: name, fromFS: fromFS}
	var w io.Reader
	switch {
	case o.weights != "":
		f, err := os.Open(o.weights)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		w, m.weights = f, o.weights
	case fromFS && name == cfg.DefaultCfg:
		f, err := cfg.FS.Open(cfg.DefaultWeights)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		w, m.weights, m.bundled = f, cfg.DefaultWeights, true
	case needWeights:
		return nil, usagef("-cfg %s needs -weights to detect anything (only -bench, -profile, -summary and -dump run on synthetic weights)", o.cfg)
	}
	opts := &engine.Options{Width: o.width, Height: o.height, Threads: o.threads, Seed: o.seed, Exact: o.exact,
		CfgName: name, WeightsName: m.weights}
	n, err := engine.Load(bytes.NewReader(data), w, opts)
	if err != nil {
		return nil, err
	}
	for _, w := range n.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	m.net = n
	m.classes = detectionClasses(n)
	if err := m.loadNames(o, stderr); err != nil {
		return nil, err
	}
	return m, nil
}

// detectionClasses is the class count of the network's last detection
// layer (the one Darknet's detector takes it from), 0 without one.
func detectionClasses(n *engine.Net) int {
	c := 0
	for _, l := range n.Layers {
		if p := l.YOLO(); p != nil {
			c = p.Classes
		} else if p := l.Region(); p != nil {
			c = p.Classes
		}
	}
	return c
}

// loadNames picks the class names: -names, else the bundled model's, else
// coco.names for an 80-class network, else none (classes print as numbers).
func (m *model) loadNames(o *options, stderr io.Writer) error {
	switch {
	case o.names != "":
		b, err := os.ReadFile(o.names)
		if err != nil {
			return err
		}
		m.names = cfg.ParseNames(b)
		if len(m.names) == 0 {
			return fmt.Errorf("%s: no class names in the file", o.names)
		}
		if m.classes > 0 && len(m.names) < m.classes {
			fmt.Fprintf(stderr, "warning: %s has %d names but %s predicts %d classes; the others are shown by number\n",
				o.names, len(m.names), m.name, m.classes)
		}
	case m.bundled:
		m.names = cfg.FaceNames()
	case m.classes == 80:
		m.names = cfg.COCONames()
	}
	return nil
}

// className is the name of class c, or its number.
func (m *model) className(c int) string {
	if c >= 0 && c < len(m.names) {
		return m.names[c]
	}
	return fmt.Sprint(c)
}
