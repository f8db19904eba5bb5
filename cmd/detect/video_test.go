package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/jpeg"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/darkgo/darkgo/internal/testvideo"
	"github.com/darkgo/darkgo/video"
)

// videoFrames reads a video back: its frame count and info.
func videoFrames(t *testing.T, path string) (int, video.Info) {
	t.Helper()
	src, err := video.Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	n := 0
	for {
		f, err := src.Next()
		if errors.Is(err, io.EOF) {
			return n, src.Info()
		}
		if err != nil {
			t.Fatal(err)
		}
		f.Release()
		n++
	}
}

// parseFrames decodes -jsonl output strictly.
func parseFrames(t *testing.T, out string) []jsonFrame {
	t.Helper()
	var frames []jsonFrame
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var f struct {
			FrameID    int64           `json:"frame_id"`
			TimeS      float64         `json:"time_s"`
			Width      int             `json:"width"`
			Height     int             `json:"height"`
			Detections []jsonDetection `json:"detections"`
		}
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			t.Fatalf("-jsonl line %q: %v", line, err)
		}
		jf := jsonFrame{FrameID: f.FrameID, TimeS: seconds(f.TimeS * 1e9), Width: f.Width, Height: f.Height}
		jf.Detections = f.Detections
		frames = append(frames, jf)
	}
	return frames
}

// TestVideoOutputs runs the bundled face detector over the face video
// with every file output: one JSON line and one Darknet JSON object per
// frame with the right ids and times, faces where the photos are and none
// on the grey frames, track ids that stay the same on the still part, an
// annotated video with the source's frame count, size and rate, and one
// annotated JPEG per frame.
func TestVideoOutputs(t *testing.T) {
	dir := t.TempDir()
	in := testvideo.MakeFaceVideo(t, dir, "face.mp4", "libx264")
	out := filepath.Join(dir, "out.mp4")
	res := filepath.Join(dir, "result.json")
	prefix := filepath.Join(dir, "frames", "f")
	code, stdout, stderr := runCmd("-jsonl", "-track", "-threads", "2", "-out", res, "-out_filename", out, "-prefix", prefix, in)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	frames := parseFrames(t, stdout)
	if len(frames) != testvideo.Frames {
		t.Fatalf("%d JSON lines, want %d", len(frames), testvideo.Frames)
	}
	stillIDs := map[int]bool{}
	for k, f := range frames {
		if f.FrameID != int64(k) || f.TimeS != seconds(k*100e6) || f.Width != testvideo.FaceW || f.Height != testvideo.FaceH {
			t.Errorf("line %d: frame_id %d, time_s %v, %dx%d", k, f.FrameID, f.TimeS, f.Width, f.Height)
		}
		n := len(f.Detections)
		switch {
		case k < testvideo.PanFrames && n == 0,
			k >= testvideo.PanFrames && k < testvideo.PanFrames+testvideo.GreyFrames && n != 0,
			k >= testvideo.PanFrames+testvideo.GreyFrames && n < 3:
			t.Errorf("frame %d: %d faces", k, n)
		}
		if k >= testvideo.Frames-5 { // the still photo: tracks are confirmed
			ids := map[int]bool{}
			for _, d := range f.Detections {
				if d.TrackID == 0 || ids[d.TrackID] {
					t.Errorf("frame %d: track ids %+v", k, f.Detections)
				}
				ids[d.TrackID] = true
			}
			if k == testvideo.Frames-5 {
				stillIDs = ids
			} else if len(ids) != len(stillIDs) {
				t.Errorf("frame %d: track ids %v, were %v", k, ids, stillIDs)
			}
			for id := range ids {
				if !stillIDs[id] {
					t.Errorf("frame %d: track id %d is new on a still image (ids %v)", k, id, stillIDs)
				}
			}
		}
	}
	var darknet []struct {
		FrameID int               `json:"frame_id"`
		Objects []json.RawMessage `json:"objects"`
	}
	b, err := os.ReadFile(res)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &darknet); err != nil {
		t.Fatalf("-out: %v", err)
	}
	if len(darknet) != testvideo.Frames {
		t.Errorf("-out has %d frames, want %d", len(darknet), testvideo.Frames)
	}
	for k, f := range darknet {
		if f.FrameID != k+1 || len(f.Objects) != len(frames[k].Detections) {
			t.Errorf("-out frame %d: frame_id %d, %d objects (JSON lines: %d)", k, f.FrameID, len(f.Objects), len(frames[k].Detections))
		}
	}
	n, info := videoFrames(t, out)
	if n != testvideo.Frames || info.Width != testvideo.FaceW || info.Height != testvideo.FaceH || info.FPS != testvideo.FPS || info.Codec != "h264" {
		t.Errorf("annotated video: %d frames, %+v", n, info)
	}
	jpgs, _ := filepath.Glob(prefix + "_*.jpg")
	if len(jpgs) != testvideo.Frames || filepath.Base(jpgs[0]) != "f_00000000.jpg" {
		t.Errorf("-prefix wrote %d frames (%v)", len(jpgs), jpgs[:min(len(jpgs), 2)])
	}
	if !strings.Contains(stderr, "25 frames") {
		t.Errorf("no summary on stderr: %s", stderr)
	}
	testvideo.NoChildren(t)
}

