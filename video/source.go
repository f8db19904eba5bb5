package video

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/darkgo/darkgo/yuv"
)

// Live selects how a Source delivers frames.
type Live int

const (
	LiveAuto Live = iota // by the kind of source: cameras, streams and stdin are live
	LiveOn               // newest frame only, drop the frames the consumer is too slow for
	LiveOff              // every frame, in order, at the consumer's pace
)

// Options tune Open. The zero value reads every frame of a file and does
// not reconnect live streams.
type Options struct {
	// FFmpeg is the ffmpeg executable; "" looks for "ffmpeg" on PATH.
	FFmpeg string
	Live   Live
	// Skip > 1 keeps every Skip-th frame (frames 0, Skip, 2·Skip, …),
	// dropped inside ffmpeg before they are converted.
	Skip int
	// Retries is how many times a camera or network stream that fails or
	// ends is reopened (the count starts again after each frame received).
	Retries int
	// RetryDelay is the first wait before reopening; it doubles on each
	// consecutive failure up to 16×. 0 means 500 ms.
	RetryDelay time.Duration
	// Timeout is the network I/O timeout given to ffmpeg for streams
	// (0: 10 s).
	Timeout time.Duration
	// InputArgs are extra ffmpeg options placed before -i, e.g.
	// {"-f", "rawvideo", "-pixel_format", "rgb24", "-video_size", "640x480"}
	// for raw frames on stdin.
	InputArgs []string
	// Stdin is read for the source "-" (nil: os.Stdin).
	Stdin io.Reader
	// MaxPixels rejects frames larger than this (0: 100 megapixels).
	MaxPixels int64
	// DecoderThreads > 0 caps ffmpeg's decoder threads (-threads before
	// -i); 0 leaves the choice to ffmpeg (about one per core). A decoder
	// confined to the cores the network leaves free keeps off the
	// network's: see DecoderThreadsFor.
	DecoderThreads int
	// DecoderNice > 0 runs ffmpeg that many steps nicer than this process
	// (Linux; up to nice 19), so that the network's threads win the cores
	// they share with the decoder instead of being time-sliced with it:
	// see DecoderNiceFor.
	DecoderNice int
}

// DecoderThreadsFor is the decoder threads that leave networkThreads of
// the machine's cores to the network: the spare cores, or 0 (ffmpeg's
// own choice) when there are none. On 2 cores of a Zen 5 a one-thread
// network ran a 1080p H.264 file 7-11% faster with a one-thread decoder
// than with ffmpeg's frame threads spread over both cores (the network's
// core stayed its own); with the network on every core, ffmpeg's choice
// was faster.
func DecoderThreadsFor(networkThreads int) int {
	return max(0, cores()-networkThreads)
}

// cores is the cores this process and its children may use: GOMAXPROCS
// follows a container's CPU limit, which binds ffmpeg too.
func cores() int { return min(runtime.NumCPU(), runtime.GOMAXPROCS(0)) }

// DecoderNiceFor is the DecoderNice for a network on networkThreads of the
// machine's cores: 10 when the network leaves cores to the decoder, 0 when
// it takes them all. A one-thread network beside ffmpeg on 2 cores ran
// time-sliced with it (network p50 6.3-6.8 ms against 5.2 alone; Zen 4,
// 1080p H.264, face model); with ffmpeg at nice 10 it kept its core
// (5.5-6.0 ms) and the file went from 139-152 to 154-174 fps, 3
// interleaved pairs. When the network takes every core the decoder is
// what it waits for, and a nicer one lost 4-14% (face model and
// CSPPeleeNet-EFM on 2 threads).
func DecoderNiceFor(networkThreads int) int {
	if networkThreads < cores() {
		return 10
	}
	return 0
}

func (o *Options) timeout() time.Duration {
	if o.Timeout > 0 {
		return o.Timeout
	}
	return 10 * time.Second
}

