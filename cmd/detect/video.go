package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/darkgo/darkgo/engine/detect"
	"github.com/darkgo/darkgo/track"
	"github.com/darkgo/darkgo/video"
)

// videoFlags are the flags only the video mode takes.
var videoFlags = []string{"c", "out_filename", "time_limit_sec", "s", "prefix", "retries", "ffmpeg", "decoder_threads", "decoder_nice",
	"json_port", "mjpeg_port", "listen", "track", "track_ttl", "parallel"}

// wantsVideo: -c N, or one argument that names a video by its form (a
// video extension, a stream URL, /dev/videoN, "-", an image-sequence
// pattern), or one file that is not an image and ffprobe calls a video.
func wantsVideo(o *options) bool {
	if o.set["c"] {
		return true
	}
	for _, a := range o.inputs {
		if video.IsVideoName(a) {
			return true
		}
	}
	if len(o.inputs) == 1 && !isImageName(o.inputs[0]) {
		if st, err := os.Stat(o.inputs[0]); err == nil && st.Mode().IsRegular() {
			return video.Probe(context.Background(), o.inputs[0], o.ffmpeg)
		}
	}
	return false
}

// videoSource is the one source of the video mode.
func videoSource(o *options) string {
	if o.set["c"] {
		return video.CameraDevice(o.camera)
	}
	return o.inputs[0]
}

func checkVideo(o *options) error {
	switch {
	case o.set["c"] && len(o.inputs) > 0:
		return usagef("-c %d and %s: one video source at a time", o.camera, strings.Join(o.inputs, " "))
	case len(o.inputs) > 1:
		return usagef("%s: one video source at a time (images and videos are not mixed either)", strings.Join(o.inputs, " "))
	case o.set["c"] && o.camera < 0:
		return usagef("-c %d: want a camera number, 0 or more", o.camera)
	}
	if err := onlyFlags(o, "video", append([]string{"names", "thresh", "hier", "nms", "ext_output", "jsonl", "out",
		"classes", "letter_box", "q", "dont_show", "exact"}, videoFlags...)...); err != nil {
		if o.set["o"] {
			return usagef("-o DIR is for images; for a video use -out_filename FILE (annotated video) or -prefix P (annotated frames)")
		}
		if o.set["json"] {
			return usagef("-json is for images; for a video use -jsonl (one line per frame) or -json_port")
		}
		return err
	}
	if err := checkThresholds(o); err != nil {
		return err
	}
	switch {
	case o.skip < 0:
		return usagef("-s %d: want 0 or more (process every Nth frame)", o.skip)
	case o.retries < 0:
		return usagef("-retries %d: want 0 or more", o.retries)
	case o.timeLimit < 0:
		return usagef("-time_limit_sec %g: want 0 (no limit) or more", o.timeLimit)
	case o.trackTTL < 0:
		return usagef("-track_ttl %d: want 0 or more frames", o.trackTTL)
	case o.jsonPort < 0 || o.jsonPort > 65535 || o.mjpegPort < 0 || o.mjpegPort > 65535:
		return usagef("-json_port/-mjpeg_port: want a TCP port, 1 to 65535")
	case o.jsonPort != 0 && o.jsonPort == o.mjpegPort:
		return usagef("-json_port and -mjpeg_port are both %d: one server per port", o.jsonPort)
	}
	src := videoSource(o)
	for _, out := range []struct{ flag, path string }{{"out_filename", o.outFilename}, {"out", o.out}} {
		if out.path != "" && sameFile(out.path, src) {
			return usagef("-%s %s is the input: refusing to overwrite it", out.flag, out.path)
		}
	}
	if o.out != "" && video.IsVideoName(o.out) {
		return usagef("-out %s: -out takes a JSON file name (result.json); the annotated video goes to -out_filename", o.out)
	}
	return nil
}

