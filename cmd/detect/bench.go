package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/darkgo/darkgo/engine"
	"github.com/darkgo/darkgo/kernels"
)

func checkBench(o *options) error {
	if o.bench < 1 {
		return usagef("-bench %d: want the number of timed runs (1 or more)", o.bench)
	}
	if len(o.inputs) > 0 {
		return usagef("unexpected argument %q: -bench times the network on a synthetic input", o.inputs[0])
	}
	if o.profile {
		return usagef("-bench and -profile: choose one")
	}
	return onlyFlags(o, "-bench", "bench", "json")
}

func checkProfile(o *options) error {
	if o.runs < 1 {
		return usagef("-runs %d: want 1 or more", o.runs)
	}
	if len(o.inputs) > 0 {
		return usagef("unexpected argument %q: -profile times the network on a synthetic input", o.inputs[0])
	}
	return onlyFlags(o, "-profile", "profile", "runs", "json")
}

// benchInput fills the session's input with deterministic values in
// [0, 1), like an image's: the timing of some layers (activations with
// branches) depends on the values.
func benchInput(s *engine.Session) {
	x := uint64(0x9e3779b97f4a7c15)
	in := s.Input()
	for i := range in {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		in[i] = float32(x>>40) / (1 << 24)
	}
}

// prepareRun loads the model for -bench / -profile and a session with its
// input filled.
func prepareRun(o *options, stderr io.Writer) (*model, *engine.Session, int, error) {
	m, err := loadModel(o, false, stderr)
	if err != nil {
		return nil, nil, 0, err
	}
	s, err := m.net.NewSession()
	if err != nil {
		return nil, nil, 0, err
	}
	threads := o.threads
	if threads == 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	s.SetThreads(threads)
	benchInput(s)
	if o.verbose {
		printVersion(stderr, m, o.threads)
	}
	return m, s, threads, nil
}

// cio is the paper's memory-traffic measure (CSPNet §3.1, after HarDNet):
// the sum over convolutional layers of the sizes of their input and output
// tensors, here in bytes of float32.
func cio(l *engine.Layer) int64 {
	if l.Type != "convolutional" {
		return 0
	}
	return int64(l.In.Size()+l.Outputs) * 4
}

// percentile is the nearest-rank p-th percentile of sorted v.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	k := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(max(k, 0), len(sorted)-1)]
}

func median(sorted []time.Duration) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

func msf(d time.Duration) float64 { return float64(d) / 1e6 }

// round3 keeps JSON numbers short: 3 decimals.
type round3 float64

func (r round3) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(r)) || math.IsInf(float64(r), 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, math.Round(float64(r)*1000)/1000, 'f', -1, 64), nil
}

type benchJSON struct {
	Model       string  `json:"model"`
	Weights     string  `json:"weights"`
	Input       [3]int  `json:"input"`
	Threads     int     `json:"threads"`
	Runs        int     `json:"runs"`
	Warmup      int     `json:"warmup"`
	MedianMS    round3  `json:"median_ms"`
	P90MS       round3  `json:"p90_ms"`
	MinMS       round3  `json:"min_ms"`
	MeanMS      round3  `json:"mean_ms"`
	FPS         round3  `json:"fps"`
	GFLOPs      round3  `json:"gflops"`
	BFLOPs      round3  `json:"bflops"`
	PeakPercent *round3 `json:"peak_percent"`
	PlannedMB   round3  `json:"planned_mb"`
	NaiveMB     round3  `json:"naive_mb"`
	CIOMB       round3  `json:"cio_mb"`
	PeakRSSMB   *round3 `json:"peak_rss_mb"`
	Kernels     string  `json:"kernels"`
	CPU         string  `json:"cpu"`
	GoMaxProcs  int     `json:"gomaxprocs"`
}

