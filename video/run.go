package video

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/darkgo/darkgo/engine"
	"github.com/darkgo/darkgo/engine/preprocess"
)

// RunOptions tune Run.
type RunOptions struct {
	// Detect are the thresholds; its zero value means Darknet's defaults.
	Detect engine.DetectOptions
	// Threads is the session's thread count (0: the Net's default).
	Threads int
}

// Result is one frame's detections.
type Result struct {
	Frame *Frame
	// Boxes are Darknet's detections after NMS (nil when Err is set).
	Boxes *engine.Boxes
	// Err ends the results: the source failed or the network did. The
	// end of a file and a cancelled context end them without a Result.
	Err error
	// Preprocess is the time to turn the frame into the network input.
	Preprocess time.Duration
	// Latency is the time from Frame.Captured until the result was ready.
	Latency time.Duration
}

// Release gives the frame's buffer back to its source.
func (r *Result) Release() { r.Frame.Release() }

// Run runs net's detector over src's frames and sends the results, in
// frame order, on the returned channel, which is closed at the end of the
// source, on an error (sent as the last Result) or when ctx is cancelled.
//
// The stages overlap: ffmpeg decodes; one goroutine reads frames; on a
// file another turns the next frame into the network input while the
// network (on its own Session and thread pool) runs the current one; the
// caller draws or writes results while both go on. On a live source the
// network takes the newest frame each time it is free, so that the
// result is as fresh as possible (capture to result within one frame
// interval plus one preprocessing and one network time). The caller must
// receive until the channel is closed.
func Run(ctx context.Context, net *engine.Net, src *Source, opts *RunOptions) <-chan Result {
	var o RunOptions
	if opts != nil {
		o = *opts
	}
	out := make(chan Result, 2)
	go func() {
		defer close(out)
		send := func(r Result) bool {
			select {
			case out <- r:
				return true
			case <-ctx.Done():
				r.Frame.Release()
				return false
			}
		}
		r, err := newRunner(net, &o)
		if err != nil {
			send(Result{Err: err})
			return
		}
		if src.Info().Live {
			r.live(ctx, src, send)
		} else {
			r.pipelined(ctx, src, send)
		}
	}()
	return out
}

// runner is the network side of Run.
type runner struct {
	net    *engine.Net
	sess   *engine.Session
	letter bool
	opts   engine.DetectOptions
	prep   preprocess.Scratch
}

func newRunner(net *engine.Net, o *RunOptions) (*runner, error) {
	if err := net.IsDetector(); err != nil {
		return nil, err
	}
	s, err := net.NewSession()
	if err != nil {
		return nil, err
	}
	s.SetThreads(o.Threads)
	letter := net.LetterBox
	switch o.Detect.Letterbox {
	case engine.LetterboxOn:
		letter = true
	case engine.LetterboxOff:
		letter = false
	}
	return &runner{net: net, sess: s, letter: letter, opts: o.Detect}, nil
}

// input converts f into dst (the network input).
func (r *runner) input(dst []float32, s *preprocess.Scratch, f *Frame) (time.Duration, error) {
	t0 := time.Now()
	in := r.net.Input
	if err := s.NetworkInput(dst, f.Image, in.W, in.H, in.C, r.letter); err != nil {
		return 0, fmt.Errorf("frame %d: %w", f.Index, err)
	}
	return time.Since(t0), nil
}

// detect runs the network on the input already in the session.
func (r *runner) detect(ctx context.Context, f *Frame, prep time.Duration) Result {
	b := f.Image.Bounds()
	bx, err := r.net.DetectInput(ctx, r.sess, b.Dx(), b.Dy(), r.letter, &r.opts)
	if err != nil {
		f.Release()
		return Result{Err: err}
	}
	return Result{Frame: f, Boxes: bx, Preprocess: prep, Latency: time.Since(f.Captured)}
}

// endOf turns the source's end into the last result: nothing for the end
// of a file or a cancelled run, else the error.
func endOf(ctx context.Context, err error) (Result, bool) {
	if errors.Is(err, io.EOF) || ctx.Err() != nil {
		return Result{}, false
	}
	return Result{Err: err}, true
}

// live: newest frame, preprocess straight into the session's input, run.
func (r *runner) live(ctx context.Context, src *Source, send func(Result) bool) {
	for ctx.Err() == nil {
		f, err := src.Next()
		if err != nil {
			if res, ok := endOf(ctx, err); ok {
				send(res)
			}
			return
		}
		prep, err := r.input(r.sess.Input(), &r.prep, f)
		if err != nil {
			f.Release()
			send(Result{Err: err})
			return
		}
		res := r.detect(ctx, f, prep)
		if res.Err != nil && ctx.Err() != nil {
			return // cancelled during the network: no result
		}
		if !send(res) || res.Err != nil {
			return
		}
	}
}

// prepared is a frame turned into the network input.
type prepared struct {
	f      *Frame
	tensor []float32
	took   time.Duration
	err    error
}

// pipelined: a goroutine prepares frame k+1 while the network runs frame
// k; two input tensors alternate.
func (r *runner) pipelined(ctx context.Context, src *Source, send func(Result) bool) {
	size := len(r.sess.Input())
	free := make(chan []float32, 2)
	free <- make([]float32, size)
	free <- make([]float32, size)
	ready := make(chan prepared, 1)
	stop := make(chan struct{})
	defer func() {
		// Stop the preparer, then release what it had ready.
		close(stop)
		for p := range ready {
			p.f.Release()
		}
	}()
	go func() {
		defer close(ready)
		var scratch preprocess.Scratch
		for {
			var t []float32
			select {
			case t = <-free:
			case <-stop:
				return
			}
			f, err := src.Next()
			var p prepared
			if err != nil {
				p.err = err
			} else {
				p.f, p.tensor = f, t
				p.took, p.err = r.input(t, &scratch, f)
			}
			select {
			case ready <- p:
			case <-stop:
				p.f.Release()
				return
			}
			if p.err != nil {
				return
			}
		}
	}()
	for p := range ready {
		if p.err != nil {
			p.f.Release()
			if res, ok := endOf(ctx, p.err); ok {
				send(res)
			}
			return
		}
		copy(r.sess.Input(), p.tensor)
		free <- p.tensor
		res := r.detect(ctx, p.f, p.took)
		if res.Err != nil && ctx.Err() != nil {
			return // cancelled during the network: no result
		}
		if !send(res) || res.Err != nil {
			return
		}
	}
}
