package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer the server's logger and the test share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestServeCommand runs `detect serve` with a -model and the bundled face
// detector, probes it with -healthcheck, uses both models and stops it as
// SIGTERM does (the context), expecting exit status 0.
func TestServeCommand(t *testing.T) {
	cfgPath, weights := yolov4Tiny(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr lockedBuffer
	code := make(chan int, 1)
	go func() {
		code <- runContext(ctx, []string{"serve", "-listen", "127.0.0.1:0", "-log", "json", "-workers", "1", "-threads", "1",
			"-model", "yolo=" + cfgPath + "," + weights}, io.Discard, &stderr)
	}()
	addr := regexp.MustCompile(`"url":"(http://127\.0\.0\.1:\d+)"`)
	var url string
	for range 3000 {
		if m := addr.FindStringSubmatch(stderr.String()); m != nil {
			url = m[1]
			break
		}
		select {
		case c := <-code:
			t.Fatalf("detect serve exited with %d: %s", c, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	if url == "" {
		t.Fatalf("no listening line after 30 s: %s", stderr.String())
	}
	if c, _, errs := runCmd("serve", "-healthcheck", url+"/healthz"); c != 0 {
		t.Errorf("-healthcheck of a running server: exit %d: %s", c, errs)
	}

	resp, err := http.Get(url + "/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	var models struct {
		Models []struct {
			Name    string
			Default bool
			Classes int
		}
	}
	json.NewDecoder(resp.Body).Decode(&models)
	resp.Body.Close()
	if len(models.Models) != 2 || models.Models[0].Name != "yolo" || !models.Models[0].Default || models.Models[0].Classes != 80 ||
		models.Models[1].Name != "face" {
		t.Errorf("/v1/models: %+v", models)
	}

	img, err := os.ReadFile(filepath.Join(faceDir(t), "sample1.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	// The golden yolov4-tiny weights are not COCO-trained: its route is
	// checked for a successful answer, the face route for faces.
	for route, want := range map[string]string{"/v1/vision/face": `"label":"face"`, "/v1/vision/detection": `"success":true`} {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("image", "sample1.jpg")
		fw.Write(img)
		mw.Close()
		resp, err := http.Post(url+route, mw.FormDataContentType(), &body)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("%s: %s %s", route, resp.Status, b)
		}
	}

	cancel()
	if c := <-code; c != 0 {
		t.Errorf("detect serve after SIGTERM: exit %d: %s", c, stderr.String())
	}
	log := stderr.String()
	if !strings.Contains(log, `"msg":"request"`) || !strings.Contains(log, `"route":"/v1/vision/face"`) {
		t.Errorf("no JSON request log lines: %s", log)
	}
	if c, _, _ := runCmd("serve", "-healthcheck", url+"/healthz"); c != 1 {
		t.Errorf("-healthcheck of a stopped server: exit %d, want 1", c)
	}
}

func TestServeUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"serve", "-model", "yolo"}, 2, "NAME=CFG,WEIGHTS"},
		{[]string{"serve", "-model", "=a.cfg,a.weights"}, 2, "NAME=CFG,WEIGHTS"},
		{[]string{"serve", "-log", "xml"}, 2, "-log"},
		{[]string{"serve", "-tls-cert", "c.pem"}, 2, "-tls-key"},
		{[]string{"serve", "photo.jpg"}, 2, "unexpected argument"},
		{[]string{"serve", "-workers", "-1"}, 2, "-workers"},
		{[]string{"serve", "-listen", "127.0.0.1:0", "-model", "x=missing.cfg,missing.weights"}, 1, "missing.cfg"},
		{[]string{"serve", "-listen", "127.0.0.1:0", "-default", "nope"}, 1, "nope"},
		{[]string{"serve", "-listen", "256.0.0.1:0"}, 1, "256.0.0.1"},
		{[]string{"serve", "-listen", "127.0.0.1:0", "-tls-cert", "missing.pem", "-tls-key", "missing.key"}, 1, "missing.pem"},
	} {
		code, _, stderr := runCmd(c.args...)
		if code != c.code || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, stderr, c.code, c.msg)
		}
	}
}
