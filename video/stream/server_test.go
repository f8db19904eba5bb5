package stream

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/darkgo/darkgo/yuv"
)

func listen(t *testing.T, o Options) *Server {
	t.Helper()
	s, err := Listen("127.0.0.1:0", o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// waitFor polls cond for up to 20 s; the tests assert outcomes, not speed,
// so the bound only turns a hang into a failure.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 2000 {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// pump publishes numbered items through publish every millisecond until
// stop is closed.
func pump(publish func(i int), stop <-chan struct{}) *sync.WaitGroup {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			publish(i)
			time.Sleep(time.Millisecond)
		}
	}()
	return &wg
}

func frameData(i int) []byte { return []byte(fmt.Sprintf("frame-%08d", i)) }

// openMJPEG starts reading an MJPEG stream; it checks the response headers.
func openMJPEG(t *testing.T, url string) (*http.Response, *multipart.Reader) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/x-mixed-replace" || params["boundary"] == "" {
		t.Fatalf("Content-Type %q", resp.Header.Get("Content-Type"))
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-cache") {
		t.Errorf("Cache-Control %q", cc)
	}
	return resp, multipart.NewReader(resp.Body, params["boundary"])
}

// readFrames reads n parts and checks that each has Content-Type
// image/jpeg, a Content-Length that matches, and a frame number above the
// previous one (frames may be skipped, never repeated or reordered).
func readFrames(mr *multipart.Reader, n int) error {
	last := 0
	for range n {
		p, err := mr.NextPart()
		if err != nil {
			return err
		}
		body, err := io.ReadAll(p)
		if err != nil {
			return err
		}
		if ct := p.Header.Get("Content-Type"); ct != "image/jpeg" {
			return fmt.Errorf("part Content-Type %q", ct)
		}
		if cl := p.Header.Get("Content-Length"); cl != strconv.Itoa(len(body)) {
			return fmt.Errorf("part Content-Length %q for %d bytes", cl, len(body))
		}
		var i int
		if _, err := fmt.Sscanf(string(body[:min(len(body), 14)]), "frame-%08d", &i); err != nil {
			return fmt.Errorf("part %q: %v", body[:min(len(body), 20)], err)
		}
		if i <= last {
			return fmt.Errorf("frame %d after %d", i, last)
		}
		last = i
	}
	return nil
}

func TestAddr(t *testing.T) {
	if got := Addr("", 8090); got != "127.0.0.1:8090" {
		t.Errorf("Addr(\"\", 8090) = %q", got)
	}
	if got := Addr("0.0.0.0", 80); got != "0.0.0.0:80" {
		t.Errorf("Addr(0.0.0.0, 80) = %q", got)
	}
	if got := Addr("::1", 8070); got != "[::1]:8070" {
		t.Errorf("Addr(::1, 8070) = %q", got)
	}
}

func TestListenErrors(t *testing.T) {
	s := listen(t, Options{})
	if _, err := Listen(s.Addr().String(), Options{}); err == nil {
		t.Error("second Listen on a busy port succeeded")
	}
	if _, err := Listen("127.0.0.1:99999", Options{}); err == nil {
		t.Error("port 99999 accepted")
	}
	if _, err := Listen("127.0.0.1:0", Options{Quality: 101}); err == nil {
		t.Error("quality 101 accepted")
	}
	if _, err := Listen("127.0.0.1:0", Options{Root: Kind(7)}); err == nil {
		t.Error("unknown root kind accepted")
	}
}

func TestMJPEGManyClients(t *testing.T) {
	s := listen(t, Options{})
	const clients, frames = 10, 20
	type reader struct {
		resp *http.Response
		mr   *multipart.Reader
	}
	var rs []reader
	for range clients {
		resp, mr := openMJPEG(t, s.URL()+"stream.mjpg")
		defer resp.Body.Close()
		rs = append(rs, reader{resp, mr})
	}
	waitFor(t, "clients to connect", func() bool { return s.Clients(MJPEG) == clients })
	stop := make(chan struct{})
	wg := pump(func(i int) { s.PublishJPEG(frameData(i)) }, stop)
	errs := make(chan error, clients)
	for _, r := range rs {
		go func() { errs <- readFrames(r.mr, frames) }()
	}
	for range clients {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	close(stop)
	wg.Wait()
}

// TestRawMJPEGFormat reads the bytes on the wire: no chunked encoding, the
// headers Darknet sends, and each part ended by the next boundary.
func TestRawMJPEGFormat(t *testing.T) {
	s := listen(t, Options{})
	conn, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.TransferEncoding) != 0 {
		t.Errorf("Transfer-Encoding %v, want none", resp.TransferEncoding)
	}
	if !resp.Close {
		t.Error("no Connection: close")
	}
	waitFor(t, "the client", func() bool { return s.Clients(MJPEG) == 1 })
	s.PublishJPEG([]byte("JPEG1"))
	want := "--darkgoframe\r\nContent-Type: image/jpeg\r\nContent-Length: 5\r\n\r\nJPEG1\r\n--darkgoframe\r\n"
	got := make([]byte, len(want))
	if _, err := io.ReadFull(resp.Body, got); err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("stream starts %q, want %q", got, want)
	}
}

