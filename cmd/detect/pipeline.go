package main

import (
	"context"
	"fmt"
	"time"

	"github.com/darkgo/darkgo/engine"
	"github.com/darkgo/darkgo/engine/detect"
)

// detector runs Darknet's detector-test pipeline stage by stage on one
// session so that each stage can be timed: the image is already the
// network input (see decoder), then forward, then decoding and NMS. It
// computes what engine.Net.DetectBoxes computes (TestPipelineMatchesEngine
// checks it); the engine has no per-stage timing hook, hence the copy of
// its last steps.
type detector struct {
	net    *engine.Net
	sess   *engine.Session
	layers []detLayer
	thresh float32
	hier   float32
	nms    float32
	letter bool
	keep   []bool // classes to report (nil: all)
}

type detLayer struct {
	index   int
	layer   detect.Layer
	nmsKind detect.NMSKind
	betaNMS float32
}

// detectionLayers describes the network's [yolo], [Gaussian_yolo] and
// [region] layers for the decoder, in network order.
func detectionLayers(n *engine.Net) ([]detLayer, error) {
	var out []detLayer
	for i, l := range n.Layers {
		switch {
		case l.YOLO() != nil:
			p := l.YOLO()
			kind := detect.ParseNMSKind(p.NMSKind.String(), p.Gaussian)
			dl := detLayer{index: i, nmsKind: kind, betaNMS: p.BetaNMS}
			if p.Gaussian {
				dl.layer = &detect.GaussianYolo{W: p.W, H: p.H, Classes: p.Classes, Mask: p.Mask, Anchors: p.Anchors, NMSKind: kind, BetaNMS: p.BetaNMS}
			} else {
				dl.layer = &detect.Yolo{W: p.W, H: p.H, Classes: p.Classes, Mask: p.Mask, Anchors: p.Anchors, NewCoords: p.NewCoords, NMSKind: kind, BetaNMS: p.BetaNMS}
			}
			out = append(out, dl)
		case l.Region() != nil:
			p := l.Region()
			out = append(out, detLayer{index: i, layer: &detect.Region{W: p.W, H: p.H, N: p.Num, Classes: p.Classes, Coords: p.Coords, Anchors: p.Anchors}})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: the network has no [yolo], [Gaussian_yolo] or [region] layer: it is not a detector (try -summary, -bench or -profile)", n.File)
	}
	return out, nil
}

func newDetector(n *engine.Net, threads int) (*detector, error) {
	layers, err := detectionLayers(n)
	if err != nil {
		return nil, err
	}
	s, err := n.NewSession()
	if err != nil {
		return nil, err
	}
	s.SetThreads(threads)
	return &detector{net: n, sess: s, layers: layers, letter: n.LetterBox}, nil
}

// forward runs the network on the session's input, stopping between
// layers when ctx is cancelled.
func forward(ctx context.Context, s *engine.Session, layers int) error {
	var err error
	if e := s.ForwardUpTo(layers, func(int) {
		if err == nil {
			err = ctx.Err()
		}
	}); e != nil {
		return e
	}
	return err
}

// run detects on the input tensor of an imgW×imgH image. The returned
// detections have the probabilities of unwanted classes (-classes) zeroed,
// so every output format reports the same objects.
func (d *detector) run(ctx context.Context, input []float32, imgW, imgH int) (dets []detect.Detection, network, post time.Duration, err error) {
	t0 := time.Now()
	copy(d.sess.Input(), input)
	if err := forward(ctx, d.sess, len(d.net.Layers)); err != nil {
		return nil, 0, 0, err
	}
	t1 := time.Now()
	outs := make([]detect.Output, len(d.layers))
	for k, dl := range d.layers {
		outs[k] = detect.Output{Layer: dl.layer, Data: d.sess.Output(dl.index)}
	}
	dets, err = detect.GetNetworkBoxes(outs, imgW, imgH, d.net.Input.W, d.net.Input.H, d.thresh, d.hier, d.letter)
	if err != nil {
		return nil, 0, 0, err
	}
	if d.nms > 0 && len(dets) > 0 {
		last := d.layers[len(d.layers)-1]
		dets = detect.NMS(dets, last.layer.NumClasses(), d.nms, last.nmsKind, last.betaNMS)
	}
	if d.keep != nil {
		for i := range dets {
			for c := range dets[i].Prob {
				if c >= len(d.keep) || !d.keep[c] {
					dets[i].Prob[c] = 0
				}
			}
		}
	}
	return dets, t1.Sub(t0), time.Since(t1), nil
}
