package serve

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/darkgo/darkgo/kernels"
)

// Config sets up a Server. Zero values mean the defaults noted.
type Config struct {
	// Models to serve; Default names the one behind /v1/vision/detection
	// (default: the first). /v1/vision/face uses the model named "face".
	Models  []*Model
	Default string

	// Workers run detections, each with its own sessions of Threads
	// threads; see Concurrency for the defaults.
	Workers, Threads int
	// Queue is how many requests may wait for a worker (default 2 per
	// worker); more are refused with 503 at once.
	Queue int
	// Timeout bounds a request's wait in the queue plus its inference
	// (default 10 s).
	Timeout time.Duration

	// MaxBody is the largest request body read (default 20 MB).
	MaxBody int64
	// MaxPixels is the largest image (width × height) decoded (default
	// preprocess.DefaultMaxPixels, 100 MP).
	MaxPixels int64
	// MaxPredictions caps the predictions of a DeepStack answer (the
	// most confident ones; 0: no cap). Frigate's client fails on more
	// than 20 over 0.4.
	MaxPredictions int
	// APIKey, when set, is required on the detection routes and
	// /v1/models: DeepStack's form field api_key or Authorization: Bearer.
	APIKey string

	// Logger gets one line per request (default: discard).
	Logger *slog.Logger

	// Listener settings, used by Serve (defaults in brackets):
	// ReadHeaderTimeout [5 s], ReadTimeout [30 s], WriteTimeout [ReadTimeout
	// + Timeout + 5 s], IdleTimeout [60 s], MaxConns [256] concurrent
	// connections, ShutdownTimeout [30 s] to finish in-flight requests.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	MaxConns                                                  int
	ShutdownTimeout                                           time.Duration
	// TLSCert and TLSKey, both set, make Serve speak HTTPS.
	TLSCert, TLSKey string
}

// Defaults of Config.
const (
	DefaultMaxBody           = 20 << 20
	DefaultMinConfidence     = 0.4
	DefaultTimeout           = 10 * time.Second
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultIdleTimeout       = 60 * time.Second
	DefaultMaxConns          = 256
	DefaultShutdownTimeout   = 30 * time.Second
)

// Concurrency fills in the workers and threads per worker for cores
// cores: given neither, one single-threaded worker per core (the most
// images per second: each request runs on one core, decoding included);
// given one, the other fills the cores; the product never needs to exceed
// the cores.
func Concurrency(cores, workers, threads int) (w, t int) {
	cores = max(cores, 1)
	switch {
	case workers <= 0 && threads <= 0:
		return cores, 1
	case workers <= 0:
		return max(1, cores/threads), threads
	case threads <= 0:
		return workers, max(1, cores/workers)
	}
	return workers, threads
}

// Server is the detection service. Its Handler serves the routes; Serve
// runs it on a listener with the network limits.
type Server struct {
	cfg     Config
	models  map[string]int // name -> index in cfg.Models
	def     int
	face    int // -1: no face model
	key     apiKey
	pool    *pool
	metrics *metrics
	log     *slog.Logger
	infos   []ModelInfo
	// visionNames are each model's labels on the DeepStack routes.
	visionNames [][]string
	mux         *http.ServeMux
	stopping    atomic.Bool
}

// New checks the models, starts the workers and builds the routes. Close
// stops the workers (Serve does it when it returns).
func New(cfg Config) (*Server, error) {
	if len(cfg.Models) == 0 {
		return nil, errors.New("serve: no models")
	}
	cfg.Workers, cfg.Threads = Concurrency(runtime.GOMAXPROCS(0), cfg.Workers, cfg.Threads)
	if cfg.Queue <= 0 {
		cfg.Queue = 2 * cfg.Workers
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.MaxPixels <= 0 {
		cfg.MaxPixels = 100_000_000
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{cfg: cfg, models: map[string]int{}, face: -1, key: newAPIKey(cfg.APIKey), log: cfg.Logger, metrics: newMetrics()}
	for i, m := range cfg.Models {
		if m == nil || m.Net == nil {
			return nil, fmt.Errorf("serve: model %d has no network", i)
		}
		if m.Name == "" || strings.ContainsAny(m.Name, "/?#% ") {
			return nil, fmt.Errorf("serve: model name %q: want a non-empty name without / ? # %% or spaces", m.Name)
		}
		if _, dup := s.models[m.Name]; dup {
			return nil, fmt.Errorf("serve: two models named %q", m.Name)
		}
		if err := m.Net.IsDetector(); err != nil {
			return nil, fmt.Errorf("serve: model %s: %w", m.Name, err)
		}
		s.models[m.Name] = i
		s.visionNames = append(s.visionNames, visionNames(m.Names))
	}
	if cfg.Default != "" {
		i, ok := s.models[cfg.Default]
		if !ok {
			return nil, fmt.Errorf("serve: default model %q is not loaded (models: %s)", cfg.Default, strings.Join(s.modelNames(), ", "))
		}
		s.def = i
	}
	if i, ok := s.models[FaceModelName]; ok {
		s.face = i
	}
	s.infos = s.modelInfos()
	p, err := newPool(cfg.Models, cfg.Workers, cfg.Threads, cfg.Queue, cfg.MaxPixels, s.metrics)
	if err != nil {
		return nil, err
	}
	s.pool = p
	s.metrics.registerPool(p, cfg.Workers, cfg.Threads)
	s.metrics.registerModels(s.infos)
	s.routes()
	return s, nil
}

// Close stops the workers after the queued requests. Call it only when no
// handler runs any more (Serve does).
func (s *Server) Close() { s.pool.close() }

// Handler serves every route.
func (s *Server) Handler() http.Handler { return s.mux }

// Workers and Threads report the concurrency in use (after defaults).
func (s *Server) Workers() int { return s.cfg.Workers }
func (s *Server) Threads() int { return s.cfg.Threads }

func (s *Server) modelNames() []string {
	var names []string
	for n := range s.models {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (s *Server) modelInfos() []ModelInfo {
	var infos []ModelInfo
	for i, m := range s.cfg.Models {
		algos := map[string]int{}
		for _, l := range m.Net.Layers {
			if a := l.Algorithm(); a != "" {
				algos[a]++
			}
		}
		var parts []string
		for a, k := range algos {
			parts = append(parts, fmt.Sprintf("%s×%d", a, k))
		}
		sort.Strings(parts)
		kern := kernels.Name()
		if len(parts) > 0 {
			kern += " (" + strings.Join(parts, ", ") + ")"
		}
		thresh, nms := m.Thresh, m.NMS
		if thresh == 0 {
			thresh = 0.25
		}
		if nms == 0 {
			nms = 0.45
		}
		infos = append(infos, ModelInfo{Name: m.Name, Default: i == s.def, Cfg: m.Cfg, Weights: m.Weights,
			Width: m.Net.Input.W, Height: m.Net.Input.H, Classes: m.classes(), Names: m.Names,
			BFLOPs: m.Net.BFLOPs(), Thresh: thresh, NMS: nms, Kernels: kern})
	}
	return infos
}