func runBench(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	m, s, threads, err := prepareRun(o, stderr)
	if err != nil {
		return err
	}
	layers := len(m.net.Layers)
	// Warm-up: page in the arena and packed weights, start the workers.
	warm := min(o.bench, 3)
	for range warm {
		if err := forward(ctx, s, layers); err != nil {
			return err
		}
	}
	times := make([]time.Duration, o.bench)
	for i := range times {
		t0 := time.Now()
		if err := forward(ctx, s, layers); err != nil {
			return err
		}
		times[i] = time.Since(t0)
	}
	var sum time.Duration
	for _, t := range times {
		sum += t
	}
	slices.Sort(times)
	med, p90 := median(times), percentile(times, 90)
	bf := m.net.BFLOPs()
	planned, naive := m.net.Memory()
	var cioSum int64
	for _, l := range m.net.Layers {
		cioSum += cio(l)
	}
	weights := m.weights
	if weights == "" {
		weights = "synthetic"
	}
	r := benchJSON{Model: m.name, Weights: weights, Input: [3]int{m.net.Input.C, m.net.Input.H, m.net.Input.W},
		Threads: threads, Runs: o.bench, Warmup: warm,
		MedianMS: round3(msf(med)), P90MS: round3(msf(p90)), MinMS: round3(msf(times[0])),
		MeanMS: round3(msf(sum) / float64(len(times))), FPS: round3(1e3 / msf(med)),
		GFLOPs: round3(bf / med.Seconds()), BFLOPs: round3(bf),
		PlannedMB: round3(float64(planned) / 1e6), NaiveMB: round3(float64(naive) / 1e6), CIOMB: round3(float64(cioSum) / 1e6),
		Kernels: kernels.Name(), CPU: kernels.CPUName(), GoMaxProcs: runtime.GOMAXPROCS(0)}
	if rss, ok := peakRSS(); ok {
		v := round3(float64(rss) / 1e6)
		r.PeakRSSMB = &v
	}
	// The peak is measured with this many threads running at once (at most
	// GOMAXPROCS), not one core's × threads: vCPUs that are SMT siblings
	// share one core's FMA units.
	peakThreads := min(threads, runtime.GOMAXPROCS(0))
	peak := kernels.PeakGFLOPsThreads(peakThreads)
	if peak > 0 {
		v := round3(100 * bf / med.Seconds() / peak)
		r.PeakPercent = &v
	}
	if o.json {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	w := bufio.NewWriter(stdout)
	fmt.Fprintf(w, "%s (%s weights), input %dx%dx%d, %.3f BFLOPs\n", m.name, weights, m.net.Input.W, m.net.Input.H, m.net.Input.C, bf)
	fmt.Fprintf(w, "kernels %s on %s, %d %s\n", kernels.Name(), kernels.CPUName(), threads, plural(threads, "thread", "threads"))
	fmt.Fprintf(w, "%d runs after %d warm-up: median %.3f ms, p90 %.3f ms, min %.3f ms, mean %.3f ms\n",
		o.bench, warm, msf(med), msf(p90), msf(times[0]), float64(r.MeanMS))
	if peak > 0 {
		fmt.Fprintf(w, "%.1f fps, %.1f GFLOP/s = %.0f%% of this machine's FMA peak (%.0f GFLOP/s on %s, measured)\n",
			float64(r.FPS), float64(r.GFLOPs), 100*float64(r.GFLOPs)/peak, peak, plural(peakThreads, "1 thread", fmt.Sprintf("%d threads at once", peakThreads)))
	} else {
		fmt.Fprintf(w, "%.1f fps, %.1f GFLOP/s\n", float64(r.FPS), float64(r.GFLOPs))
	}
	ratio := 0.0
	if naive > 0 {
		ratio = 100 * float64(planned) / float64(naive)
	}
	fmt.Fprintf(w, "activation memory: planned %.2f MB vs %.2f MB one buffer per layer (%.0f%%); CIO %.2f MB\n",
		float64(planned)/1e6, float64(naive)/1e6, ratio, float64(cioSum)/1e6)
	if r.PeakRSSMB != nil {
		fmt.Fprintf(w, "peak RSS %.1f MB\n", float64(*r.PeakRSSMB))
	}
	return w.Flush()
}

// peakRSS reads VmHWM (the resident set's high-water mark) from
// /proc/self/status; false where there is no such file.
func peakRSS() (int64, bool) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			f := bytes.Fields(v)
			if len(f) == 2 && string(f[1]) == "kB" {
				kb, err := strconv.ParseInt(string(f[0]), 10, 64)
				if err == nil {
					return kb * 1024, true
				}
			}
		}
	}
	return 0, false
}