// Info describes an open source.
type Info struct {
	Source        string
	Kind          Kind
	Live          bool
	Width, Height int
	// FPS is the source's frame rate as ffmpeg reports it (0 if unknown),
	// before Skip.
	FPS float64
	// Duration is the file's duration (0 for live or unknown).
	Duration time.Duration
	Codec    string
}

// Frame is one decoded frame. Release gives its buffer back to the Source.
type Frame struct {
	// Image holds the pixels as ffmpeg decoded them, unconverted: a
	// *yuv.Image (planar 4:2:0, 4:2:2 or 4:4:4 Y'CbCr with its range and
	// matrix, for nearly all video) or an *image.RGBA (RGB, palette and
	// alpha sources). A gray source arrives as a 4:2:0 *yuv.Image with
	// neutral chroma, so that boxes can still be drawn in colour. Its
	// bounds start at 0,0.
	Image image.Image
	// Format is the pixel format ffmpeg decoded the frame to, as ffmpeg
	// names it: "yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p",
	// "yuvj444p", "gray" or "rgba".
	Format string
	// Index is the frame's position in the source, 0-based: with Skip it
	// counts the skipped frames too; on a live source it counts every
	// frame received (dropped ones included) across reconnections.
	Index int64
	// PTS is the presentation time: the file's timestamp, or for a live
	// source the time since its first frame was received.
	PTS time.Duration
	// Captured is when the frame had been read from ffmpeg.
	Captured time.Time
	src      *Source
}

// Release returns the frame's buffer for reuse; the frame must not be
// used afterwards. Releasing is optional (the garbage collector takes
// frames that are not released), but saves an allocation per frame.
func (f *Frame) Release() {
	if f == nil || f.src == nil {
		return
	}
	select {
	case f.src.free <- f.Image:
	default:
	}
	f.src = nil
	f.Image = nil
}

// Stats counts a source's frames.
type Stats struct {
	Received   int64 // frames read from ffmpeg
	Delivered  int64 // frames returned by Next
	Dropped    int64 // live frames replaced by a newer one before Next took them
	Reconnects int64
	Buffers    int64 // frame buffers allocated (released ones are reused)
}

// Source is an open video. Next returns its frames; Close stops it. Next
// must not be called from several goroutines at once.
type Source struct {
	info   Info
	opts   Options
	ffmpeg string
	ctx    context.Context
	cancel context.CancelFunc

	queue  chan *Frame   // LiveOff: every frame, in order
	mu     sync.Mutex    // guards latest
	latest *Frame        // live: the newest frame not yet taken
	notify chan struct{} // live: a frame was stored in latest
	ready  chan struct{} // closed when the first frame's size is known (or the reader ended)
	done   chan struct{} // closed when the reader has ended; err is then final
	err    error
	free   chan image.Image

	received, delivered, dropped, reconnects, buffers atomic.Int64
	firstCapture                                      time.Time
	closeOnce                                         sync.Once
}

