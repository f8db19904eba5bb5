package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/darkgo/darkgo/engine"
	"github.com/darkgo/darkgo/engine/preprocess"
)

var (
	faceOnce  sync.Once
	faceModel *Model
	faceErr   error
)

// face is the bundled face detector, loaded once for all tests (a Net is
// safe for concurrent use).
func face(t testing.TB) *Model {
	t.Helper()
	faceOnce.Do(func() { faceModel, faceErr = BundledFace(&engine.Options{Threads: 1}) })
	if faceErr != nil {
		t.Fatal(faceErr)
	}
	return faceModel
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sample is testdata/faceapi/sample1.jpg: 1920×1280, three faces.
func sample(t testing.TB) []byte { return readFile(t, "../testdata/faceapi/sample1.jpg") }

// scaledJPEG is sample1.jpg scaled to w×h (nearest neighbour), as JPEG:
// the camera-sized frames clients send.
func scaledJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	src, _, err := preprocess.Decode(bytes.NewReader(sample(t)))
	if err != nil {
		t.Fatal(err)
	}
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			dst.Set(x, y, src.At(b.Min.X+x*b.Dx()/w, b.Min.Y+y*b.Dy()/h))
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// newServer builds a server on the face model unless cfg names models;
// its workers stop when the test ends.
func newServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.Models == nil {
		cfg.Models = []*Model{face(t)}
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// handlerServer serves s.Handler() through httptest (closed before s's
// workers stop: cleanups run last-in first-out).
func handlerServer(t testing.TB, s *Server) *httptest.Server {
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts
}

// served runs s.Serve on a loopback port, with its network limits; stop
// shuts it down and returns Serve's result.
func served(t testing.TB, s *Server) (url string, stop func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(ctx, ln) }()
	var once sync.Once
	var serr error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case serr = <-errc:
			case <-time.After(time.Minute):
				serr = errors.New("Serve did not return within a minute of the shutdown")
			}
		})
		return serr
	}
	t.Cleanup(func() { stop() })
	return "http://" + ln.Addr().String(), stop
}

// form builds a multipart body: fields in order, then the file (if data is
// not nil) in fileField.
func form(t testing.TB, fields [][2]string, fileField, filename string, data []byte) (body []byte, contentType string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	if data != nil {
		fw, err := mw.CreateFormFile(fileField, filename)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), mw.FormDataContentType()
}

// post sends body and returns the status, headers and decoded JSON object.
func post(t testing.TB, client *http.Client, url, contentType string, body []byte, header http.Header) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	return do(t, client, req)
}

func do(t testing.TB, client *http.Client, req *http.Request) (int, http.Header, map[string]any) {
	t.Helper()
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if ct := resp.Header.Get("Content-Type"); ct == "application/json" {
		if err := json.Unmarshal(b, &obj); err != nil {
			t.Fatalf("%s %s: status %d, body not JSON: %v: %q", req.Method, req.URL, resp.StatusCode, err, b)
		}
	}
	return resp.StatusCode, resp.Header, obj
}

// postImage posts an image as DeepStack clients do (multipart "image").
func postImage(t testing.TB, client *http.Client, url string, img []byte, fields ...[2]string) (int, http.Header, map[string]any) {
	t.Helper()
	body, ct := form(t, fields, "image", "image.jpg", img)
	return post(t, client, url, ct, body, nil)
}

// wantError checks a JSON error answer with the given status.
func wantError(t testing.TB, what string, status int, obj map[string]any, want int) {
	t.Helper()
	if status != want {
		t.Errorf("%s: status %d, want %d (%v)", what, status, want, obj)
		return
	}
	if obj == nil || obj["success"] != false || obj["error"] == "" || obj["error"] == nil {
		t.Errorf("%s: want {\"success\": false, \"error\": ...}, got %v", what, obj)
	}
}
