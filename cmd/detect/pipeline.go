package main

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/darkgo/darkgo/engine"
	"github.com/darkgo/darkgo/engine/detect"
)

// detector runs Darknet's detector-test pipeline on one session, with the
// image already turned into the network input (see decoder) so each stage
// can be timed: engine.Net.DetectInput runs the network, decodes and
// applies NMS.
type detector struct {
	net    *engine.Net
	sess   *engine.Session
	thresh float32
	hier   float32
	nms    float32
	letter bool
	keep   []bool // classes to report (nil: all)
}

func newDetector(n *engine.Net, threads int) (*detector, error) {
	if err := n.IsDetector(); err != nil {
		return nil, fmt.Errorf("%w (try -summary, -bench or -profile)", err)
	}
	s, err := n.NewSession()
	if err != nil {
		return nil, err
	}
	s.SetThreads(threads)
	return &detector{net: n, sess: s, letter: n.LetterBox}, nil
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
	copy(d.sess.Input(), input)
	bx, err := d.net.DetectInput(ctx, d.sess, imgW, imgH, d.letter, engineOptions(d.thresh, d.hier, d.nms))
	if err != nil {
		return nil, 0, 0, err
	}
	dets = bx.Detections
	keepClasses(dets, d.keep)
	return dets, bx.Network, bx.Decode, nil
}

// engineOptions are the engine's detection options for the CLI's
// thresholds. The CLI's 0 means "none" (-nms 0: no NMS; -thresh 0: every
// positive probability); the engine's zero values mean its defaults.
func engineOptions(thresh, hier, nms float32) *engine.DetectOptions {
	if nms == 0 {
		nms = -1
	}
	if thresh == 0 {
		thresh = math.SmallestNonzeroFloat32
	}
	return &engine.DetectOptions{Thresh: thresh, HierThresh: hier, NMS: nms}
}

// keepClasses zeroes the probabilities of the classes -classes leaves
// out (keep nil: all kept), so every output format reports the same
// objects.
func keepClasses(dets []detect.Detection, keep []bool) {
	if keep == nil {
		return
	}
	for i := range dets {
		for c := range dets[i].Prob {
			if c >= len(keep) || !keep[c] {
				dets[i].Prob[c] = 0
			}
		}
	}
}
