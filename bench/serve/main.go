//go:build unix

// Command serve is the load generator for `detect serve`: C clients post
// 640×480 JPEGs of the bundled photos (testdata/faceapi/sample*.jpg) to
// a server on this machine for D seconds, then it prints requests/s,
// latency percentiles, responses by status and the server's RSS before
// and after (from its /metrics). It only talks to loopback addresses and
// every run is bounded in time and count.
//
//	go run ./bench/serve -start ./detect -c 4 -d 30s     # starts `detect serve`, measures startup too
//	go run ./bench/serve -url http://127.0.0.1:5000 -c 4 -d 30s
//	go run ./bench/serve -inprocess -workers 2 -threads 1 -d 30s   # the same work without HTTP
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/darkgo/darkgo/cfg"
	"github.com/darkgo/darkgo/engine"
	"github.com/darkgo/darkgo/engine/preprocess"
)

func main() {
	var (
		target    = flag.String("url", "", "server to load (loopback only), e.g. http://127.0.0.1:5000")
		start     = flag.String("start", "", "`detect` binary to start as `detect serve` on a free loopback port (and stop afterwards)")
		serveArgs = flag.String("serve-args", "", "extra flags for -start, space-separated (e.g. \"-workers 2 -threads 1\")")
		clients   = flag.Int("c", 4, "concurrent clients")
		dur       = flag.Duration("d", 10*time.Second, "how long to send (at most 10m)")
		warmup    = flag.Duration("warmup", 2*time.Second, "load before the measured run (RSS before is read after it)")
		maxReq    = flag.Int("n", 1_000_000, "stop after this many requests")
		route     = flag.String("route", "/v1/vision/detection", "route to post to")
		photos    = flag.String("photos", "testdata/faceapi/sample*.jpg", "photos to send (scaled to 640x480)")
		inproc    = flag.Bool("inprocess", false, "no server: -workers goroutines run decode + Detect in a loop (the baseline)")
		workers   = flag.Int("workers", 2, "-inprocess: goroutines")
		threads   = flag.Int("threads", 1, "-inprocess: threads per Detect")
	)
	flag.Parse()
	if *dur > 10*time.Minute || *dur <= 0 || *clients < 1 || *clients > 256 {
		fail(errors.New("want 0 < -d <= 10m and 1 <= -c <= 256"))
	}
	imgs, err := loadPhotos(*photos)
	if err != nil {
		fail(err)
	}
	if *inproc {
		inProcess(imgs, *workers, *threads, *dur, *maxReq)
		return
	}
	if *start != "" {
		u, stop, err := startServer(*start, strings.Fields(*serveArgs))
		if err != nil {
			fail(err)
		}
		defer stop()
		*target = u
	}
	if err := checkLoopback(*target); err != nil {
		fail(err)
	}
	if *warmup > 0 {
		load(*target+*route, imgs, *clients, min(*warmup, time.Minute), *maxReq)
	}
	rssBefore, cpuBefore := rss(*target), metric(*target, "process_cpu_seconds_total")
	st := load(*target+*route, imgs, *clients, *dur, *maxReq)
	rssAfter, cpuAfter := rss(*target), metric(*target, "process_cpu_seconds_total")
	st.print(os.Stdout)
	// CPU time per request is what a loaded, shared machine cannot skew
	// the way it skews wall-clock rates.
	fmt.Printf("server CPU: %.1f ms per request\n", 1000*(cpuAfter-cpuBefore)/float64(max(1, st.total())))
	fmt.Printf("server RSS: %.1f MB after the warm-up, %.1f MB after the run (%+.1f%%)\n", rssBefore/1e6, rssAfter/1e6, 100*(rssAfter-rssBefore)/rssBefore)
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "bench/serve: %v\n", err)
	os.Exit(1)
}

// loadPhotos reads the photos and scales each to 640×480 (nearest
// neighbour), a camera frame, as JPEG quality 85.
func loadPhotos(glob string) ([][]byte, error) {
	paths, err := filepath.Glob(glob)
	if err != nil || len(paths) == 0 {
		return nil, fmt.Errorf("%s: no photos (run from the repository root)", glob)
	}
	var out [][]byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		src, _, err := preprocess.Decode(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		sb := src.Bounds()
		dst := image.NewRGBA(image.Rect(0, 0, 640, 480))
		for y := range 480 {
			for x := range 640 {
				dst.Set(x, y, src.At(sb.Min.X+x*sb.Dx()/640, sb.Min.Y+y*sb.Dy()/480))
			}
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 85}); err != nil {
			return nil, err
		}
		out = append(out, buf.Bytes())
	}
	return out, nil
}

func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("-url %q: want http://127.0.0.1:PORT", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-url %q: this load generator only talks to loopback addresses", raw)
	}
	return nil
}

