package serve

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// blockWorkers makes every worker wait for release() after taking a job;
// runs counts the jobs that reached a worker. Call it after starting the
// HTTP server, so that a failing test releases the workers before the
// server's cleanup waits for its handlers.
func blockWorkers(t *testing.T, s *Server) (entered <-chan struct{}, release func(), runs *atomic.Int64) {
	in := make(chan struct{}, 64)
	ch := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(ch) }) }
	t.Cleanup(release)
	runs = &atomic.Int64{}
	f := func() {
		runs.Add(1)
		in <- struct{}{}
		<-ch
	}
	s.pool.beforeRun.Store(&f)
	return in, release, runs
}

// eventually polls cond every millisecond for up to 30 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 30000 {
		if cond() {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("never happened: %s", what)
}

// recv waits up to 30 s for an answer.
func recv(t *testing.T, ch <-chan answer, what string) answer {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(30 * time.Second):
		t.Fatalf("%s: no answer within 30 s", what)
		return answer{}
	}
}

type answer struct {
	status     int
	retryAfter string
	obj        map[string]any
	err        error
}

// postAsync posts img to the DeepStack route in a goroutine.
func postAsync(t *testing.T, ctx context.Context, url string, img []byte) <-chan answer {
	body, ct := form(t, nil, "image", "cam.jpg", img)
	ch := make(chan answer, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/v1/vision/detection", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", ct)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			ch <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		ch <- answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), obj: map[string]any{"body": string(b)}}
	}()
	return ch
}

func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestQueueFull(t *testing.T) {
	s := newServer(t, Config{Workers: 1, Threads: 1, Queue: 1})
	ts := handlerServer(t, s)
	entered, release, _ := blockWorkers(t, s)
	img := scaledJPEG(t, 320, 240)
	a := postAsync(t, context.Background(), ts.URL, img)
	<-entered // the worker holds a
	b := postAsync(t, context.Background(), ts.URL, img)
	eventually(t, "b queued", func() bool { return len(s.pool.queue) == 1 })

	c := recv(t, postAsync(t, context.Background(), ts.URL, img), "request on a full queue")
	if c.status != http.StatusServiceUnavailable || c.retryAfter != "1" || !strings.Contains(c.obj["body"].(string), `"success":false`) {
		t.Errorf("queue full: %d, Retry-After %q, %v; want 503 with Retry-After 1", c.status, c.retryAfter, c.obj)
	}
	resp, err := http.Get(ts.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz with a full queue: %s", resp.Status)
	}
	release()
	for _, ch := range []<-chan answer{a, b} {
		if r := recv(t, ch, "queued request"); r.err != nil || r.status != http.StatusOK {
			t.Errorf("queued request: %d %v %v", r.status, r.err, r.obj)
		}
	}
	if m := scrape(t, ts.URL); !strings.Contains(m, "darkgo_queue_rejected_total 1\n") ||
		!strings.Contains(m, `darkgo_requests_total{code="503",route="/v1/vision/detection"} 1`) {
		t.Errorf("metrics do not count the refusal")
	}
}

