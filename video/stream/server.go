package stream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Kind names one of the two streams.
type Kind int

const (
	MJPEG Kind = iota // the annotated frames
	JSON              // the per-frame JSON objects
)

// Options tune a Server; the zero value gives the defaults.
type Options struct {
	// Root is the stream GET / serves: MJPEG (as Darknet's mjpeg_port) or
	// JSON (as its json_port).
	Root Kind
	// MaxClients bounds the streams served at once (both kinds together);
	// default 32. Further clients get 503 Service Unavailable.
	MaxClients int
	// WriteTimeout is how long one frame may take to reach a client before
	// the client is dropped; default 10s.
	WriteTimeout time.Duration
	// Quality is PublishFrame's JPEG quality, 1..100; default 80 (Darknet's).
	Quality int
}

const (
	defaultMaxClients   = 32
	defaultWriteTimeout = 10 * time.Second
	defaultQuality      = 80
	// shutdownGrace is how long Close lets handlers finish the frame they
	// are writing before it cuts the connections.
	shutdownGrace = time.Second
)

// Server is an HTTP server streaming the newest frame and JSON object to
// any number of clients. Its methods are safe for concurrent use.
type Server struct {
	opts  Options
	ln    net.Listener
	http  *http.Server
	mjpeg *hub
	json  *hub
	enc   *encoder      // PublishFrame's JPEG encoding
	slots chan struct{} // one token per streaming client

	done      chan struct{} // closed by Close: handlers return
	mu        sync.Mutex    // guards closing and handlers.Add against Close's Wait
	closing   bool
	handlers  sync.WaitGroup
	serveErr  chan error
	closeOnce sync.Once
	closeErr  error
}

// Addr is the address a Server for port listens on: host:port, with host
// 127.0.0.1 when empty, so that a live view is private unless asked
// otherwise (the CLI's -listen).
func Addr(host string, port int) string {
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// Listen starts a Server on addr ("127.0.0.1:8090"; port 0 picks a free
// one, see Addr). It serves until Close.
func Listen(addr string, opts Options) (*Server, error) {
	if opts.Root != MJPEG && opts.Root != JSON {
		return nil, fmt.Errorf("stream: unknown root stream kind %d", opts.Root)
	}
	if opts.Quality < 0 || opts.Quality > 100 {
		return nil, fmt.Errorf("stream: JPEG quality %d: must be 1..100", opts.Quality)
	}
	if opts.MaxClients <= 0 {
		opts.MaxClients = defaultMaxClients
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = defaultWriteTimeout
	}
	if opts.Quality == 0 {
		opts.Quality = defaultQuality
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("stream: %w", err)
	}
	s := &Server{
		opts:     opts,
		ln:       ln,
		mjpeg:    newHub(),
		json:     newHub(),
		slots:    make(chan struct{}, opts.MaxClients),
		done:     make(chan struct{}),
		serveErr: make(chan error, 1),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { s.serveStream(w, r, opts.Root) })
	mux.HandleFunc("GET /stream.mjpg", func(w http.ResponseWriter, r *http.Request) { s.serveStream(w, r, MJPEG) })
	mux.HandleFunc("GET /stream.json", func(w http.ResponseWriter, r *http.Request) { s.serveStream(w, r, JSON) })
	mux.HandleFunc("GET /view", serveView)
	s.http = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		// No WriteTimeout: streams are endless; each frame's write has
		// its own deadline.
		MaxHeaderBytes: 16 << 10,
		IdleTimeout:    time.Minute,
		// The package never prints; net/http would log accept and
		// handshake errors to stderr.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	s.enc = newEncoder(s.mjpeg, opts.Quality)
	go func() { s.serveErr <- s.http.Serve(ln) }()
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// URL is the server's base URL, such as http://127.0.0.1:8090/.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() + "/" }

// Clients is the number of clients connected to the given stream.
func (s *Server) Clients(k Kind) int {
	if k == JSON {
		return s.json.count()
	}
	return s.mjpeg.count()
}

// PublishJPEG sends one JPEG-encoded frame to the MJPEG clients. The data
// is copied; it is not checked to be a JPEG.
func (s *Server) PublishJPEG(jpg []byte) {
	if s.mjpeg.count() == 0 {
		return
	}
	s.mjpeg.publish(bytes.Clone(jpg))
}

// PublishFrame sends img to the MJPEG clients, JPEG-encoded at
// Options.Quality; with no client connected it does nothing, so an
// unwatched server costs nothing. It copies img (the caller may reuse it on
// return) and leaves the encoding to the server's encoder goroutine; a frame
// published while the encoder is busy replaces the one waiting, so the
// stream shows the newest frame at the rate the encoder manages. The error
// is for a frame JPEG cannot hold (empty, or over 65535 pixels a side).
func (s *Server) PublishFrame(img image.Image) error {
	if img == nil {
		return errors.New("stream: PublishFrame: nil image")
	}
	if r := img.Bounds(); r.Empty() || r.Dx() > maxJPEGSide || r.Dy() > maxJPEGSide {
		return fmt.Errorf("stream: PublishFrame: a %dx%d frame cannot be a JPEG (1 to %d pixels a side)", r.Dx(), r.Dy(), maxJPEGSide)
	}
	if s.mjpeg.count() > 0 {
		s.enc.submit(img)
	}
	return nil
}

// maxJPEGSide is the largest width or height a JPEG can record.
const maxJPEGSide = 65535

// PublishJSON sends one JSON value (a frame's detections) to the JSON
// clients, compacted onto one line. It returns an error, publishing
// nothing, if obj is not valid JSON.
func (s *Server) PublishJSON(obj []byte) error {
	var buf bytes.Buffer
	buf.Grow(len(obj) + 1)
	if err := json.Compact(&buf, obj); err != nil {
		return fmt.Errorf("stream: PublishJSON: %w", err)
	}
	if s.json.count() == 0 {
		return nil
	}
	buf.WriteByte('\n')
	s.json.publish(buf.Bytes())
	return nil
}

// enter registers a running stream handler; false once Close has begun.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.handlers.Add(1)
	return true
}

// Close stops the server: the streams end (each client's current frame is
// given a moment to finish), the listener closes, and Close returns once
// every handler has returned. Publishing after Close does nothing.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closing = true
		s.mu.Unlock()
		s.mjpeg.close()
		s.json.close()
		close(s.done)
		ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		if err := s.http.Shutdown(ctx); err != nil {
			s.http.Close() // a client stalled mid-frame: cut it
		}
		s.handlers.Wait()
		s.enc.close()
		if err := <-s.serveErr; !errors.Is(err, http.ErrServerClosed) {
			s.closeErr = fmt.Errorf("stream: %w", err)
		}
	})
	return s.closeErr
}