// runVideo is the video mode: ffmpeg decodes, video.Run detects, and this
// loop writes every output for each frame in order. Ctrl-C, -time_limit_sec
// or the end of the source end it with every output flushed (exit 0); a
// source that fails part-way is reported after the flush (exit 1).
func runVideo(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	m, err := loadModel(o, true, stderr)
	if err != nil {
		return err
	}
	if err := m.net.IsDetector(); err != nil {
		return err
	}
	thresh, nms := thresholds(o, m)
	keep, err := classFilter(o.classes, m)
	if err != nil {
		return err
	}
	if o.verbose {
		printVersion(stderr, m, o.threads)
	}
	// Stop reading the source on Ctrl-C or at the time limit; the outputs
	// are flushed afterwards whatever the reason.
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if o.timeLimit > 0 {
		runCtx, cancel = context.WithTimeout(runCtx, time.Duration(o.timeLimit*float64(time.Second)))
		defer cancel()
	}
	name := videoSource(o)
	netThreads := o.threads
	if netThreads <= 0 {
		netThreads = m.net.Threads()
	}
	decThreads, decNice := o.decThreads, o.decNice
	if decThreads < 0 {
		decThreads = video.DecoderThreadsFor(netThreads)
	}
	if decNice < 0 {
		decNice = video.DecoderNiceFor(netThreads)
	}
	src, err := video.Open(runCtx, name, &video.Options{FFmpeg: o.ffmpeg, Skip: o.skip, Retries: o.retries,
		DecoderThreads: decThreads, DecoderNice: decNice})
	if err != nil {
		if ctx.Err() != nil {
			return nil // interrupted while connecting
		}
		if errors.Is(err, video.ErrNoFFmpeg) {
			return fmt.Errorf("%s: %w, or give its path with -ffmpeg PATH", name, err)
		}
		return err
	}
	defer src.Close()
	info := src.Info()

	outs, err := openVideoOutputs(o, m, info, stdout, stderr)
	if err != nil {
		return err
	}
	var tracker *track.Tracker
	if o.track {
		to := track.DefaultOptions()
		to.TTL = o.trackTTL
		if tracker, err = track.New(to); err != nil {
			outs.close()
			return usagef("%v", err)
		}
	}
	status := newVideoStatus(stderr, info, isTerminal(stderr) && !isTerminal(stdout) && !o.quiet)
	ropts := &video.RunOptions{Detect: *engineOptions(float32(thresh), float32(o.hier), float32(nms)), Threads: o.threads, Parallel: o.parallel}
	if o.letterBox {
		ropts.Detect.Letterbox = 1 // engine.LetterboxOn
	}
	var failure error
	for r := range video.Run(runCtx, m.net, src, ropts) {
		if r.Err != nil {
			failure = r.Err
			break
		}
		dets := r.Boxes.Detections
		keepClasses(dets, keep)
		rep := detect.Reported(dets, float32(thresh), m.names)
		var ids []int // per reported detection
		if tracker != nil {
			ids = trackIDs(tracker, rep, info.Width, info.Height)
		}
		if err := outs.frame(r.Frame, dets, rep, ids, float32(thresh)); err != nil {
			failure = err
			r.Release()
			break
		}
		status.frame(r, src.Stats(), len(rep))
		r.Release()
	}
	cancel() // stop decoding at once (after a failure nothing reads on)
	status.done(src.Stats())
	cerr := outs.close()
	if failure == nil {
		failure = cerr
	}
	if !o.quiet {
		fmt.Fprintln(stderr, status.summary(name, src.Stats()))
	}
	return failure
}

// trackIDs advances the tracker with the reported detections (each with
// its best class) and returns their track ids (0: not yet confirmed).
func trackIDs(t *track.Tracker, rep []detect.Labeled, w, h int) []int {
	td := make([]track.Detection, len(rep))
	fw, fh := float64(w), float64(h)
	for i, r := range rep {
		bw, bh := float64(r.Box.W)*fw, float64(r.Box.H)*fh
		td[i] = track.Detection{Box: track.Box{X: float64(r.Box.X)*fw - bw/2, Y: float64(r.Box.Y)*fh - bh/2, W: bw, H: bh},
			Class: r.Class, Confidence: r.Prob}
	}
	return t.Update(td)
}

// bufferedFile is an output file written through a buffer.
type bufferedFile struct {
	f *os.File
	*bufio.Writer
}

func createBuffered(path string) (*bufferedFile, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &bufferedFile{f, bufio.NewWriterSize(f, 64<<10)}, nil
}

func (b *bufferedFile) Close() error {
	err := b.Flush()
	if cerr := b.f.Close(); err == nil {
		err = cerr
	}
	return err
}
