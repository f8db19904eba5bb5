package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/darkgo/darkgo/cfgparse"
	"github.com/darkgo/darkgo/engine"
	"github.com/darkgo/darkgo/engine/detect"
	"github.com/darkgo/darkgo/engine/preprocess"
)

// wantsClassify selects the classifier mode: images with a -cfg that is a
// classifier (ends in [softmax] or [cost], no detection layer). The cfg is
// only parsed and built here (no weights); any problem with it is left to
// the detection mode, which reports it.
func wantsClassify(o *options) bool {
	if o.cfg == "" || len(o.inputs) == 0 {
		return false
	}
	name, data, _, err := cfgSource(o)
	if err != nil {
		return false
	}
	c, err := cfgparse.Parse(name, data)
	if err != nil {
		return false
	}
	n, err := engine.Build(c, &engine.Options{Width: o.width, Height: o.height})
	return err == nil && n.IsClassifier() == nil
}

func checkClassify(o *options) error {
	if err := onlyFlags(o, "classification", "names", "json", "top", "q", "exact"); err != nil {
		return err
	}
	if o.top < 1 {
		return usagef("-top %d: want at least 1", o.top)
	}
	return nil
}

type jsonClass struct {
	ClassID     int       `json:"class_id"`
	Name        string    `json:"name"`
	Probability jsonFloat `json:"probability"`
}

type jsonClassified struct {
	File  string      `json:"file"`
	Top   []jsonClass `json:"top"`
	Error string      `json:"error,omitempty"`
}

// runClassify is Darknet's `classifier predict -top K` on every image:
// resize_min + centred crop, forward, the K best classes printed as
// "name: 0.912345" (or a JSON array with -json).
func runClassify(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	m, err := loadModel(o, true, stderr)
	if err != nil {
		return err
	}
	outputs := m.net.Layers[len(m.net.Layers)-1].Outputs
	if len(m.names) > 0 && len(m.names) < outputs {
		fmt.Fprintf(stderr, "warning: %s has %d names but %s outputs %d classes; the others are shown by number\n",
			o.names, len(m.names), m.name, outputs)
	}
	if o.verbose {
		printVersion(stderr, m, o.threads)
	}
	sess, err := m.net.NewSession()
	if err != nil {
		return err
	}
	sess.SetThreads(o.threads)
	var scratch preprocess.Scratch
	in := m.net.Input

	inputs := expandInputs(o.inputs)
	bw := bufio.NewWriter(stdout)
	defer bw.Flush()
	if o.json {
		bw.WriteString("[")
	}
	failed := 0
	for k, inp := range inputs {
		if ctx.Err() != nil {
			break
		}
		res := jsonClassified{File: inp.path, Top: []jsonClass{}}
		var w, h int
		var decodeDur, netDur time.Duration
		err := inp.err
		if err == nil {
			t0 := time.Now()
			im, _, derr := readImage(inp.path, false)
			if derr != nil {
				err = derr
			} else {
				w, h = im.Bounds().Dx(), im.Bounds().Dy()
				err = scratch.ClassifierInput(sess.Input(), im, in.W, in.H, in.C)
				if err != nil {
					err = fmt.Errorf("%s: %w", inp.path, err)
				}
			}
			t1 := time.Now()
			decodeDur = t1.Sub(t0)
			if err == nil {
				var preds []engine.Prediction
				preds, err = m.net.ClassifyInput(ctx, sess, o.top)
				if err != nil {
					err = fmt.Errorf("%s: %w", inp.path, err)
				}
				netDur = time.Since(t1)
				for _, p := range preds {
					res.Top = append(res.Top, jsonClass{ClassID: p.Class, Name: m.className(p.Class), Probability: jsonFloat(p.Probability)})
				}
			}
		}
		if ctx.Err() != nil {
			break
		}
		if err != nil {
			failed++
			bw.Flush()
			fmt.Fprintf(stderr, "detect: %v\n", err)
			res.Error = err.Error()
		}
		switch {
		case o.json:
			if k > 0 {
				bw.WriteString(",")
			}
			bw.WriteString("\n")
			b, err := json.Marshal(res)
			if err != nil {
				return err
			}
			bw.Write(b)
		case err != nil:
		default:
			switch {
			case !o.quiet:
				fmt.Fprintf(bw, "%s: %dx%d; decode+crop %s, network %s\n", inp.path, w, h, msString(decodeDur), msString(netDur))
			case len(inputs) > 1:
				fmt.Fprintf(bw, "%s:\n", inp.path)
			}
			for _, c := range res.Top {
				// Darknet: printf("%s: %f\n", names[index], predictions[index]).
				fmt.Fprintf(bw, "%s: %s\n", c.Name, detect.CFloat(float64(c.Probability), 6))
			}
		}
	}
	if o.json {
		if len(inputs) > 0 {
			bw.WriteString("\n")
		}
		bw.WriteString("]\n")
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return &failedError{"interrupted"}
	}
	if failed > 0 {
		return &failedError{fmt.Sprintf("%d of %d inputs failed", failed, len(inputs))}
	}
	return nil
}
