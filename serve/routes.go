package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/darkgo/darkgo/engine"
	"github.com/darkgo/darkgo/internal/resultjson"
)

// reqLog collects what a request's log line says besides the basics.
type reqLog struct {
	model      string
	detections int
	err        string
}

// handlerFunc is a route's work; an error is answered as JSON by route.
type handlerFunc func(w http.ResponseWriter, r *http.Request, rl *reqLog) error

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	vision := func(pick func(r *http.Request) (int, error)) handlerFunc {
		return func(w http.ResponseWriter, r *http.Request, rl *reqLog) error { return s.vision(w, r, rl, pick) }
	}
	s.mux.Handle("/v1/vision/detection", s.route("/v1/vision/detection", http.MethodPost, vision(func(*http.Request) (int, error) { return s.def, nil })))
	s.mux.Handle("/v1/vision/face", s.route("/v1/vision/face", http.MethodPost, vision(func(*http.Request) (int, error) {
		if s.face < 0 {
			return 0, errorf(http.StatusNotFound, "no face model is loaded (serve one named %q)", FaceModelName)
		}
		return s.face, nil
	})))
	s.mux.Handle("/v1/vision/custom/{name}", s.route("/v1/vision/custom", http.MethodPost, vision(func(r *http.Request) (int, error) {
		return s.model(r.PathValue("name"))
	})))
	s.mux.Handle("/v1/detect", s.route("/v1/detect", http.MethodPost, s.detect))
	s.mux.Handle("/v1/models", s.route("/v1/models", http.MethodGet, s.listModels))
	s.mux.Handle("/healthz", s.route("/healthz", http.MethodGet, func(w http.ResponseWriter, _ *http.Request, _ *reqLog) error {
		writeJSON(w, http.StatusOK, map[string]any{"success": true, "status": "alive"})
		return nil
	}))
	s.mux.Handle("/readyz", s.route("/readyz", http.MethodGet, s.ready))
	metrics := s.metrics.handler()
	s.mux.Handle("/metrics", s.route("/metrics", http.MethodGet, func(w http.ResponseWriter, r *http.Request, _ *reqLog) error {
		metrics.ServeHTTP(w, r)
		return nil
	}))
	s.mux.Handle("/", s.route("other", "", func(_ http.ResponseWriter, r *http.Request, _ *reqLog) error {
		return errorf(http.StatusNotFound, "no route %s", r.URL.Path)
	}))
}

// statusWriter remembers the status a handler sent, for metrics and logs.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// route wraps a handler with what every route does: the method check, a
// JSON answer for errors (and for panics: never a dropped connection),
// metrics and one log line. name is the route's label in metrics (fixed
// strings, so clients cannot grow the label set).
func (s *Server) route(name, method string, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		s.metrics.inFlight.Inc()
		sw := &statusWriter{ResponseWriter: w}
		rl := &reqLog{}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				err := fmt.Errorf("panic: %v", p)
				rl.err = err.Error()
				if sw.status == 0 {
					writeError(sw, err)
				}
			}
			s.metrics.inFlight.Dec()
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			d := time.Since(start)
			s.metrics.requests.WithLabelValues(name, strconv.Itoa(status)).Inc()
			s.metrics.latency.WithLabelValues(name).Observe(d.Seconds())
			s.logRequest(r, name, status, sw.bytes, d, rl)
		}()
		var err error
		switch {
		case method == http.MethodGet && r.Method != http.MethodGet && r.Method != http.MethodHead,
			method == http.MethodPost && r.Method != http.MethodPost:
			allow := method
			if method == http.MethodGet {
				allow += ", HEAD"
			}
			w.Header().Set("Allow", allow)
			err = errorf(http.StatusMethodNotAllowed, "%s %s: use %s", r.Method, r.URL.Path, method)
		default:
			err = h(sw, r, rl)
		}
		if err != nil {
			rl.err = err.Error()
			writeError(sw, err)
		}
	})
}

func (s *Server) logRequest(r *http.Request, route string, status int, bytes int64, d time.Duration, rl *reqLog) {
	level := slogLevel(status)
	if !s.log.Enabled(r.Context(), level) {
		return
	}
	attrs := []any{"method", r.Method, "path", r.URL.Path, "route", route, "status", status,
		"ms", float64(d.Microseconds()) / 1000, "in", r.ContentLength, "out", bytes, "remote", r.RemoteAddr}
	if rl.model != "" {
		attrs = append(attrs, "model", rl.model, "detections", rl.detections)
	}
	if rl.err != "" {
		attrs = append(attrs, "error", rl.err)
	}
	s.log.Log(r.Context(), level, "request", attrs...)
}