// TestStalledClient: a client that reads nothing does not hold up another
// that reads every frame, nor Publish, and is dropped after WriteTimeout.
func TestStalledClient(t *testing.T) {
	s := listen(t, Options{WriteTimeout: 2 * time.Second})
	stalled, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	stalled.(*net.TCPConn).SetReadBuffer(4096)
	fmt.Fprintf(stalled, "GET /stream.mjpg HTTP/1.1\r\nHost: x\r\n\r\n")
	waitFor(t, "the stalled client", func() bool { return s.Clients(MJPEG) == 1 })

	resp, mr := openMJPEG(t, s.URL()+"stream.mjpg")
	defer resp.Body.Close()
	waitFor(t, "the reading client", func() bool { return s.Clients(MJPEG) == 2 })

	// 256 KiB frames fill the stalled client's socket buffers within a few
	// frames; from then on its handler is stuck in Write.
	big := bytes.Repeat([]byte{'x'}, 256<<10)
	stop := make(chan struct{})
	var published atomic.Int64
	wg := pump(func(i int) {
		copy(big, frameData(i))
		s.PublishJPEG(big)
		published.Add(1)
	}, stop)
	if err := readFrames(mr, 30); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the stalled client to be dropped", func() bool { return s.Clients(MJPEG) == 1 })
	if err := readFrames(mr, 5); err != nil {
		t.Fatalf("after the stalled client was dropped: %v", err)
	}
	close(stop)
	wg.Wait()
	t.Logf("%d frames published", published.Load())
}

// TestPublishNeverBlocks publishes far more than any socket buffer holds
// to a client that reads nothing and never times out: every call returns,
// and so does Close.
func TestPublishNeverBlocks(t *testing.T) {
	s, err := Listen("127.0.0.1:0", Options{WriteTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		c, err := net.Dial("tcp", s.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "GET /stream.mjpg HTTP/1.1\r\nHost: x\r\n\r\n")
	}
	jc, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer jc.Close()
	fmt.Fprintf(jc, "GET /stream.json HTTP/1.1\r\nHost: x\r\n\r\n")
	waitFor(t, "the clients", func() bool { return s.Clients(MJPEG) == 3 && s.Clients(JSON) == 1 })
	big := bytes.Repeat([]byte{'y'}, 1<<20)
	line := []byte(`{"frame_id":1,"objects":[` + strings.Repeat(`{"x":1},`, 1000) + `{"x":1}]}`)
	for range 64 { // 64 MiB per client, 8 MiB of JSON: far beyond socket buffers
		s.PublishJPEG(big)
		if err := s.PublishJSON(line); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if n := s.Clients(MJPEG) + s.Clients(JSON); n != 0 {
		t.Errorf("%d clients left after Close", n)
	}
	s.PublishJPEG(big) // after Close: a no-op, not a panic
}

func TestDisconnectedClientsAreRemoved(t *testing.T) {
	s := listen(t, Options{})
	// One leaves after a frame, one without ever getting one.
	resp, mr := openMJPEG(t, s.URL()+"stream.mjpg")
	idle, err := http.Get(s.URL() + "stream.json")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the clients", func() bool { return s.Clients(MJPEG) == 1 && s.Clients(JSON) == 1 })
	stop := make(chan struct{})
	wg := pump(func(i int) { s.PublishJPEG(frameData(i)) }, stop)
	if err := readFrames(mr, 1); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	idle.Body.Close()
	waitFor(t, "the clients to be removed", func() bool { return s.Clients(MJPEG) == 0 && s.Clients(JSON) == 0 })
	close(stop)
	wg.Wait()
}

func TestMaxClients(t *testing.T) {
	s := listen(t, Options{MaxClients: 2})
	a, _ := openMJPEG(t, s.URL())
	b, err := http.Get(s.URL() + "stream.json")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Body.Close()
	waitFor(t, "two clients", func() bool { return s.Clients(MJPEG)+s.Clients(JSON) == 2 })
	c, err := http.Get(s.URL() + "stream.mjpg")
	if err != nil {
		t.Fatal(err)
	}
	c.Body.Close()
	if c.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("third client: %s, want 503", c.Status)
	}
	// The page is not a stream: it is served regardless.
	if v, err := http.Get(s.URL() + "view"); err != nil || v.StatusCode != http.StatusOK {
		t.Errorf("/view at the limit: %v %v", v, err)
	} else {
		v.Body.Close()
	}
	a.Body.Close()
	waitFor(t, "a slot to free", func() bool { return s.Clients(MJPEG) == 0 })
	d, _ := openMJPEG(t, s.URL())
	d.Body.Close()
}

func TestJSONStream(t *testing.T) {
	s := listen(t, Options{Root: JSON})
	resp, err := http.Get(s.URL()) // Root JSON: / is the JSON stream
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-ndjson" {
		t.Fatalf("Content-Type %q", ct)
	}
	if err := s.PublishJSON([]byte(`{"frame_id": 1,`)); err == nil {
		t.Error("invalid JSON published")
	}
	waitFor(t, "the client", func() bool { return s.Clients(JSON) == 1 })
	stop := make(chan struct{})
	wg := pump(func(i int) {
		// Indented, as json.MarshalIndent writes it: sent on one line.
		s.PublishJSON(fmt.Appendf(nil, "{\n  \"frame_id\": %d,\n  \"objects\": [{\"name\": \"a b\"}]\n}", i))
	}, stop)
	sc := bufio.NewScanner(resp.Body)
	last := 0
	for range 20 {
		if !sc.Scan() {
			t.Fatalf("stream ended: %v", sc.Err())
		}
		var v struct {
			FrameID int `json:"frame_id"`
			Objects []struct{ Name string }
		}
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("line %q: %v", sc.Bytes(), err)
		}
		if v.FrameID <= last || len(v.Objects) != 1 || v.Objects[0].Name != "a b" {
			t.Fatalf("line %q after frame %d", sc.Bytes(), last)
		}
		last = v.FrameID
	}
	close(stop)
	wg.Wait()
}