// Open starts decoding source: a video file (any container and codec
// ffmpeg reads), an image sequence pattern (frame_%04d.jpg), a camera
// (/dev/video0), a network stream (rtsp://, http(s):// MJPEG or HLS, …) or
// "-" for a stream on standard input. It returns once the first frame's
// size is known, or with an error naming the source and ffmpeg's reason.
// The source stops when ctx is cancelled or Close is called.
func Open(ctx context.Context, source string, opts *Options) (*Source, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.RetryDelay <= 0 {
		o.RetryDelay = 500 * time.Millisecond
	}
	if o.MaxPixels <= 0 {
		o.MaxPixels = 100_000_000
	}
	if o.Retries < 0 {
		return nil, fmt.Errorf("video: Retries %d < 0", o.Retries)
	}
	kind := Classify(source)
	if err := checkLocal(source, kind); err != nil {
		return nil, err
	}
	ffmpeg, err := findFFmpeg(o.FFmpeg)
	if err != nil {
		return nil, err
	}
	live := kind.Live()
	if kind == KindStdin && stdinIsFile(o.Stdin) {
		live = false // `detect - < walk.mp4`: a file, read at our pace
	}
	switch o.Live {
	case LiveOn:
		live = true
	case LiveOff:
		live = false
	}
	s := &Source{info: Info{Source: source, Kind: kind, Live: live}, opts: o, ffmpeg: ffmpeg,
		notify: make(chan struct{}, 1), ready: make(chan struct{}), done: make(chan struct{}),
		free: make(chan image.Image, 8)}
	if !live {
		s.queue = make(chan *Frame, 2)
	}
	s.ctx, s.cancel = context.WithCancel(ctx)

	p, err := startProcess(s.ctx, ffmpeg, source, kind, &o)
	if err != nil {
		s.cancel()
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	go s.read(p)
	select {
	case <-s.ready:
	case <-s.done:
	}
	select {
	case <-s.done:
		if s.received.Load() == 0 {
			err := s.err
			s.Close()
			if errors.Is(err, io.EOF) {
				err = fmt.Errorf("%s: no video frames", source)
			}
			return nil, err
		}
	default:
	}
	return s, nil
}

// stdinIsFile reports whether the stdin source (r, or os.Stdin when nil)
// is a regular file rather than a pipe or a terminal.
func stdinIsFile(r io.Reader) bool {
	if r == nil {
		r = os.Stdin
	}
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode().IsRegular()
}

// checkLocal gives the usual file error for a missing file or camera
// before ffmpeg is involved.
func checkLocal(source string, kind Kind) error {
	if kind != KindFile && kind != KindCamera {
		return nil
	}
	st, err := os.Stat(source)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		if kind == KindCamera {
			return fmt.Errorf("%s: no such camera (%w)", source, err)
		}
		return fmt.Errorf("%s: %w", source, err)
	}
	if kind == KindFile && st.IsDir() {
		return fmt.Errorf("%s: is a directory", source)
	}
	return nil
}

// Info describes the source (size of the first frame, frame rate).
func (s *Source) Info() Info { return s.info }

// Stats returns the frame counters so far.
func (s *Source) Stats() Stats {
	return Stats{Received: s.received.Load(), Delivered: s.delivered.Load(), Dropped: s.dropped.Load(),
		Reconnects: s.reconnects.Load(), Buffers: s.buffers.Load()}
}

// Next returns the next frame: on a file the next one in order, on a live
// source the newest one received since the last call (waiting for one if
// there is none). At the end of a file it returns io.EOF; when the source
// failed (or gave up reconnecting) an error naming it; after Close or
// when the context is cancelled, the context's error.
func (s *Source) Next() (*Frame, error) {
	// A cancelled context wins over frames already queued: select picks
	// among ready cases at random, so without this check a caller that
	// cancelled could still be handed a buffered frame.
	if err := s.ctx.Err(); err != nil {
		return nil, err
	}
	if s.queue != nil {
		select {
		case f, ok := <-s.queue:
			if ok {
				s.delivered.Add(1)
				return f, nil
			}
			return nil, s.err
		case <-s.ctx.Done():
			return nil, s.ctx.Err()
		}
	}
	for {
		if f := s.takeLatest(); f != nil {
			return f, nil
		}
		select {
		case <-s.notify:
		case <-s.done:
			if f := s.takeLatest(); f != nil {
				return f, nil
			}
			return nil, s.err
		case <-s.ctx.Done():
			return nil, s.ctx.Err()
		}
	}
}

// takeLatest takes the live source's newest frame, if there is one.
func (s *Source) takeLatest() *Frame {
	s.mu.Lock()
	f := s.latest
	s.latest = nil
	s.mu.Unlock()
	if f != nil {
		s.delivered.Add(1)
	}
	return f
}

