package serve

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus series, on a registry of its own so
// that several servers in one process (tests, embedders) do not collide.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec   // route, code
	latency  *prometheus.HistogramVec // route: the whole request
	stages   *prometheus.HistogramVec // model, stage: queue, decode, resize, network, post
	inFlight prometheus.Gauge
	dropped  prometheus.Counter // deadline passed while queued
	rejected prometheus.Counter // queue full
}

// latencyBuckets span a tiny model's few milliseconds to a big one's
// seconds.
var latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "darkgo_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "darkgo_request_duration_seconds", Help: "Time from the request's headers to its response, by route.",
			Buckets: latencyBuckets,
		}, []string{"route"}),
		stages: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "darkgo_stage_duration_seconds", Help: "Time of each stage of a detection: queue (waiting for a worker), decode, resize, network, post (decoding boxes and NMS).",
			Buckets: latencyBuckets,
		}, []string{"model", "stage"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "darkgo_requests_in_flight", Help: "Requests being handled.",
		}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "darkgo_queue_expired_total", Help: "Requests whose deadline passed (or whose client left) while they were queued: dropped before inference.",
		}),
		rejected: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "darkgo_queue_rejected_total", Help: "Requests refused with 503 because the queue was full.",
		}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.stages, m.inFlight, m.dropped, m.rejected,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// registerPool adds the series read from the pool when scraped.
func (m *metrics) registerPool(p *pool, workers, threads int) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "darkgo_queue_depth", Help: "Requests waiting for a worker."},
			func() float64 { return float64(len(p.queue)) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "darkgo_queue_capacity", Help: "Requests the queue holds (-queue)."},
			func() float64 { return float64(cap(p.queue)) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "darkgo_workers_busy", Help: "Workers running a detection."},
			func() float64 { return float64(p.busy.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "darkgo_workers", Help: "Inference workers (-workers)."},
			func() float64 { return float64(workers) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "darkgo_worker_threads", Help: "Threads each worker's sessions use (-threads)."},
			func() float64 { return float64(threads) }),
	)
}

// registerModels adds darkgo_model_info, one series per model (value 1).
func (m *metrics) registerModels(infos []ModelInfo) {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "darkgo_model_info", Help: "Loaded models (value 1); the labels describe them.",
	}, []string{"model", "cfg", "input", "classes", "kernels", "default"})
	for _, i := range infos {
		g.WithLabelValues(i.Name, i.Cfg, strconv.Itoa(i.Width)+"x"+strconv.Itoa(i.Height), strconv.Itoa(i.Classes),
			i.Kernels, strconv.FormatBool(i.Default)).Set(1)
	}
	m.reg.MustRegister(g)
}

func (m *metrics) observeStages(model string, r *result) {
	m.stages.WithLabelValues(model, "queue").Observe(r.queue.Seconds())
	m.stages.WithLabelValues(model, "decode").Observe(r.decode.Seconds())
	m.stages.WithLabelValues(model, "resize").Observe(r.resize.Seconds())
	m.stages.WithLabelValues(model, "network").Observe(r.network.Seconds())
	m.stages.WithLabelValues(model, "post").Observe(r.post.Seconds())
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
