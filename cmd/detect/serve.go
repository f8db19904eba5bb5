package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/darkgo/darkgo/engine"
	"github.com/darkgo/darkgo/serve"
)

const serveUsage = `usage:
  detect serve [-listen 127.0.0.1:5000] [-model NAME=CFG,WEIGHTS[,NAMES]]... [flags]
      a DeepStack/CodeProject.AI-compatible detection server (Frigate, Home
      Assistant, Blue Iris): POST /v1/vision/detection, /v1/vision/face,
      /v1/vision/custom/NAME; darkgo's POST /v1/detect; GET /v1/models,
      /healthz, /readyz, /metrics. The bundled face detector is always
      served as "face"; without -model it is also the default.
  detect serve -healthcheck URL
      GET URL (e.g. http://127.0.0.1:5000/healthz): exit 0 on 200, else 1
      (for a container HEALTHCHECK without a shell).

flags:
`

// modelFlags collects repeated -model NAME=CFG,WEIGHTS[,NAMES] flags.
type modelFlags []modelSpec

type modelSpec struct{ name, cfg, weights, names string }

func (m *modelFlags) String() string { return "" }

func (m *modelFlags) Set(v string) error {
	name, files, ok := strings.Cut(v, "=")
	parts := strings.Split(files, ",")
	if !ok || name == "" || len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return fmt.Errorf("want NAME=CFG,WEIGHTS[,NAMES], e.g. yolo=yolov4-tiny.cfg,yolov4-tiny.weights")
	}
	s := modelSpec{name: name, cfg: parts[0], weights: parts[1]}
	if len(parts) == 3 {
		s.names = parts[2]
	}
	*m = append(*m, s)
	return nil
}

// runServe is `detect serve`; it returns the exit status.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("detect serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, serveUsage)
		fs.PrintDefaults()
	}
	var (
		models                         modelFlags
		cfg                            serve.Config
		listen, logFormat, healthcheck string
		exact                          bool
	)
	fs.Var(&models, "model", "serve a model: `NAME=CFG,WEIGHTS[,NAMES]` (repeatable; names default as in detection mode)")
	fs.StringVar(&cfg.Default, "default", "", "the `model` behind /v1/vision/detection and /v1/detect (default: the first -model, else face)")
	fs.StringVar(&listen, "listen", "127.0.0.1:5000", "`address` to listen on (\":5000\" exposes the server on every interface)")
	fs.IntVar(&cfg.Workers, "workers", 0, "inference workers, each running one image at a time (default: cores / threads)")
	fs.IntVar(&cfg.Threads, "threads", 0, "threads per worker (default: 1 when -workers is not given, else cores / workers)")
	fs.IntVar(&cfg.Queue, "queue", 0, "requests that may wait for a worker; more get 503 at once (default: 2 per worker)")
	fs.DurationVar(&cfg.Timeout, "timeout", serve.DefaultTimeout, "longest a request may wait in the queue plus run")
	fs.Int64Var(&cfg.MaxBody, "max-body", serve.DefaultMaxBody, "largest request body in `bytes`")
	fs.Int64Var(&cfg.MaxPixels, "max-pixels", 100_000_000, "largest image (width × height) decoded")
	fs.IntVar(&cfg.MaxPredictions, "max-predictions", 0, "DeepStack routes: answer at most `N` predictions, the most confident (0: all; Frigate needs 20 or fewer)")
	fs.StringVar(&cfg.APIKey, "api-key", os.Getenv("DARKGO_API_KEY"), "require this API key (form field api_key or Authorization: Bearer); default $DARKGO_API_KEY")
	fs.StringVar(&cfg.TLSCert, "tls-cert", "", "serve HTTPS with this certificate `file` (and -tls-key)")
	fs.StringVar(&cfg.TLSKey, "tls-key", "", "the TLS private key `file`")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", serve.DefaultShutdownTimeout, "on SIGTERM/Ctrl-C, how long in-flight requests may take to finish")
	fs.DurationVar(&cfg.ReadHeaderTimeout, "read-header-timeout", serve.DefaultReadHeaderTimeout, "longest a client may take to send its headers")
	fs.DurationVar(&cfg.ReadTimeout, "read-timeout", serve.DefaultReadTimeout, "longest a client may take to send a whole request")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", serve.DefaultIdleTimeout, "how long an idle keep-alive connection stays open")
	fs.IntVar(&cfg.MaxConns, "max-conns", serve.DefaultMaxConns, "most connections served at once (more wait in the listen backlog)")
	fs.StringVar(&logFormat, "log", "text", "request log on stderr: `text` or json (one line per request, no image data)")
	fs.BoolVar(&exact, "exact", false, "no Winograd convolutions (Darknet's summation order)")
	fs.StringVar(&healthcheck, "healthcheck", "", "probe a running server's `URL` and exit 0 if it answers 200")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "detect serve: unexpected argument %q (images are posted to the server)\n", fs.Arg(0))
		return 2
	}
	if healthcheck != "" {
		return probe(ctx, healthcheck, stderr)
	}
	var handler slog.Handler
	switch logFormat {
	case "text":
		handler = slog.NewTextHandler(stderr, nil)
	case "json":
		handler = slog.NewJSONHandler(stderr, nil)
	default:
		fmt.Fprintf(stderr, "detect serve: -log %q: want text or json\n", logFormat)
		return 2
	}
	if (cfg.TLSCert == "") != (cfg.TLSKey == "") {
		fmt.Fprintln(stderr, "detect serve: -tls-cert and -tls-key go together")
		return 2
	}
	if cfg.Workers < 0 || cfg.Threads < 0 || cfg.Queue < 0 || cfg.MaxPredictions < 0 {
		fmt.Fprintln(stderr, "detect serve: -workers, -threads, -queue and -max-predictions want 0 (default) or more")
		return 2
	}
	cfg.Logger = slog.New(handler)
	if err := serveModels(ctx, cfg, models, listen, exact, stderr); err != nil {
		fmt.Fprintf(stderr, "detect serve: %v\n", err)
		return 1
	}
	return 0
}

