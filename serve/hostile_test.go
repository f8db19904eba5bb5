package serve

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// pngClaiming is a PNG signature and IHDR chunk (valid CRC) claiming a
// w×h RGBA image, followed by nothing: decoding it would allocate w*h*4
// bytes.
func pngClaiming(w, h uint32) []byte {
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr[:]...)
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

// zeros is a reader of n zero bytes that counts what was read of it.
type zeros struct {
	n, read int64
	mu      sync.Mutex
}

func (z *zeros) Read(p []byte) (int, error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.read >= z.n {
		return 0, io.EOF
	}
	k := int(min(int64(len(p)), z.n-z.read))
	clear(p[:k])
	z.read += int64(k)
	return k, nil
}

func (z *zeros) count() int64 {
	z.mu.Lock()
	defer z.mu.Unlock()
	return z.read
}

// TestHostileRequests sends what a network throws at a server, each
// answered with a JSON 4xx, while another client keeps getting its faces.
func TestHostileRequests(t *testing.T) {
	const key = "k3y"
	const maxBody = 4 << 20
	s := newServer(t, Config{APIKey: key, MaxBody: maxBody, ReadHeaderTimeout: 300 * time.Millisecond})
	url, _ := served(t, s)
	good := scaledJPEG(t, 640, 480)
	auth := http.Header{"Authorization": {"Bearer " + key}}

	// The well-behaved client.
	stop := make(chan struct{})
	var served, failed atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		body, ct := form(t, nil, "image", "cam.jpg", good)
		for {
			select {
			case <-stop:
				return
			default:
			}
			req, _ := http.NewRequest(http.MethodPost, url+"/v1/vision/detection", bytes.NewReader(body))
			req.Header.Set("Content-Type", ct)
			req.Header.Set("Authorization", "Bearer "+key)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				failed.Add(1)
				continue
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				served.Add(1)
			} else if resp.StatusCode != http.StatusServiceUnavailable { // a designed "busy"
				failed.Add(1)
			}
		}
	}()

	truncated := sample(t)[:len(sample(t))/3]
	cases := []struct {
		name   string
		path   string
		fields [][2]string
		field  string // file field ("" for none)
		data   []byte
		header http.Header
		status int
	}{
		{"no image field", "/v1/vision/detection", [][2]string{{"min_confidence", "0.5"}}, "", nil, auth, 400},
		{"image in another field", "/v1/vision/detection", nil, "file", good, auth, 400},
		{"text file", "/v1/vision/detection", nil, "image", []byte("hello, this is not an image\n"), auth, 400},
		{"empty file", "/v1/vision/detection", nil, "image", []byte{}, auth, 400},
		{"truncated JPEG", "/v1/vision/detection", nil, "image", truncated, auth, 400},
		{"PNG claiming 60000x60000", "/v1/vision/detection", nil, "image", pngClaiming(60000, 60000), auth, 413},
		{"PNG claiming 0x0", "/v1/vision/detection", nil, "image", pngClaiming(0, 0), auth, 400},
		{"unknown model", "/v1/vision/custom/nope", nil, "image", good, auth, 404},
		{"unknown model, no key", "/v1/vision/custom/nope", nil, "image", good, nil, 401},
		{"min_confidence=abc", "/v1/vision/detection", [][2]string{{"min_confidence", "abc"}}, "image", good, auth, 400},
		{"min_confidence=-1", "/v1/vision/detection", [][2]string{{"min_confidence", "-1"}}, "image", good, auth, 400},
		{"min_confidence=NaN", "/v1/vision/detection", [][2]string{{"min_confidence", "NaN"}}, "image", good, auth, 400},
		{"min_confidence=2", "/v1/vision/detection", [][2]string{{"min_confidence", "2"}}, "image", good, auth, 400},
		{"min_confidence=Inf", "/v1/vision/detection", [][2]string{{"min_confidence", "Inf"}}, "image", good, auth, 400},
		{"wrong api_key", "/v1/vision/detection", [][2]string{{"api_key", "guess"}}, "image", good, nil, 401},
		{"no api_key", "/v1/vision/detection", nil, "image", good, nil, 401},
		{"wrong bearer", "/v1/vision/face", nil, "image", good, http.Header{"Authorization": {"Bearer guess"}}, 401},
		{"basic auth", "/v1/vision/face", nil, "image", good, http.Header{"Authorization": {"Basic a2V5Og=="}}, 401},
		{"huge form field", "/v1/vision/detection", [][2]string{{"min_confidence", string(make([]byte, 10000))}}, "image", good, auth, 400},
	}
	for _, c := range cases {
		body, ct := form(t, c.fields, c.field, "x.jpg", c.data)
		status, _, obj := post(t, nil, url+c.path, ct, body, c.header)
		wantError(t, c.name, status, obj, c.status)
	}
	status, _, obj := post(t, nil, url+"/v1/detect", "image/jpeg", good, nil)
	wantError(t, "raw body, no key", status, obj, 401)
	status, _, obj = post(t, nil, url+"/v1/detect?model=nope&thresh=abc", "image/jpeg", good, nil)
	wantError(t, "bad parameters, no key", status, obj, 401)
	// Not multipart at all, on a DeepStack route.
	status, _, obj = post(t, nil, url+"/v1/vision/detection", "application/json", []byte(`{"image": "x"}`), auth)
	wantError(t, "JSON body", status, obj, 400)
	status, _, obj = post(t, nil, url+"/v1/vision/detection", "multipart/form-data; boundary=zz", []byte("--zz\r\nbroken"), auth)
	wantError(t, "broken multipart", status, obj, 400)

	// 1 GB bodies: refused without being read, declared or chunked.
	for _, declared := range []bool{true, false} {
		z := &zeros{n: 1 << 30}
		req, _ := http.NewRequest(http.MethodPost, url+"/v1/detect", z)
		if declared {
			req.ContentLength = z.n
		} else {
			req.ContentLength = -1 // chunked
		}
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "image/jpeg")
		status, _, obj := do(t, nil, req)
		wantError(t, "1 GB body", status, obj, http.StatusRequestEntityTooLarge)
		if n := z.count(); n > 64<<20 {
			t.Errorf("1 GB body (declared %v): the client sent %d MB before the answer", declared, n>>20)
		}
	}

	// Headers trickled a byte at a time: the connection is closed after
	// ReadHeaderTimeout (300 ms here), with no handler ever running.
	conn, err := net.Dial("tcp", url[len("http://"):])
	if err != nil {
		t.Fatal(err)
	}
	closed := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(conn)
		closed <- b
	}()
	head := "POST /v1/vision/detection HTTP/1.1\r\nHost: x\r\nX-Slow: " + string(bytes.Repeat([]byte("a"), 400))
	trickled := false
	for i := 0; i < len(head) && !trickled; i++ {
		select {
		case b := <-closed:
			trickled = true
			if len(b) != 0 && !bytes.HasPrefix(b, []byte("HTTP/1.1 4")) {
				t.Errorf("slow headers: answered %q", b)
			}
		case <-time.After(50 * time.Millisecond):
			conn.Write([]byte{head[i]})
		}
	}
	conn.Close()
	if !trickled {
		t.Errorf("slow headers: the connection was still open after %d bytes at 20 bytes/s", len(head))
	}

	close(stop)
	wg.Wait()
	if served.Load() == 0 || failed.Load() != 0 {
		t.Errorf("the well-behaved client: %d served, %d failed", served.Load(), failed.Load())
	}
}