// model finds a model by name.
func (s *Server) model(name string) (int, error) {
	if i, ok := s.models[name]; ok {
		return i, nil
	}
	return 0, errorf(http.StatusNotFound, "unknown model %q (loaded: %v)", name, s.modelNames())
}

// prediction is one object in DeepStack's shape.
type prediction struct {
	Label      string           `json:"label"`
	Confidence resultjson.Float `json:"confidence"`
	XMin       int              `json:"x_min"`
	YMin       int              `json:"y_min"`
	XMax       int              `json:"x_max"`
	YMax       int              `json:"y_max"`
}

// visionResponse is DeepStack's / CodeProject.AI's answer.
type visionResponse struct {
	Success     bool         `json:"success"`
	Predictions []prediction `json:"predictions"`
	Count       int          `json:"count"`
	InferenceMs int64        `json:"inferenceMs"` // the network
	ProcessMs   int64        `json:"processMs"`   // decode to boxes
	Duration    int          `json:"duration"`    // DeepStack's field, always 0 there too
}

// vision is the DeepStack routes: multipart image, min_confidence,
// api_key; predictions sorted by confidence.
func (s *Server) vision(w http.ResponseWriter, r *http.Request, rl *reqLog, pick func(*http.Request) (int, error)) error {
	u, err := s.authorizedUpload(w, r, false)
	if err != nil {
		return err
	}
	mi, err := pick(r)
	if err != nil {
		return err
	}
	m := s.cfg.Models[mi]
	rl.model = m.Name
	minConf := float32(DefaultMinConfidence)
	if v, ok := formOrQuery(u, r, "min_confidence"); ok && v != "" {
		if minConf, err = probability("min_confidence", v, false); err != nil {
			return err
		}
	}
	nms := m.NMS
	if nms == 0 {
		nms = 0.45
	}
	res, err := s.infer(r.Context(), mi, u, engine.DetectOptions{Thresh: engineThresh(minConf), NMS: nms}, nil)
	if err != nil {
		return err
	}
	dets := res.detections(engineThresh(minConf), m)
	if k := s.cfg.MaxPredictions; k > 0 && len(dets) > k {
		dets = dets[:k] // sorted: the most confident
	}
	names := s.visionNames[mi]
	preds := make([]prediction, len(dets))
	for i, d := range dets {
		label := d.Name
		if d.ClassID < len(names) {
			label = names[d.ClassID]
		}
		preds[i] = prediction{Label: label, Confidence: d.Confidence, XMin: d.Box.Left, YMin: d.Box.Top,
			XMax: d.Box.Left + d.Box.Width, YMax: d.Box.Top + d.Box.Height}
	}
	rl.detections = len(preds)
	writeJSON(w, http.StatusOK, visionResponse{Success: true, Predictions: preds, Count: len(preds),
		InferenceMs: res.network.Milliseconds(), ProcessMs: (res.decode + res.resize + res.network + res.post).Milliseconds()})
	return nil
}

// detect is POST /v1/detect: darkgo's own JSON (the object `detect -json`
// prints for one image), the image as the raw body or multipart field.
func (s *Server) detect(w http.ResponseWriter, r *http.Request, rl *reqLog) error {
	u, err := s.authorizedUpload(w, r, true)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	mi := s.def
	if name := q.Get("model"); name != "" {
		if mi, err = s.model(name); err != nil {
			return err
		}
	}
	m := s.cfg.Models[mi]
	rl.model = m.Name
	thresh, nms := m.Thresh, m.NMS
	if thresh == 0 {
		thresh = 0.25
	}
	if nms == 0 {
		nms = 0.45
	}
	if v := q.Get("thresh"); v != "" {
		if thresh, err = probability("thresh", v, true); err != nil {
			return err
		}
	}
	if v := q.Get("nms"); v != "" {
		if nms, err = probability("nms", v, false); err != nil {
			return err
		}
		if nms == 0 {
			nms = -1 // off, as -nms 0 on the command line
		}
	}
	keep, err := m.classFilter(q.Get("classes"))
	if err != nil {
		return errorf(http.StatusBadRequest, "%v", err)
	}
	res, err := s.infer(r.Context(), mi, u, engine.DetectOptions{Thresh: engineThresh(thresh), NMS: nms}, keep)
	if err != nil {
		return err
	}
	dets := res.detections(engineThresh(thresh), m)
	rl.detections = len(dets)
	file := u.filename
	if file == "" {
		file = "upload"
	}
	writeJSON(w, http.StatusOK, resultjson.Image{File: file, Width: res.width, Height: res.height, Model: m.Name,
		Detections: dets, TimeMS: &resultjson.Times{Decode: resultjson.Millis(res.decode), Resize: resultjson.Millis(res.resize),
			Network: resultjson.Millis(res.network), Post: resultjson.Millis(res.post)}})
	return nil
}