// serveModels loads the models, listens and serves until ctx ends.
func serveModels(ctx context.Context, cfg serve.Config, specs modelFlags, listen string, exact bool, stderr io.Writer) error {
	start := time.Now()
	face, err := serve.BundledFace(&engine.Options{Exact: exact})
	if err != nil {
		return err
	}
	for _, sp := range specs {
		m, err := loadModel(&options{cfg: sp.cfg, weights: sp.weights, names: sp.names, exact: exact}, true, stderr)
		if err != nil {
			return fmt.Errorf("-model %s: %w", sp.name, err)
		}
		cfg.Models = append(cfg.Models, &serve.Model{Name: sp.name, Net: m.net, Names: m.names, Cfg: m.name, Weights: m.weights})
		if sp.name == serve.FaceModelName {
			face = nil // the user's own "face" model replaces the bundled one
		}
	}
	if face != nil {
		cfg.Models = append(cfg.Models, face)
	}
	if cfg.TLSCert != "" {
		// Refuse bad files before listening, not on the first connection.
		if _, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey); err != nil {
			return fmt.Errorf("-tls-cert/-tls-key: %w", err)
		}
	}
	srv, err := serve.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		srv.Close()
		return err
	}
	scheme := "http"
	if cfg.TLSCert != "" {
		scheme = "https"
	}
	var names []string
	for _, m := range cfg.Models {
		names = append(names, m.Name)
	}
	cfg.Logger.Info("listening", "url", scheme+"://"+ln.Addr().String(), "models", strings.Join(names, ","),
		"workers", srv.Workers(), "threads", srv.Threads(), "startup_ms", time.Since(start).Milliseconds())
	err = srv.Serve(ctx, ln)
	cfg.Logger.Info("stopped", "error", err)
	return err
}

// probe is -healthcheck: a GET that must answer 200 within 5 s.
func probe(ctx context.Context, url string, stderr io.Writer) int {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintf(stderr, "detect serve: -healthcheck: %v\n", err)
		return 2
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "detect serve: -healthcheck: %v\n", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "detect serve: -healthcheck: %s answered %s\n", url, resp.Status)
		return 1
	}
	return 0
}