// TestVideoTextSkip: Darknet's text lines per frame, every 5th frame (-s).
func TestVideoTextSkip(t *testing.T) {
	dir := t.TempDir()
	in := testvideo.MakeFaceVideo(t, dir, "face.avi", "mjpeg")
	code, stdout, stderr := runCmd("-s", "5", "-ext_output", in)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var heads []string
	for _, l := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(l, "frame ") {
			heads = append(heads, l[:strings.Index(l, ":")])
		} else if l != "" && (!strings.HasPrefix(l, "face: ") || !strings.Contains(l, "left_x:")) {
			t.Errorf("unexpected line %q", l)
		}
	}
	want := []string{"frame 0 (0.000 s)", "frame 5 (0.500 s)", "frame 10 (1.000 s)", "frame 15 (1.500 s)", "frame 20 (2.000 s)"}
	if strings.Join(heads, "|") != strings.Join(want, "|") {
		t.Errorf("frames %q, want %q", heads, want)
	}
}

// TestDecoderThreads: -decoder_threads reaches ffmpeg as -threads before
// its input; the default gives the decoder the cores -threads leaves free
// and leaves ffmpeg its own choice when there are none. A wrapper logs the
// arguments ffmpeg was started with.
func TestDecoderThreads(t *testing.T) {
	real, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := testvideo.MakeFaceVideo(t, dir, "face.avi", "mjpeg")
	log := filepath.Join(dir, "args")
	wrapper := filepath.Join(dir, "ffmpeg")
	script := "#!/bin/sh\necho \"$*\" >> " + log + "\nexec " + real + " \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cores := min(runtime.NumCPU(), runtime.GOMAXPROCS(0))
	spare := ""
	if cores > 1 {
		spare = fmt.Sprintf("-threads %d -i", cores-1)
	}
	for _, c := range []struct {
		args []string
		want string // ffmpeg's decoder threads option, "" for none
	}{
		{[]string{"-decoder_threads", "1"}, "-threads 1 -i"},
		{[]string{"-decoder_threads", "3", "-threads", "1"}, "-threads 3 -i"},
		{[]string{"-decoder_threads", "0", "-threads", "1"}, ""},
		{[]string{"-threads", "1"}, spare},
		{[]string{"-threads", strconv.Itoa(cores)}, ""},
	} {
		os.Remove(log)
		args := append(append([]string{"-ffmpeg", wrapper, "-s", "5", "-jsonl"}, c.args...), in)
		code, stdout, stderr := runCmd(args...)
		if code != 0 || strings.Count(stdout, "\n") != (testvideo.Frames+4)/5 {
			t.Fatalf("%v: exit %d, %d lines: %s", c.args, code, strings.Count(stdout, "\n"), stderr)
		}
		data, err := os.ReadFile(log)
		if err != nil {
			t.Fatal(err)
		}
		// The decoding ffmpeg is the one with a raw video output.
		var decoder string
		for _, line := range strings.Split(string(data), "\n") {
			if strings.Contains(line, "rawvideo pipe:1") {
				decoder = line
			}
		}
		if decoder == "" {
			t.Fatalf("%v: no decoding ffmpeg in %q", c.args, data)
		}
		if has := strings.Contains(decoder, "-threads "); c.want == "" && has || c.want != "" && !strings.Contains(decoder, c.want) {
			t.Errorf("%v: ffmpeg %q, want %q", c.args, decoder, c.want)
		}
	}
	if code, _, stderr := runCmd("-decoder_threads", "-2", in); code != 2 || !strings.Contains(stderr, "-decoder_threads -2") {
		t.Errorf("-decoder_threads -2: exit %d, %s", code, stderr)
	}
	for _, n := range []string{"-2", "40"} {
		if code, _, stderr := runCmd("-decoder_nice", n, in); code != 2 || !strings.Contains(stderr, "-decoder_nice "+n) {
			t.Errorf("-decoder_nice %s: exit %d, %s", n, code, stderr)
		}
	}
}