type profileLayer struct {
	Index    int    `json:"index"`
	Type     string `json:"type"`
	Algo     string `json:"algorithm,omitempty"`
	In       [3]int `json:"in"`
	Out      [3]int `json:"out"`
	BFLOPs   round3 `json:"bflops"`
	MedianMS round3 `json:"median_ms"`
	GFLOPs   round3 `json:"gflops"`
	Percent  round3 `json:"percent"`
	CIOMB    round3 `json:"cio_mb"`
}

type profileJSON struct {
	Model   string         `json:"model"`
	Weights string         `json:"weights"`
	Threads int            `json:"threads"`
	Runs    int            `json:"runs"`
	TotalMS round3         `json:"total_ms"`
	BFLOPs  round3         `json:"bflops"`
	GFLOPs  round3         `json:"gflops"`
	CIOMB   round3         `json:"cio_mb"`
	Layers  []profileLayer `json:"layers"`
	ByType  []typeShare    `json:"by_type"`
	Top     []int          `json:"top"` // layer indexes, slowest first
	Kernels string         `json:"kernels"`
	CPU     string         `json:"cpu"`
}

type typeShare struct {
	Type    string `json:"type"`
	Layers  int    `json:"layers"`
	MS      round3 `json:"ms"`
	Percent round3 `json:"percent"`
	BFLOPs  round3 `json:"bflops"`
}