// startServer runs `bin serve` on a free loopback port and waits for
// /readyz, printing the time from exec to ready.
func startServer(bin string, extra []string) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	args := append([]string{"serve", "-listen", addr, "-log", "json", "-queue", "64"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Stdout = io.Discard
	logf, err := os.CreateTemp("", "bench-serve-*.log")
	if err != nil {
		return "", nil, err
	}
	cmd.Stderr = logf
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		logf.Close()
		os.Remove(logf.Name())
	}
	u := "http://" + addr
	for range 2000 { // 10 s
		resp, err := http.Get(u + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				fmt.Printf("startup to ready: %.0f ms (%s %s)\n", float64(time.Since(t0).Microseconds())/1000, bin, strings.Join(args, " "))
				return u, stop, nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	return "", nil, errors.New("the server was not ready within 10 s")
}

// rss reads process_resident_memory_bytes from the server's /metrics.
func rss(base string) float64 { return metric(base, "process_resident_memory_bytes") }

// metric reads one unlabelled series from the server's /metrics.
func metric(base, name string) float64 {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return 0
}

type stats struct {
	elapsed   time.Duration
	latencies []time.Duration // of 200s
	statuses  map[string]int
}

func (s *stats) total() int {
	n := 0
	for _, k := range s.statuses {
		n += k
	}
	return n
}

func (s *stats) print(w io.Writer) {
	slices.Sort(s.latencies)
	pct := func(p float64) float64 {
		if len(s.latencies) == 0 {
			return 0
		}
		return float64(s.latencies[min(len(s.latencies)-1, int(p*float64(len(s.latencies))))].Microseconds()) / 1000
	}
	total := 0
	var keys []string
	for k, n := range s.statuses {
		total += n
		keys = append(keys, k)
	}
	slices.Sort(keys)
	fmt.Fprintf(w, "%d requests in %.1f s: %.1f req/s, %.1f ok/s; latency of 200s p50 %.1f ms, p90 %.1f ms, p99 %.1f ms\n",
		total, s.elapsed.Seconds(), float64(total)/s.elapsed.Seconds(), float64(len(s.latencies))/s.elapsed.Seconds(), pct(0.5), pct(0.9), pct(0.99))
	for _, k := range keys {
		fmt.Fprintf(w, "  %s: %d\n", k, s.statuses[k])
	}
}

// load runs the clients: each posts the photos in turn (multipart
// "image", as DeepStack clients do) until the time or count is up.
func load(target string, imgs [][]byte, clients int, d time.Duration, maxReq int) *stats {
	bodies := make([][]byte, len(imgs))
	var ct string
	for i, img := range imgs {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.SetBoundary("darkgo-bench-boundary")
		fw, _ := mw.CreateFormFile("image", "frame.jpg")
		fw.Write(img)
		mw.Close()
		bodies[i], ct = buf.Bytes(), mw.FormDataContentType()
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	tr := &http.Transport{MaxIdleConnsPerHost: clients}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var sent atomic.Int64
	var mu sync.Mutex
	st := &stats{statuses: map[string]int{}}
	var wg sync.WaitGroup
	t0 := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := c; ctx.Err() == nil && sent.Add(1) <= int64(maxReq); k++ {
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(bodies[k%len(bodies)]))
				req.Header.Set("Content-Type", ct)
				t := time.Now()
				resp, err := client.Do(req)
				lat := time.Since(t)
				status := ""
				if err != nil {
					if ctx.Err() != nil {
						return // the run's end cut it off
					}
					status = "error: " + err.Error()
				} else {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					status = resp.Status
				}
				mu.Lock()
				st.statuses[status]++
				if err == nil && resp.StatusCode == http.StatusOK {
					st.latencies = append(st.latencies, lat)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	st.elapsed = time.Since(t0)
	return st
}

// inProcess is the baseline: the same images decoded and detected in a
// loop by `workers` goroutines, no HTTP.
func inProcess(imgs [][]byte, workers, threads int, d time.Duration, maxReq int) {
	net, err := cfg.Default(&engine.Options{Threads: threads})
	if err != nil {
		fail(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var done atomic.Int64
	var wg sync.WaitGroup
	t0, cpu0 := time.Now(), cpuTime()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := w; ctx.Err() == nil && done.Load() < int64(maxReq); k++ {
				img, _, err := preprocess.DecodeBytes(imgs[k%len(imgs)], nil)
				if err != nil {
					fail(err)
				}
				if _, err := net.Detect(ctx, img, &engine.DetectOptions{Thresh: 0.4, NMS: 0.4}); err != nil {
					if ctx.Err() != nil {
						return
					}
					fail(err)
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	el, cpu := time.Since(t0), cpuTime()-cpu0
	fmt.Printf("in-process: %d images in %.1f s: %.1f images/s (%d workers x %d threads, decode + Detect); CPU %.1f ms per image\n",
		done.Load(), el.Seconds(), float64(done.Load())/el.Seconds(), workers, threads, float64(cpu.Microseconds())/1000/float64(max(1, done.Load())))
}

// cpuTime is the user + system CPU time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