// TestDeadlineInQueue: requests whose deadline passes, or whose client
// leaves, while they wait are answered (or dropped) and never reach a
// worker.
func TestDeadlineInQueue(t *testing.T) {
	s := newServer(t, Config{Workers: 1, Threads: 1, Queue: 4, Timeout: 300 * time.Millisecond})
	ts := handlerServer(t, s)
	entered, release, runs := blockWorkers(t, s)
	img := scaledJPEG(t, 320, 240)
	a := postAsync(t, context.Background(), ts.URL, img)
	<-entered
	// b waits past the server's -timeout: 503 while a still holds the worker.
	r := recv(t, postAsync(t, context.Background(), ts.URL, img), "request past its deadline in the queue")
	if r.err != nil || r.status != http.StatusServiceUnavailable || !strings.Contains(r.obj["body"].(string), "deadline") {
		t.Errorf("expired in the queue: %d %v %v", r.status, r.err, r.obj)
	}
	// c's client gives up while queued.
	ctx, cancel := context.WithCancel(context.Background())
	c := postAsync(t, ctx, ts.URL, img)
	// b's abandoned job still sits in the queue until the worker skips it.
	eventually(t, "c queued", func() bool { return len(s.pool.queue) == 2 })
	cancel()
	if r := recv(t, c, "cancelled client"); r.err == nil {
		t.Errorf("the cancelled client got an answer: %d", r.status)
	}
	eventually(t, "c abandoned", func() bool { return strings.Contains(scrape(t, ts.URL), "darkgo_queue_expired_total 2\n") })
	release()
	recv(t, a, "first request")
	eventually(t, "queue drained", func() bool { return len(s.pool.queue) == 0 && s.pool.busy.Load() == 0 })
	if n := runs.Load(); n != 1 {
		t.Errorf("%d jobs reached a worker, want 1 (the expired and abandoned ones must be dropped)", n)
	}
}

func TestGracefulShutdown(t *testing.T) {
	s := newServer(t, Config{Workers: 1, Threads: 1})
	url, stop := served(t, s)
	entered, release, _ := blockWorkers(t, s)
	img := scaledJPEG(t, 320, 240)
	a := postAsync(t, context.Background(), url, img)
	<-entered
	done := make(chan error, 1)
	go func() { done <- stop() }()
	addr := strings.TrimPrefix(url, "http://")
	eventually(t, "the listener closed", func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	select {
	case err := <-done:
		t.Fatalf("Serve returned (%v) with a request in flight", err)
	default:
	}
	release()
	if r := recv(t, a, "in-flight request"); r.err != nil || r.status != http.StatusOK {
		t.Errorf("in-flight request during shutdown: %d %v", r.status, r.err)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve after a clean shutdown: %v", err)
	}
}

func TestShutdownTimeout(t *testing.T) {
	s := newServer(t, Config{Workers: 1, Threads: 1, ShutdownTimeout: 100 * time.Millisecond})
	url, stop := served(t, s)
	entered, release, _ := blockWorkers(t, s)
	a := postAsync(t, context.Background(), url, scaledJPEG(t, 320, 240))
	<-entered
	done := make(chan error, 1)
	go func() { done <- stop() }()
	if r := recv(t, a, "request past the shutdown timeout"); r.err == nil {
		t.Errorf("a request past the shutdown timeout was answered: %d", r.status)
	}
	release()
	if err := <-done; err == nil || !strings.Contains(err.Error(), "cut off") {
		t.Errorf("Serve after cutting a request off: %v", err)
	}
}

// TestConcurrentClients: many clients at once get the Go API's answer
// (run with -race in CI).
func TestConcurrentClients(t *testing.T) {
	s := newServer(t, Config{Workers: 2, Threads: 1, Queue: 16})
	url, _ := served(t, s)
	img := scaledJPEG(t, 320, 240)
	ref := want(t, img, DefaultMinConfidence)
	var wg sync.WaitGroup
	results := make(chan map[string]any, 12)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				_, _, obj := postImage(t, nil, url+"/v1/vision/detection", img)
				results <- obj
			}
		}()
	}
	wg.Wait()
	close(results)
	for obj := range results {
		checkPredictions(t, obj, ref)
	}
}

func TestLimitListener(t *testing.T) {
	base, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := limitListener(base, 1)
	defer ln.Close()
	accepted := make(chan net.Conn, 2)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	c1, err := net.Dial("tcp", base.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	s1 := <-accepted
	c2, err := net.Dial("tcp", base.Addr().String()) // waits in the backlog
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	select {
	case <-accepted:
		t.Fatal("a second connection was accepted while the first was open")
	case <-time.After(100 * time.Millisecond):
	}
	s1.Close()
	s1.Close() // closing twice releases one slot only
	(<-accepted).Close()
}