// Close stops the source: ffmpeg is killed and reaped before Close
// returns.
func (s *Source) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		<-s.done
	})
	return nil
}

// read runs ffmpeg processes one after the other (reconnecting live
// streams) and hands their frames on until the end; it sets err and
// closes done when it returns.
func (s *Source) read(p *process) {
	err := s.readAll(p)
	if s.ctx.Err() != nil {
		err = s.ctx.Err()
	}
	s.err = err
	if s.queue != nil {
		close(s.queue)
	}
	close(s.done)
}

func (s *Source) readAll(p *process) error {
	retryable := s.info.Kind == KindStream || s.info.Kind == KindCamera
	failures := 0
	for {
		n, err := s.readFrames(p)
		p.stop()
		if s.ctx.Err() != nil {
			return s.ctx.Err()
		}
		if err == nil && !retryable {
			return io.EOF
		}
		if n > 0 {
			failures = 0
		}
		if err == nil {
			err = errors.New("the stream ended")
		}
		if !retryable || s.received.Load() == 0 {
			return named(s.info.Source, err)
		}
		if failures >= s.opts.Retries {
			if s.opts.Retries == 0 {
				return fmt.Errorf("%s: %w (no retries)", s.info.Source, err)
			}
			return fmt.Errorf("%s: %w; gave up after %d %s", s.info.Source, err, s.opts.Retries, plural(s.opts.Retries, "retry", "retries"))
		}
		delay := s.opts.RetryDelay << min(failures, 4)
		failures++
		select {
		case <-time.After(delay):
		case <-s.ctx.Done():
			return s.ctx.Err()
		}
		s.reconnects.Add(1)
		p, err = startProcess(s.ctx, s.ffmpeg, s.info.Source, s.info.Kind, &s.opts)
		if err != nil {
			return fmt.Errorf("%s: %w", s.info.Source, err)
		}
	}
}

