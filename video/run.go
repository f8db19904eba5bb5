package video

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/darkgo/darkgo/engine"
	"github.com/darkgo/darkgo/engine/preprocess"
)

// RunOptions tune Run.
type RunOptions struct {
	// Detect are the thresholds; its zero value means Darknet's defaults.
	Detect engine.DetectOptions
	// Threads is how many threads the network uses in all (0: the Net's
	// default).
	Threads int
	// Parallel is how many frames of a file are run at once, each on its
	// own Session with Threads/Parallel threads. Several one-thread
	// networks side by side do more frames per second than one network
	// spread over the same threads (nothing is split, nothing waits on
	// another core), at the cost of one activation arena each and a
	// frame's latency. 0 picks one frame per thread, at most 4 at once;
	// 1 runs frames one at a time on all threads. Live sources always run
	// one frame at a time: a live result must be as fresh as possible.
	Parallel int
}

// maxAutoParallel caps Parallel's automatic choice: each frame in flight
// holds a Session's activation arena.
const maxAutoParallel = 4

// parallel is how many frames run at once, and the threads of each.
func (o *RunOptions) parallel(net *engine.Net, live bool) (frames int, threads []int) {
	total := o.Threads
	if total <= 0 {
		total = net.Threads()
	}
	frames = o.Parallel
	if frames <= 0 {
		frames = min(total, maxAutoParallel)
	}
	if live {
		frames = 1
	}
	frames = max(1, min(frames, total))
	threads = make([]int, frames)
	for i := range threads {
		threads[i] = total / frames
		if i < total%frames {
			threads[i]++
		}
	}
	return frames, threads
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
		live := src.Info().Live
		frames, threads := o.parallel(net, live)
		runners := make([]*runner, frames)
		for i := range runners {
			r, err := newRunner(net, &o, threads[i])
			if err != nil {
				send(Result{Err: err})
				return
			}
			runners[i] = r
		}
		switch {
		case live:
			runners[0].live(ctx, src, send)
		case frames == 1:
			runners[0].pipelined(ctx, src, send)
		default:
			runParallel(ctx, runners, src, send)
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

func newRunner(net *engine.Net, o *RunOptions, threads int) (*runner, error) {
	if err := net.IsDetector(); err != nil {
		return nil, err
	}
	s, err := net.NewSession()
	if err != nil {
		return nil, err
	}
	s.SetThreads(threads)
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
// The preprocessing is split over the session's threads: it is on the
// latency's path and nothing else runs beside it.
func (r *runner) live(ctx context.Context, src *Source, send func(Result) bool) {
	r.prep.SetParts(r.sess.Threads())
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

// prepared is a frame turned into the network input (in the session's
// input buffer).
type prepared struct {
	f    *Frame
	took time.Duration
	err  error
}

// pipelined: a goroutine prepares frame k+1 straight into the session's
// input while the network runs frame k — from the moment the session
// says no layer of the pass will read the input again (OnInputFree,
// after the first layer), so nothing is copied.
func (r *runner) pipelined(ctx context.Context, src *Source, send func(Result) bool) {
	inputFree := make(chan struct{}, 1)
	inputFree <- struct{}{}
	freed := false
	r.sess.OnInputFree(func() {
		freed = true
		inputFree <- struct{}{} // never blocks: one token, taken before each pass
	})
	defer r.sess.OnInputFree(nil)
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
			f, err := src.Next() // while the network still reads the input
			var p prepared
			if err != nil {
				p.err = err
			} else {
				select {
				case <-inputFree:
				case <-stop:
					f.Release()
					return
				}
				p.f = f
				p.took, p.err = r.input(r.sess.Input(), &scratch, f)
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
	// The decoder: boxes and NMS of frame k while the network runs frame
	// k+1 (they cost up to a quarter of a small network's time), in
	// order. raws cycle between the network and the decoder.
	raws := make(chan *engine.RawDetections, 2)
	raws <- new(engine.RawDetections)
	raws <- new(engine.RawDetections)
	type forwarded struct {
		f    *Frame
		raw  *engine.RawDetections
		prep time.Duration
		err  error // the network failed, or the source ended (f nil)
	}
	toDecode := make(chan forwarded, 1)
	decoderDone := make(chan struct{})
	quit := make(chan struct{}) // closed when the decoder stops sending
	go func() {
		defer close(decoderDone)
		stopped := false
		for fw := range toDecode {
			if stopped {
				fw.f.Release()
				continue
			}
			var res Result
			var ok bool
			switch {
			case fw.f == nil: // the source's end or failure
				res, ok = endOf(ctx, fw.err)
				stopped = true
				if ok {
					send(res)
				}
				close(quit)
				continue
			case fw.err != nil:
				fw.f.Release()
				res, ok = Result{Err: fw.err}, ctx.Err() == nil
			default:
				bx, err := r.net.DecodeDetections(fw.raw, &r.opts)
				raws <- fw.raw
				if err != nil {
					fw.f.Release()
					res = Result{Err: err}
				} else {
					res = Result{Frame: fw.f, Boxes: bx, Preprocess: fw.prep, Latency: time.Since(fw.f.Captured)}
				}
				ok = true
			}
			if !ok || !send(res) || res.Err != nil {
				stopped = true
				close(quit)
			}
		}
	}()
	defer func() {
		close(toDecode)
		<-decoderDone
	}()
	for p := range ready {
		if p.err != nil {
			p.f.Release()
			select {
			case toDecode <- forwarded{err: p.err}:
			case <-quit:
			}
			return
		}
		var raw *engine.RawDetections
		select {
		case raw = <-raws:
		case <-quit:
			p.f.Release()
			return
		}
		b := p.f.Image.Bounds()
		freed = false
		err := r.net.ForwardDetections(ctx, r.sess, b.Dx(), b.Dy(), r.letter, raw)
		if !freed { // a network whose layers never read the input
			inputFree <- struct{}{}
		}
		if err != nil {
			raws <- raw
		}
		select {
		case toDecode <- forwarded{f: p.f, raw: raw, prep: p.took, err: err}:
		case <-quit:
			p.f.Release()
			return
		}
		if err != nil {
			return
		}
	}
}

// job is a frame given to a parallel runner, with its place in the file.
type job struct {
	seq int64
	f   *Frame
}

// done is a parallel runner's result for job seq.
type done struct {
	seq int64
	res Result
}

// runParallel runs several frames of a file at once, one per runner, and
// sends the results in frame order. A reader hands frames out as runners
// become free; at most 2·len(runners) frames are between the reader and
// the send (a slow frame holds the ones after it back, never more).
func runParallel(ctx context.Context, runners []*runner, src *Source, send func(Result) bool) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	inFlight := make(chan struct{}, 2*len(runners)) // a token per frame between reader and send
	jobs := make(chan job)
	results := make(chan done, len(runners))
	var wg sync.WaitGroup
	// The reader: the source's frames, numbered; the source's end (or
	// failure) as the last job, with a nil frame.
	var endErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(jobs)
		for seq := int64(0); ; seq++ {
			select {
			case inFlight <- struct{}{}:
			case <-ctx.Done():
				return
			}
			f, err := src.Next()
			if err != nil {
				endErr = err
				select {
				case results <- done{seq: seq}: // the end, in its place
				case <-ctx.Done():
				}
				return
			}
			select {
			case jobs <- job{seq, f}:
			case <-ctx.Done():
				f.Release()
				return
			}
		}
	}()
	for _, r := range runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				prep, err := r.input(r.sess.Input(), &r.prep, j.f)
				var res Result
				if err != nil {
					j.f.Release()
					res = Result{Err: err}
				} else {
					res = r.detect(ctx, j.f, prep)
				}
				select {
				case results <- done{j.seq, res}:
				case <-ctx.Done():
					res.Frame.Release()
					return
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	defer func() {
		cancel()
		for d := range results { // let the reader and the runners finish
			d.res.Frame.Release()
		}
	}()
	// Results in order: the ones that finish early wait in pending. The
	// reader's end (a done with neither frame nor error) takes its place
	// in the order, at seq end.
	pending := map[int64]Result{}
	next, end := int64(0), int64(-1)
	for d := range results {
		if d.res.Frame == nil && d.res.Err == nil {
			end = d.seq
		} else {
			pending[d.seq] = d.res
		}
		for {
			if next == end {
				if r, ok := endOf(ctx, endErr); ok {
					send(r)
				}
				return
			}
			res, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			<-inFlight
			if res.Err != nil && ctx.Err() != nil {
				return // cancelled during the network: no result
			}
			if !send(res) || res.Err != nil {
				return
			}
		}
	}
}