// TestVideoParallel: -parallel 1 (one frame at a time on both threads)
// and -parallel 2 (two one-thread networks) write the same lines.
func TestVideoParallel(t *testing.T) {
	dir := t.TempDir()
	in := testvideo.MakeFaceVideo(t, dir, "face.avi", "mjpeg")
	var outs []string
	for _, p := range []string{"1", "2"} {
		code, stdout, stderr := runCmd("-threads", "2", "-parallel", p, "-s", "2", "-jsonl", in)
		if code != 0 {
			t.Fatalf("-parallel %s: exit %d: %s", p, code, stderr)
		}
		if n := strings.Count(stdout, "\n"); n != (testvideo.Frames+1)/2 {
			t.Fatalf("-parallel %s: %d lines", p, n)
		}
		outs = append(outs, stdout)
	}
	if outs[0] != outs[1] {
		t.Errorf("-parallel 1 and 2 differ:\n%s\n%s", outs[0], outs[1])
	}
	if code, _, stderr := runCmd("-parallel", "-1", in); code != 2 || !strings.Contains(stderr, "-parallel -1") {
		t.Errorf("-parallel -1: exit %d, %s", code, stderr)
	}
}

// TestVideoErrors: bad sources fail with exit status 1 and a message
// naming them (as a bad image does); bad flags are usage errors (2);
// no ffmpeg is left running.
func TestVideoErrors(t *testing.T) {
	dir := t.TempDir()
	good := testvideo.MakeFaceVideo(t, dir, "face.mp4", "libx264")
	text := filepath.Join(dir, "notes.mp4")
	os.WriteFile(text, []byte("this is not a video\n"), 0o644)
	data, _ := os.ReadFile(good)
	trunc := filepath.Join(dir, "trunc.mp4")
	os.WriteFile(trunc, data[:len(data)/2], 0o644)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{text}, 1, "Invalid data found when processing input"},
		{[]string{trunc}, 1, "trunc.mp4: moov atom not found"},
		{[]string{filepath.Join(dir, "missing.mp4")}, 1, "missing.mp4: no such file"},
		{[]string{"-retries", "0", "rtsp://127.0.0.1:1/x"}, 1, "rtsp://127.0.0.1:1/x: Connection to tcp://127.0.0.1:1"},
		{[]string{"-c", "9"}, 1, "/dev/video9: no such camera"},
		{[]string{"-ffmpeg", filepath.Join(dir, "ffmpeg"), good}, 1, "apt-get install ffmpeg"},
		{[]string{good, good}, 2, "one video source at a time"},
		{[]string{"-o", dir, good}, 2, "-out_filename"},
		{[]string{"-json", good}, 2, "-jsonl"},
		{[]string{"-s", "-1", good}, 2, "-s -1"},
		{[]string{"-out_filename", good, good}, 2, "is the input"},
		{[]string{"-c", "0", good}, 2, "one video source"},
	} {
		code, _, stderr := runCmd(c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) || (code == 1 && !strings.Contains(stderr, c.args[len(c.args)-1]+": ")) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", c.args, code, stderr, c.code, c.want)
		}
	}
	t.Setenv("PATH", dir)
	if code, _, stderr := runCmd(good); code != 1 || !strings.Contains(stderr, "apt-get install ffmpeg") {
		t.Errorf("ffmpeg not on PATH: exit %d, %q", code, stderr)
	}
	testvideo.NoChildren(t)
}

// lineReader collects the command's stdout line by line as it comes.
type lineReader struct {
	mu    sync.Mutex
	lines []string
	more  chan struct{}
	eof   chan struct{} // closed when stdout has been read to its end
}

func readLines(r io.Reader) *lineReader {
	l := &lineReader{more: make(chan struct{}, 1), eof: make(chan struct{})}
	go func() {
		defer close(l.eof)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			l.mu.Lock()
			l.lines = append(l.lines, sc.Text())
			l.mu.Unlock()
			select {
			case l.more <- struct{}{}:
			default:
			}
		}
	}()
	return l
}

// waitFor blocks until n lines have come.
func (l *lineReader) waitFor(n int) {
	for {
		l.mu.Lock()
		k := len(l.lines)
		l.mu.Unlock()
		if k >= n {
			return
		}
		select {
		case <-l.more:
		case <-l.eof:
			return // the caller's checks report the missing lines
		}
	}
}

// all waits for the end of stdout and returns every line.
func (l *lineReader) all() []string {
	<-l.eof
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lines
}

// runAsync runs the command on a goroutine: its stdout comes line by line,
// its exit status on done once stdout is closed, its stderr in errb
// (read it after done).
func runAsync(ctx context.Context, args ...string) (lines *lineReader, done chan int, errb *strings.Builder) {
	pr, pw := io.Pipe()
	lines, done, errb = readLines(pr), make(chan int, 1), &strings.Builder{}
	go func() {
		code := runContext(ctx, args, pw, errb)
		pw.Close()
		done <- code
	}()
	return lines, done, errb
}