// named prefixes err with the source, unless ffmpeg's message already
// starts with it ("x.mp4: Invalid data found when processing input").
func named(source string, err error) error {
	if strings.HasPrefix(err.Error(), source+": ") {
		return err
	}
	return fmt.Errorf("%s: %w", source, err)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// readFrames reads p's frames until its stdout ends. It returns how many
// it read and nil if ffmpeg then exited normally, else why it failed.
func (s *Source) readFrames(p *process) (int, error) {
	n := 0
	for {
		m, ok := <-p.meta
		if !ok {
			// stderr ended: ffmpeg is exiting. Anything left on stdout
			// without a showinfo line would be a bug; read to EOF.
			_, _ = io.Copy(io.Discard, p.stdout)
			if err := p.wait(); err != nil {
				return n, p.exitError(err)
			}
			if n == 0 {
				if r := p.tail.reason(p.source); r != "" {
					return 0, fmt.Errorf("no video frames: %s", r)
				}
				return 0, errors.New("no video frames")
			}
			return n, nil
		}
		if m.err != nil {
			return n, m.err
		}
		if err := s.setSize(p, m.w, m.h); err != nil {
			return n, err
		}
		img, pix := s.buffer(m)
		if _, err := io.ReadFull(p.stdout, pix); err != nil {
			if s.ctx.Err() != nil {
				return n, s.ctx.Err()
			}
			werr := p.wait()
			if werr != nil {
				return n, p.exitError(werr)
			}
			return n, fmt.Errorf("ffmpeg stopped in the middle of frame %d: %v", s.received.Load(), err)
		}
		now := time.Now()
		k := s.received.Add(1) - 1
		if m.layout.gray {
			setNeutralChroma(img.(*yuv.Image))
		}
		f := &Frame{Image: img, Format: m.layout.name, Captured: now, src: s}
		if s.info.Live {
			if s.firstCapture.IsZero() {
				s.firstCapture = now
			}
			f.Index, f.PTS = k, now.Sub(s.firstCapture)
		} else {
			f.Index, f.PTS = k*int64(max(s.opts.Skip, 1)), time.Duration(m.pts*float64(time.Second))
		}
		n++
		if !s.deliver(f) {
			return n, s.ctx.Err()
		}
	}
}

// setSize records the frame size at the first frame and refuses a later
// change (a stream that comes back at another size).
func (s *Source) setSize(p *process, w, h int) error {
	select {
	case <-s.ready:
		if w != s.info.Width || h != s.info.Height {
			return fmt.Errorf("the frame size changed from %dx%d to %dx%d", s.info.Width, s.info.Height, w, h)
		}
		return nil
	default:
	}
	if w <= 0 || h <= 0 || int64(w)*int64(h) > s.opts.MaxPixels {
		return fmt.Errorf("frame size %dx%d is out of range (limit %d pixels)", w, h, s.opts.MaxPixels)
	}
	s.info.Width, s.info.Height = w, h
	<-p.header // closed before the first showinfo line is sent
	s.info.FPS, s.info.Duration, s.info.Codec = p.fps, p.duration, p.codec
	close(s.ready)
	return nil
}

// buffer returns a frame image of the source's size in m's layout and
// colour, reusing a released one of the same layout and size, and the
// bytes ffmpeg's raw frame is to be read into.
func (s *Source) buffer(m frameMeta) (image.Image, []byte) {
	w, h := s.info.Width, s.info.Height
	for {
		select {
		case img := <-s.free:
			if pix := rawBytes(img, m.layout, w, h); pix != nil {
				if p, ok := img.(*yuv.Image); ok {
					p.FullRange, p.Matrix = m.colour.full, m.colour.matrix
				}
				return img, pix
			}
			// another layout or size (a reconnection changed it): dropped
		default:
			s.buffers.Add(1)
			var img image.Image
			switch {
			case m.layout.rgba:
				img = image.NewRGBA(image.Rect(0, 0, w, h))
			case m.layout.gray:
				img = yuv.NewImage(w, h, image.YCbCrSubsampleRatio420, m.colour.full, m.colour.matrix)
			default:
				img = yuv.NewImage(w, h, m.layout.ratio, m.colour.full, m.colour.matrix)
			}
			return img, rawBytes(img, m.layout, w, h)
		}
	}
}

// rawBytes is the part of img that one raw w×h frame in layout l fills,
// or nil if img is not an image of that layout and size.
func rawBytes(img image.Image, l pixelLayout, w, h int) []byte {
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		return nil
	}
	switch p := img.(type) {
	case *image.RGBA:
		if l.rgba {
			return p.Pix[:4*w*h]
		}
	case *yuv.Image:
		switch {
		case l.gray && p.SubsampleRatio == image.YCbCrSubsampleRatio420:
			return p.Buffer()[:w*h]
		case !l.gray && !l.rgba && p.SubsampleRatio == l.ratio:
			return p.Buffer()
		}
	}
	return nil
}

// setNeutralChroma makes a gray frame's chroma neutral (128: no colour
// in any matrix or range); it is set each time because boxes drawn on a
// released frame coloured it.
func setNeutralChroma(p *yuv.Image) {
	for i := range p.Cb {
		p.Cb[i] = 128
	}
	for i := range p.Cr {
		p.Cr[i] = 128
	}
}

// deliver hands f to Next: queued in order (files) or as the newest frame,
// dropping an older one not yet taken (live). It reports false when the
// source is stopping.
func (s *Source) deliver(f *Frame) bool {
	if s.queue != nil {
		select {
		case s.queue <- f:
			return true
		case <-s.ctx.Done():
			return false
		}
	}
	s.mu.Lock()
	old := s.latest
	s.latest = f
	s.mu.Unlock()
	if old != nil {
		s.dropped.Add(1)
		old.Release()
	}
	select {
	case s.notify <- struct{}{}:
	default:
	}
	return true
}