// authorizedUpload checks the API key and reads the request's image. The
// key is checked before anything else is looked at (an unknown model or a
// bad parameter must not tell a client without the key what is loaded):
// from the Authorization header before the body is read, else from the
// form's api_key once it is.
func (s *Server) authorizedUpload(w http.ResponseWriter, r *http.Request, raw bool) (*upload, error) {
	decided, err := s.key.checkHeader(r)
	if err != nil {
		return nil, err
	}
	if !decided && !isMultipart(r) {
		return nil, errUnauthorized // no form to carry api_key
	}
	u, err := readUpload(w, r, s.cfg.MaxBody, raw)
	if err != nil {
		return nil, err
	}
	if !decided {
		if err := s.key.checkForm(u); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// detections are the result's boxes and classes above thresh, highest
// confidence first (Frigate stops reading at the first one under its own
// threshold).
func (res *result) detections(thresh float32, m *Model) []resultjson.Detection {
	dets := resultjson.Detections(res.dets, res.width, res.height, thresh, m.className)
	resultjson.SortByConfidence(dets)
	return dets
}

func isMultipart(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "multipart/form-data"
}

// slogLevel logs the server's own failures as warnings.
func slogLevel(status int) slog.Level {
	if status >= 500 {
		return slog.LevelWarn
	}
	return slog.LevelInfo
}

// infer checks the image's header, queues it and waits for the result
// within the request's timeout.
func (s *Server) infer(ctx context.Context, model int, u *upload, opts engine.DetectOptions, keep []bool) (*result, error) {
	if err := checkImageHeader(u.image, s.cfg.MaxPixels); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	j := &job{ctx: ctx, model: model, data: u.image, opts: opts, keep: keep, done: make(chan struct{})}
	if err := s.pool.submit(j); err != nil {
		if errors.Is(err, errQueueFull) {
			s.metrics.rejected.Inc()
		}
		return nil, err
	}
	return s.pool.wait(ctx, j)
}

// probability parses a threshold in [0, 1] ([0, 1) when open).
func probability(name, v string, open bool) (float32, error) {
	f, err := strconv.ParseFloat(v, 32)
	if err != nil || math.IsNaN(f) || f < 0 || f > 1 || (open && f == 1) {
		want := "[0, 1]"
		if open {
			want = "[0, 1)"
		}
		return 0, errorf(http.StatusBadRequest, "%s=%q: want a number in %s", name, v, want)
	}
	return float32(f), nil
}

// engineThresh maps a threshold of 0 ("everything") to the smallest
// positive float, as the engine's 0 means its default.
func engineThresh(t float32) float32 {
	if t == 0 {
		return math.SmallestNonzeroFloat32
	}
	return t
}

func (s *Server) listModels(w http.ResponseWriter, r *http.Request, _ *reqLog) error {
	if decided, err := s.key.checkHeader(r); err != nil {
		return err
	} else if !decided && !s.key.matches(r.URL.Query().Get("api_key")) {
		return errUnauthorized
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "models": s.infos})
	return nil
}

// ready is /readyz: the models are loaded (they are, once New returned),
// the server is not shutting down and the queue has room.
func (s *Server) ready(w http.ResponseWriter, _ *http.Request, _ *reqLog) error {
	switch {
	case s.stopping.Load():
		return &httpError{status: http.StatusServiceUnavailable, msg: "shutting down"}
	case len(s.pool.queue) >= cap(s.pool.queue):
		return &httpError{status: http.StatusServiceUnavailable, msg: "queue full", retryAfter: 1}
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "status": "ready",
		"queue": len(s.pool.queue), "queue_capacity": cap(s.pool.queue)})
	return nil
}