// TestVideoStream reads a live MJPEG stream: Ctrl-C (the context) ends the
// run with every output flushed and exit 0, the annotated video holding
// as many frames as there are JSON lines; a stream whose server dies is
// retried, then the run fails with exit 1 after flushing.
func TestVideoStream(t *testing.T) {
	dir := t.TempDir()
	srv := testvideo.StartMJPEGServer(t, testvideo.FreePort(t), 25)
	out := filepath.Join(dir, "live.mp4")
	ctx, cancel := context.WithCancel(context.Background())
	lines, done, errb := runAsync(ctx, "-jsonl", "-out_filename", out, srv.URL)
	lines.waitFor(5)
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("interrupted: exit %d: %s", code, errb.String())
	}
	got := len(lines.all())
	if n, _ := videoFrames(t, out); n != got {
		t.Errorf("annotated video has %d frames, %d JSON lines were written", n, got)
	}
	srv.Kill()

	srv = testvideo.StartMJPEGServer(t, testvideo.FreePort(t), 25)
	lines, done, errb = runAsync(context.Background(), "-jsonl", "-retries", "1", srv.URL)
	lines.waitFor(3)
	srv.Kill()
	if code := <-done; code != 1 || !strings.Contains(errb.String(), srv.URL) || !strings.Contains(errb.String(), "gave up after 1 retry") {
		t.Errorf("stream killed: exit %d: %s", code, errb.String())
	}
	for _, l := range lines.all() {
		parseFrames(t, l)
	}
	testvideo.NoChildren(t, srv.Pid())
}

// TestVideoLiveViews serves -json_port and -mjpeg_port while reading a
// live stream of a still photo: a JSON client gets the same lines as
// -jsonl, an MJPEG client gets frames of the source's size with the boxes
// of the JSON's faces drawn on them, and a client that connects and never
// reads does not hold the run up (-time_limit_sec ends it with exit 0).
func TestVideoLiveViews(t *testing.T) {
	srv := testvideo.StartPhotoServer(t, testvideo.FreePort(t))
	jsonPort, mjpegPort := testvideo.FreePort(t), testvideo.FreePort(t)
	lines, done, errb := runAsync(context.Background(), "-jsonl", "-time_limit_sec", "4",
		"-json_port", strconv.Itoa(jsonPort), "-mjpeg_port", strconv.Itoa(mjpegPort), srv.URL)
	lines.waitFor(1) // the servers are up
	stalled, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", mjpegPort))
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	fmt.Fprintf(stalled, "GET /stream.mjpg HTTP/1.1\r\nHost: x\r\n\r\n") // and never read

	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/stream.json", jsonPort))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(resp.Body)
	var served []jsonFrame
	for len(served) < 3 && sc.Scan() {
		served = append(served, parseFrames(t, sc.Text())...)
	}
	resp.Body.Close()

	resp, err = http.Get(fmt.Sprintf("http://127.0.0.1:%d/stream.mjpg", mjpegPort))
	if err != nil {
		t.Fatal(err)
	}
	_, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	part, err := multipart.NewReader(resp.Body, params["boundary"]).NextPart()
	if err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(part)
	resp.Body.Close()
	if err != nil || img.Bounds().Dx() != testvideo.FaceW || img.Bounds().Dy() != testvideo.FaceH {
		t.Fatalf("MJPEG frame: %v, %v", err, img)
	}
	// The frame is annotated: along the left edge of each face's box
	// (the same on every frame of a still photo) runs the face class's
	// red (242, 36, 36), which JPEG's 4:2:0 chroma blurs to about
	// (168, 68, 66) on a 2 px line: red clearly above green and blue.
	if len(served) == 0 || len(served[0].Detections) == 0 {
		t.Fatalf("no faces served: %+v", served)
	}
	boxColour := classColor(0, 1)
	for _, d := range served[0].Detections {
		n, near := 0, 0
		for y := d.Box.Top + 4; y < d.Box.Top+d.Box.Height-4; y++ {
			n++
			for x := d.Box.Left; x <= d.Box.Left+1; x++ { // the 2 px line
				r, g, b, _ := img.At(x, y).RGBA()
				if r>>8 > 130 && int(r>>8)-int(max(g, b)>>8) > 70 {
					near++
					break
				}
			}
		}
		if n < 20 || near < n*3/4 {
			t.Errorf("box %+v: %d of %d rows of its left edge in the box colour %v", d.Box, near, n, boxColour)
		}
	}

	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	byID := map[int64]jsonFrame{}
	for _, l := range lines.all() {
		for _, f := range parseFrames(t, l) {
			byID[f.FrameID] = f
		}
	}
	if len(served) < 3 {
		t.Fatalf("the JSON client got %d frames", len(served))
	}
	for _, f := range served {
		if g, ok := byID[f.FrameID]; !ok || g.TimeS != f.TimeS || len(g.Detections) != len(f.Detections) {
			t.Errorf("served frame %d (%v) is not the -jsonl one (%v)", f.FrameID, f, g)
		}
	}
	testvideo.NoChildren(t, srv.Pid())
}