func TestRoutes(t *testing.T) {
	s := listen(t, Options{})
	get := func(method, path string) *http.Response {
		req, _ := http.NewRequest(method, s.URL()+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	v := get("GET", "view")
	page, _ := io.ReadAll(v.Body)
	v.Body.Close()
	if !strings.HasPrefix(v.Header.Get("Content-Type"), "text/html") || !bytes.Contains(page, []byte(`<img src="stream.mjpg"`)) {
		t.Errorf("/view: %s %q", v.Header.Get("Content-Type"), page)
	}
	for _, c := range []struct {
		method, path string
		status       int
	}{{"GET", "favicon.ico", 404}, {"GET", "stream.mjpgx", 404}, {"POST", "", 405}, {"HEAD", "stream.mjpg", 200}} {
		r := get(c.method, c.path)
		r.Body.Close()
		if r.StatusCode != c.status {
			t.Errorf("%s /%s: %s, want %d", c.method, c.path, r.Status, c.status)
		}
	}
}

// countingImage counts pixel reads, to see whether a frame was encoded.
type countingImage struct {
	image.Image
	reads *atomic.Int64
}

func (c countingImage) At(x, y int) color.Color { c.reads.Add(1); return c.Image.At(x, y) }

func solid(w, h int, c color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	return img
}

func TestPublishFrameEncodesOnlyWhenWatched(t *testing.T) {
	s := listen(t, Options{})
	var reads atomic.Int64
	img := countingImage{solid(64, 48, color.RGBA{200, 30, 40, 255}), &reads}
	if err := s.PublishFrame(img); err != nil {
		t.Fatal(err)
	}
	if n := reads.Load(); n != 0 {
		t.Fatalf("unwatched frame read %d pixels", n)
	}
	resp, mr := openMJPEG(t, s.URL())
	defer resp.Body.Close()
	waitFor(t, "the client", func() bool { return s.Clients(MJPEG) == 1 })
	if err := s.PublishFrame(img); err != nil {
		t.Fatal(err)
	}
	if reads.Load() == 0 {
		t.Fatal("watched frame not encoded")
	}
	checkRedFrame(t, "", mr)
}

// checkRedFrame reads the next MJPEG part: a 64-pixel-wide JPEG whose
// centre is 200,30,40.
func checkRedFrame(t *testing.T, what string, mr *multipart.Reader) {
	t.Helper()
	p, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	got, err := jpeg.Decode(p)
	if err != nil {
		t.Fatal(err)
	}
	r, g, b, _ := got.At(32, 24).RGBA()
	if got.Bounds().Dx() != 64 || absDiff(r>>8, 200) > 8 || absDiff(g>>8, 30) > 8 || absDiff(b>>8, 40) > 8 {
		t.Errorf("%sdecoded %v, centre %d,%d,%d, want 64 wide, 200,30,40", what, got.Bounds(), r>>8, g>>8, b>>8)
	}
}

func TestPublishFrameRejectsUnencodable(t *testing.T) {
	s := listen(t, Options{})
	for _, img := range []image.Image{nil, image.NewRGBA(image.Rect(0, 0, 0, 10)), image.NewUniform(color.Black)} {
		if err := s.PublishFrame(img); err == nil {
			t.Errorf("%T %v accepted", img, img)
		}
	}
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

// TestPublishFrameLatestWins holds the encoder on its first frame while
// many more are published: PublishFrame keeps returning, and once the
// encoder is released the client gets the newest frame next, not a backlog.
func TestPublishFrameLatestWins(t *testing.T) {
	s := listen(t, Options{})
	release := make(chan struct{})
	var encoded atomic.Int64
	s.enc.encode = func(w io.Writer, img image.Image) error {
		if encoded.Add(1) == 1 {
			<-release
		}
		_, err := fmt.Fprintf(w, "frame-%08d", img.At(0, 0).(color.RGBA).R)
		return err
	}
	resp, mr := openMJPEG(t, s.URL())
	defer resp.Body.Close()
	waitFor(t, "the client", func() bool { return s.Clients(MJPEG) == 1 })
	for i := 1; i <= 200; i++ {
		if err := s.PublishFrame(solid(8, 8, color.RGBA{uint8(i), 0, 0, 255})); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			waitFor(t, "the encoder to take frame 1", func() bool { return encoded.Load() == 1 })
		}
	}
	close(release)
	// Frame 1 reaches the client unless frame 200 overtakes it in the
	// client's own mailbox; either way frame 200 comes next.
	var got []string
	for len(got) == 0 || got[len(got)-1] == "frame-00000001" {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		got = append(got, string(b))
	}
	if last := got[len(got)-1]; last != "frame-00000200" {
		t.Errorf("client got %q, want frame 1 (maybe) then frame 200", got)
	}
	if n := encoded.Load(); n != 2 {
		t.Errorf("%d frames encoded, want 2 (the first and the newest)", n)
	}
}

// TestCloseLeavesNothingRunning: after Close (with clients connected and
// frames in flight) the server's goroutines are all gone.
func TestCloseLeavesNothingRunning(t *testing.T) {
	http.DefaultClient.CloseIdleConnections()
	before := runtime.NumGoroutine()
	s, err := Listen("127.0.0.1:0", Options{})
	if err != nil {
		t.Fatal(err)
	}
	resp, mr := openMJPEG(t, s.URL())
	jresp, err := http.Get(s.URL() + "stream.json")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the clients", func() bool { return s.Clients(MJPEG) == 1 && s.Clients(JSON) == 1 })
	if err := s.PublishFrame(solid(64, 64, color.RGBA{1, 2, 3, 255})); err != nil {
		t.Fatal(err)
	}
	s.PublishJSON([]byte(`{"frame_id":1}`))
	if _, err := mr.NextPart(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil { // twice is fine
		t.Fatal(err)
	}
	// The streams end for the clients.
	if _, err := io.Copy(io.Discard, jresp.Body); err != nil && !strings.Contains(err.Error(), "EOF") {
		t.Logf("JSON stream ended with %v", err)
	}
	resp.Body.Close()
	jresp.Body.Close()
	http.DefaultClient.CloseIdleConnections()
	waitFor(t, fmt.Sprintf("goroutines back to %d", before), func() bool { return runtime.NumGoroutine() <= before })
}

// TestPublishVideoFrame: a video frame as decoded (*yuv.Image) is
// streamed with its own colours, whether JPEG can take its planes as
// they are (full-range BT.601) or it is converted (limited BT.709), and
// the frame can be reused as soon as PublishFrame returns (it is copied).
func TestPublishVideoFrame(t *testing.T) {
	s := listen(t, Options{Quality: 95})
	resp, mr := openMJPEG(t, s.URL())
	defer resp.Body.Close()
	waitFor(t, "the client", func() bool { return s.Clients(MJPEG) == 1 })
	want := color.RGBA{200, 30, 40, 255}
	for _, c := range []struct {
		full bool
		m    yuv.Matrix
	}{{true, yuv.BT601}, {false, yuv.BT709}} {
		img := yuv.NewImage(64, 48, image.YCbCrSubsampleRatio420, c.full, c.m)
		img.Fill(img.Rect, want)
		if err := s.PublishFrame(img); err != nil {
			t.Fatal(err)
		}
		img.Fill(img.Rect, color.RGBA{0, 255, 0, 255}) // reused at once: must not show
		checkRedFrame(t, fmt.Sprintf("full range %v %v: ", c.full, c.m), mr)
	}
}