func runProfile(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	m, s, threads, err := prepareRun(o, stderr)
	if err != nil {
		return err
	}
	n := len(m.net.Layers)
	if err := forward(ctx, s, n); err != nil { // warm-up
		return err
	}
	per := make([][]time.Duration, n)
	for i := range per {
		per[i] = make([]time.Duration, o.runs)
	}
	for r := 0; r < o.runs; r++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		prev := time.Now()
		s.ForwardUpTo(n, func(i int) {
			t := time.Now()
			per[i][r] = t.Sub(prev)
			prev = t
		})
	}
	weights := m.weights
	if weights == "" {
		weights = "synthetic"
	}
	p := profileJSON{Model: m.name, Weights: weights, Threads: threads, Runs: o.runs, BFLOPs: round3(m.net.BFLOPs()),
		Kernels: kernels.Name(), CPU: kernels.CPUName()}
	meds := make([]time.Duration, n)
	var total time.Duration
	var cioSum int64
	for i, l := range m.net.Layers {
		slices.Sort(per[i])
		meds[i] = median(per[i])
		total += meds[i]
		cioSum += cio(l)
	}
	types := map[string]*typeShare{}
	var order []string
	for i, l := range m.net.Layers {
		pl := profileLayer{Index: i, Type: l.Type, Algo: l.Algorithm(), In: chw(l.In), Out: chw(l.Out), BFLOPs: round3(l.BFLOPs),
			MedianMS: round3(msf(meds[i])), CIOMB: round3(float64(cio(l)) / 1e6)}
		// A fused layer (algorithm "fused") runs inside the layer before
		// it, which is timed for both.
		if meds[i] > 0 && l.BFLOPs > 0 && l.Algorithm() != "fused" {
			pl.GFLOPs = round3(l.BFLOPs / meds[i].Seconds())
		}
		if total > 0 {
			pl.Percent = round3(100 * float64(meds[i]) / float64(total))
		}
		p.Layers = append(p.Layers, pl)
		ts := types[l.Type]
		if ts == nil {
			ts = &typeShare{Type: l.Type}
			types[l.Type] = ts
			order = append(order, l.Type)
		}
		ts.Layers++
		ts.MS += round3(msf(meds[i]))
		ts.BFLOPs += round3(max(l.BFLOPs, 0))
	}
	for _, t := range order {
		ts := types[t]
		if total > 0 {
			ts.Percent = round3(100 * float64(ts.MS) / msf(total))
		}
		p.ByType = append(p.ByType, *ts)
	}
	slices.SortStableFunc(p.ByType, func(a, b typeShare) int { return cmpDesc(float64(a.MS), float64(b.MS)) })
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmpDesc(float64(meds[a]), float64(meds[b])) })
	p.Top = idx[:min(5, n)]
	p.TotalMS = round3(msf(total))
	p.CIOMB = round3(float64(cioSum) / 1e6)
	if total > 0 {
		p.GFLOPs = round3(m.net.BFLOPs() / total.Seconds())
	}
	if o.json {
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	w := bufio.NewWriter(stdout)
	fmt.Fprintf(w, "%s (%s weights), %d %s, median of %d runs per layer; kernels %s on %s\n",
		m.name, weights, threads, plural(threads, "thread", "threads"), o.runs, kernels.Name(), kernels.CPUName())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "layer\ttype\talgorithm\tinput\t\toutput\tBFLOPs\tms\tGFLOP/s\t%%\tCIO MB\t\n")
	for i, l := range m.net.Layers {
		pl := p.Layers[i]
		bf, gf, c := "", "", ""
		if l.BFLOPs > 0 {
			bf = fmt.Sprintf("%.3f", l.BFLOPs)
		}
		if pl.GFLOPs > 0 {
			gf = fmt.Sprintf("%.1f", float64(pl.GFLOPs))
		}
		if cio(l) > 0 {
			c = fmt.Sprintf("%.2f", float64(cio(l))/1e6)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t->\t%s\t%s\t%.3f\t%s\t%.1f\t%s\t\n", i, l.Type, l.Algorithm(), shapeString(l.In), outShape(l),
			bf, msf(meds[i]), gf, float64(pl.Percent), c)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "total %.3f ms (sum of layer medians), %.3f BFLOPs, %.1f GFLOP/s, CIO %.2f MB\n",
		msf(total), m.net.BFLOPs(), float64(p.GFLOPs), float64(p.CIOMB))
	fmt.Fprintf(w, "by type:")
	for _, t := range p.ByType {
		if t.MS > 0 {
			fmt.Fprintf(w, "  %s %.1f%% (%d)", t.Type, float64(t.Percent), t.Layers)
		}
	}
	fmt.Fprintf(w, "\ntop bottlenecks:\n")
	for _, i := range p.Top {
		l := m.net.Layers[i]
		fmt.Fprintf(w, "  layer %d %s %s -> %s: %.3f ms (%.1f%%), %s\n", i, l.Type, shapeString(l.In), outShape(l),
			msf(meds[i]), float64(p.Layers[i].Percent), costNote(p.Layers[i]))
	}
	return w.Flush()
}

// costNote says whether a slow layer is compute- or traffic-bound: GFLOP/s
// for layers that compute, bytes moved otherwise.
func costNote(pl profileLayer) string {
	if pl.GFLOPs > 0 {
		return fmt.Sprintf("%.3f BFLOPs at %.1f GFLOP/s", float64(pl.BFLOPs), float64(pl.GFLOPs))
	}
	return "no FLOPs counted (Darknet counts none for this layer type)"
}

func outShape(l *engine.Layer) string {
	if l.Out.Size() != l.Outputs {
		return fmt.Sprintf("%d", l.Outputs)
	}
	return shapeString(l.Out)
}

func cmpDesc(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}
