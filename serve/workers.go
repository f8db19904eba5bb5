package serve

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/darkgo/darkgo/engine"
	"github.com/darkgo/darkgo/engine/detect"
	"github.com/darkgo/darkgo/engine/preprocess"
)

// job is one image waiting for, or in, a worker.
type job struct {
	ctx      context.Context
	model    int // index into pool.models
	data     []byte
	opts     engine.DetectOptions // Thresh and NMS as the engine takes them (never 0)
	keep     []bool               // classes to report (nil: all)
	enqueued time.Time

	// state moves queued -> running (a worker took it) or queued ->
	// abandoned (its request gave up waiting); whoever moves it first wins.
	state atomic.Int32
	done  chan struct{} // closed when res/err are set

	res result
	err error
}

const (
	jobQueued int32 = iota
	jobRunning
	jobAbandoned
)

// result is a finished detection with the time of each stage.
type result struct {
	width, height int
	dets          []detect.Detection // unwanted classes' probabilities zeroed
	queue         time.Duration
	decode        time.Duration
	resize        time.Duration
	network       time.Duration
	post          time.Duration
}

var (
	errQueueFull = &httpError{status: http.StatusServiceUnavailable, msg: "server busy: the inference queue is full, retry later", retryAfter: 1}
	errExpired   = &httpError{status: http.StatusServiceUnavailable, msg: "server busy: the request's deadline passed while it waited in the queue", retryAfter: 1}
	errStopping  = &httpError{status: http.StatusServiceUnavailable, msg: "server shutting down", retryAfter: 1}
)

// pool is the fixed set of inference workers and their bounded queue.
type pool struct {
	models    []*Model
	maxPixels int64
	metrics   *metrics

	queue  chan *job
	mu     sync.RWMutex // guards closed against sends on a closed queue
	closed bool
	wg     sync.WaitGroup
	busy   atomic.Int64

	// beforeRun, when set (by tests), runs in the worker when it has taken
	// a job and is about to run it.
	beforeRun atomic.Pointer[func()]
}

// worker owns one session per model and the decoder's scratch buffers, so a
// request allocates only its decoded image.
type worker struct {
	sessions []*engine.Session
	scratch  preprocess.Scratch
}

func newPool(models []*Model, workers, threads, queue int, maxPixels int64, m *metrics) (*pool, error) {
	p := &pool{models: models, maxPixels: maxPixels, metrics: m, queue: make(chan *job, queue)}
	ws := make([]*worker, workers)
	for i := range ws {
		w := &worker{}
		for _, mod := range models {
			s, err := mod.Net.NewSession()
			if err != nil {
				return nil, fmt.Errorf("model %s: %w", mod.Name, err)
			}
			s.SetThreads(threads)
			w.sessions = append(w.sessions, s)
		}
		ws[i] = w
	}
	for _, w := range ws {
		p.wg.Add(1)
		go p.loop(w)
	}
	return p, nil
}

// submit queues j, or refuses at once when the queue is full: a camera
// client with a 100 ms timeout is better served by a fast no.
func (p *pool) submit(j *job) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return errStopping
	}
	j.enqueued = time.Now()
	select {
	case p.queue <- j:
		return nil
	default:
		return errQueueFull
	}
}

// wait waits for j's result, or gives up when ctx ends while j is still
// queued (a running job stops between layers, as its ctx is the same).
func (p *pool) wait(ctx context.Context, j *job) (*result, error) {
	select {
	case <-j.done:
	case <-ctx.Done():
		if j.state.CompareAndSwap(jobQueued, jobAbandoned) {
			p.metrics.dropped.Inc()
			return nil, errExpired
		}
		<-j.done
	}
	return &j.res, j.err
}

// close stops the workers once the queue is drained.
func (p *pool) close() {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.queue)
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *pool) loop(w *worker) {
	defer p.wg.Done()
	for j := range p.queue {
		if !j.state.CompareAndSwap(jobQueued, jobRunning) {
			continue // its request gave up (counted there)
		}
		j.res.queue = time.Since(j.enqueued)
		if err := j.ctx.Err(); err != nil {
			p.metrics.dropped.Inc()
			j.err = errExpired
			close(j.done)
			continue
		}
		p.busy.Add(1)
		if f := p.beforeRun.Load(); f != nil {
			(*f)()
		}
		j.err = p.run(w, j)
		p.busy.Add(-1)
		close(j.done)
	}
}

// run decodes and detects one image on w's session for the job's model.
// A panic (a decoder bug on a hostile file) becomes an error and a fresh
// session, never a dead server.
func (p *pool) run(w *worker, j *job) (err error) {
	m := p.models[j.model]
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic while detecting: %v", r)
			if s, e := m.Net.NewSession(); e == nil {
				s.SetThreads(w.sessions[j.model].Threads())
				w.sessions[j.model] = s
			}
		}
	}()
	r := &j.res
	t0 := time.Now()
	img, _, err := preprocess.DecodeBytes(j.data, &preprocess.DecodeOptions{MaxPixels: p.maxPixels})
	if err != nil {
		return imageError(err)
	}
	t1 := time.Now()
	b := img.Bounds()
	r.width, r.height = b.Dx(), b.Dy()
	s := w.sessions[j.model]
	in := m.Net.Input
	letter := m.Net.LetterBox || m.Letterbox
	if err := w.scratch.NetworkInput(s.Input(), img, in.W, in.H, in.C, letter); err != nil {
		return imageError(err)
	}
	t2 := time.Now()
	bx, err := m.Net.DetectInput(j.ctx, s, r.width, r.height, letter, &j.opts)
	if err != nil {
		if j.ctx.Err() != nil {
			return errExpired
		}
		return err
	}
	if j.keep != nil {
		for i := range bx.Detections {
			for c := range bx.Detections[i].Prob {
				if c >= len(j.keep) || !j.keep[c] {
					bx.Detections[i].Prob[c] = 0
				}
			}
		}
	}
	r.dets = bx.Detections
	r.decode, r.resize, r.network, r.post = t1.Sub(t0), t2.Sub(t1), bx.Network, bx.Decode
	p.metrics.observeStages(m.Name, r)
	return nil
}

// imageError is a decoding failure: the client's image is at fault.
func imageError(err error) error {
	if errors.Is(err, preprocess.ErrTooLarge) {
		return errorf(http.StatusRequestEntityTooLarge, "%v", err)
	}
	return errorf(http.StatusBadRequest, "cannot read the image: %v", err)
}
