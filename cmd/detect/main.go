// Command detect finds objects in images with Darknet networks, run by
// darkgo. With no flags it uses the face detector bundled in the binary:
//
//	detect photo.jpg
//
// Run `detect -h` for every mode and flag; the usage text below (usageText)
// is the reference.
//
// Exit status: 0 success, 1 some inputs failed (or the run was
// interrupted), 2 bad usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// options are the parsed command line.
type options struct {
	cfg     string
	weights string
	names   string
	size    string
	width   int // from -size; 0 keeps the cfg's
	height  int
	threads int
	exact   bool
	verbose bool
	json    bool
	seed    uint64

	// detection
	inputs    []string
	thresh    float64
	hier      float64
	nms       float64
	ext       bool
	jsonl     bool
	out       string
	outDir    string
	classes   string
	letterBox bool
	quiet     bool
	shard     string          // -shard I/N
	resume    string          // -resume FILE (JSON Lines, appended)
	set       map[string]bool // flags given on the command line

	// video (see video.go)
	camera      int
	outFilename string
	timeLimit   float64
	skip        int
	prefix      string
	retries     int
	ffmpeg      string
	decThreads  int
	decNice     int
	jsonPort    int
	mjpegPort   int
	listen      string
	track       bool
	trackTTL    int
	parallel    int

	// other modes
	summary     bool
	inputTensor string
	dump        string
	bench       int
	profile     bool
	runs        int

	// classification, mAP evaluation, auto-labelling
	top             int
	mapSpec         string
	points          int
	iouThresh       float64
	saveLabels      bool
	overwriteLabels bool
}

// usageError is a command-line mistake: reported with exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// failedError reports that some inputs failed after their errors were
// printed: exit status 1 without another message.
type failedError struct{ msg string }

func (e *failedError) Error() string { return e.msg }

// mode is one thing the command can do.
type mode struct {
	name string
	// wants reports whether the options select this mode.
	wants func(o *options) bool
	// check validates the options for this mode (usage errors).
	check func(o *options) error
	run   func(ctx context.Context, o *options, stdout, stderr io.Writer) error
}

// modes are tried in order; the first that wants the options runs.
var modes = []mode{
	{name: "summary", wants: func(o *options) bool { return o.summary }, check: checkSummary, run: runSummary},
	{name: "dump", wants: func(o *options) bool { return o.dump != "" || o.inputTensor != "" }, check: checkDump, run: runDump},
	{name: "bench", wants: func(o *options) bool { return o.set["bench"] }, check: checkBench, run: runBench},
	{name: "profile", wants: func(o *options) bool { return o.profile }, check: checkProfile, run: runProfile},
	{name: "map", wants: func(o *options) bool { return o.mapSpec != "" }, check: checkMap, run: runMap},
	{name: "video", wants: wantsVideo, check: checkVideo, run: runVideo},
	{name: "classify", wants: wantsClassify, check: checkClassify, run: runClassify},
	{name: "detect", wants: func(o *options) bool { return true }, check: checkDetect, run: runDetect},
}

const usageText = `usage:
  detect [flags] IMAGE|DIR|GLOB ...
      find objects in images (JPEG, PNG, GIF, BMP, WebP; a DIR means the
      images directly inside it). Without -cfg/-weights the face detector
      bundled in the binary is used. Prints, per image, its size, the time
      of each stage and Darknet's "name: NN%" lines; -json/-jsonl print JSON
      instead, -out writes Darknet's JSON file, -o writes annotated images.
  detect [flags] VIDEO|rtsp://…|http://…|/dev/videoN|-      (or -c N: camera N)
      find objects in a video file, stream or camera, frame by frame,
      decoded by ffmpeg: -out_filename writes the annotated video, -jsonl
      one JSON line per frame, -out Darknet's JSON; -json_port/-mjpeg_port
      serve them over HTTP; -track gives each object a track_id.
  detect -bench N [-threads T] [-cfg F [-weights W]] [-size WxH] [-json]
      time N runs of the network alone (synthetic weights without -weights):
      median/p90 ms, fps, GFLOP/s, activation memory, peak RSS.
  detect -profile [-runs N] [-threads T] [-cfg F [-weights W]] [-size WxH] [-json]
      per-layer times (median of N runs), GFLOP/s, CIO and the bottlenecks.
  detect -cfg CLASSIFIER.cfg -weights W [-top K] [-names F] [-json] IMAGE|DIR|GLOB ...
      a classifier cfg (ending in [softmax] or [cost]) prints the top K
      classes per image as Darknet's classifier predict does ("name: 0.912345").
  detect -map obj.data|LIST|DIR [-cfg F -weights W] [-points 0|11|101] [-iou_thresh X] [-thresh T] [-json]
      Darknet's detector map: AP per class, mAP, P/R/F1 at -thresh, and
      COCO-style mAP@[.50:.05:.95], from YOLO labels beside the images.
  detect [-cfg F] -summary [-json] [-size WxH]
      the layer table and totals, as Darknet prints them while loading.
  detect -cfg F [-weights W] -input-tensor input.f32 -dump DIR [-size WxH] [-seed N]
      one reference forward on a raw CHW float32 tensor; writes DIR/out_<L>.f32.
  detect serve [-listen ADDR] [-model NAME=CFG,WEIGHTS[,NAMES]]... [flags]
      a DeepStack-compatible detection server; 'detect serve -h' for more.

Flags may come before or after the images. Darknet's names are accepted:
-thresh, -hier, -nms, -ext_output, -out, -letter_box, -save_labels, -points,
-iou_thresh, -top, and for videos -c, -out_filename, -json_port, -mjpeg_port,
-s, -prefix, -time_limit_sec (-dont_show, -show, -show_imgs are accepted and
ignored, and so are -json_port and -mjpeg_port in the image modes).
Exit status: 0 ok (a video stopped by Ctrl-C or -time_limit_sec too), 1 some
inputs failed, a video source failed, or images were interrupted; 2 bad usage.

flags:
`

// run is the whole command; main only adds os.Exit. It returns the exit
// status: 0 ok, 1 failure, 2 bad usage.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// After the first Ctrl-C, restore the default handling so that a
		// second one kills a run that is slow to stop.
		<-ctx.Done()
		stop()
	}()
	defer startCPUProfile(stderr)()
	return runContext(ctx, args, stdout, stderr)
}

func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "serve" {
		return runServe(ctx, args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("detect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
	}
	var o options
	fs.StringVar(&o.cfg, "cfg", "", "Darknet `cfg` file (default: the bundled face detector, tiny-face.cfg)")
	fs.StringVar(&o.weights, "weights", "", "Darknet .weights `file`, may be gzip-compressed (default with -cfg: synthetic weights, for -bench, -profile and -dump only)")
	fs.StringVar(&o.names, "names", "", "class names `file`, one per line (default: coco.names for 80-class models, face.names for the bundled model, else class numbers)")
	fs.StringVar(&o.size, "size", "", "network input `WxH`, overriding the cfg's width and height (multiples of 32 for detectors)")
	fs.IntVar(&o.threads, "threads", 0, "threads per layer (default: all cores)")
	fs.BoolVar(&o.exact, "exact", false, "no Winograd convolutions: sum every convolution as Darknet does (slower; differences are ~1e-6 of a layer's scale)")
	fs.BoolVar(&o.verbose, "v", false, "print the kernels, CPU and thread count on stderr")
	fs.BoolVar(&o.json, "json", false, "print JSON: one array of per-image objects (detection), or one object (other modes)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the synthetic weights used without -weights")

	fs.Float64Var(&o.thresh, "thresh", 0.25, "report classes with probability above this (bundled model: 0.5)")
	fs.Float64Var(&o.hier, "hier", 0.5, "Darknet's hier_thresh")
	fs.Float64Var(&o.nms, "nms", 0.45, "IoU threshold of non-maximum suppression, 0 = off (bundled model: 0.4)")
	fs.BoolVar(&o.ext, "ext_output", false, "print each box's left_x, top_y, width and height in pixels")
	fs.BoolVar(&o.jsonl, "jsonl", false, "print JSON Lines: one object per image")
	fs.StringVar(&o.out, "out", "", "write Darknet's JSON results `file` (-out result.json)")
	fs.StringVar(&o.outDir, "o", "", "write annotated images into `DIR` (never over an input)")
	fs.StringVar(&o.classes, "classes", "", "report only these classes: comma-separated `names` or ids (person,car)")
	fs.BoolVar(&o.letterBox, "letter_box", false, "letterbox images (keep the aspect ratio) even if the cfg does not ask for it")
	fs.BoolVar(&o.quiet, "q", false, "detection: only Darknet's detection lines (and the file name when there are several images), no timings")
	fs.StringVar(&o.shard, "shard", "", "process only inputs I, I+N, I+2N... of the expanded list: `I/N` (0 <= I < N), to split a batch over N jobs")
	fs.StringVar(&o.resume, "resume", "", "append JSON Lines to `FILE`, skipping inputs it already records without error (a crashed run continues where it stopped)")
	fs.BoolVar(&o.saveLabels, "save_labels", false, "write each image's detections as YOLO labels into NAME.txt beside it (Darknet's -save_labels)")
	fs.BoolVar(&o.overwriteLabels, "overwrite_labels", false, "-save_labels: replace existing label files")
	fs.IntVar(&o.top, "top", 5, "classifier: print the `K` most probable classes")
	fs.StringVar(&o.mapSpec, "map", "", "evaluate mAP like Darknet's detector map on a .data `file` (valid=, names=), an image list file or a directory")
	fs.IntVar(&o.points, "points", 0, "-map: AP by area under the curve (0), or 11 (VOC2007) or 101 (COCO) recall points")
	fs.Float64Var(&o.iouThresh, "iou_thresh", 0.5, "-map: IoU a detection needs with a label to count")
	ignoreDisplayFlags(fs)

	fs.IntVar(&o.camera, "c", 0, "video: read camera `N` (/dev/videoN), as Darknet's -c")
	fs.StringVar(&o.outFilename, "out_filename", "", "video: write the annotated video to `file` (H.264 .mp4/.mkv, MJPEG .avi)")
	fs.Float64Var(&o.timeLimit, "time_limit_sec", 0, "video: stop after `seconds` (0: at the end of the source)")
	fs.IntVar(&o.skip, "s", 0, "video: process every `N`th frame of a file (Darknet's frame skip)")
	fs.StringVar(&o.prefix, "prefix", "", "video: save each annotated frame as `P`_%08d.jpg")
	fs.IntVar(&o.retries, "retries", 3, "video: reconnect a camera or stream that fails up to `N` times")
	fs.StringVar(&o.ffmpeg, "ffmpeg", "", "video: the ffmpeg `executable` (default: ffmpeg on PATH)")
	fs.IntVar(&o.decThreads, "decoder_threads", -1, "video: ffmpeg's decoder `threads` (-1: the cores -threads leaves free, or ffmpeg's choice if none; 0: ffmpeg's choice)")
	fs.IntVar(&o.decNice, "decoder_nice", -1, "video: run ffmpeg `N` steps nicer than detect (-1: 10 when -threads leaves cores free, else 0; Linux)")
	fs.IntVar(&o.jsonPort, "json_port", 0, "video: serve each frame's detections as JSON over HTTP on `port`")
	fs.IntVar(&o.mjpegPort, "mjpeg_port", 0, "video: serve the annotated frames as an MJPEG stream on `port`")
	fs.StringVar(&o.listen, "listen", "127.0.0.1", "video: the `address` -json_port and -mjpeg_port bind to")
	fs.BoolVar(&o.track, "track", false, "video: track objects across frames (SORT): a track_id per detection")
	fs.IntVar(&o.trackTTL, "track_ttl", 30, "video: forget a track after `N` frames without its object")
	fs.IntVar(&o.parallel, "parallel", 0, "video file: run `N` frames at once, each on threads/N threads (0: one per thread, up to 4; 1: one frame on all threads)")

	fs.BoolVar(&o.summary, "summary", false, "print the layer table and totals")
	fs.StringVar(&o.inputTensor, "input-tensor", "", "raw CHW float32 little-endian input `file`")
	fs.StringVar(&o.dump, "dump", "", "`directory` to write out_<layer>.f32 files into")
	fs.IntVar(&o.bench, "bench", 0, "benchmark: time `N` runs of the network")
	fs.BoolVar(&o.profile, "profile", false, "per-layer profile")
	fs.IntVar(&o.runs, "runs", 10, "-profile: number of timed runs")

	// Darknet puts flags after the file names; Go's flag package stops at
	// the first argument. Parse again after every positional argument.
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2 // the flag package has printed the problem and the usage
		}
		left := fs.Args()
		if len(left) == 0 {
			break
		}
		// A "--" ends the flags (the flag package consumes it): everything
		// after it is an image.
		if k := len(rest) - len(left); k > 0 && rest[k-1] == "--" {
			o.inputs = append(o.inputs, left...)
			break
		}
		o.inputs = append(o.inputs, left[0])
		rest = left[1:]
	}
	o.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })

	err := func() error {
		if o.size != "" {
			w, h, err := parseSize(o.size)
			if err != nil {
				return err
			}
			o.width, o.height = w, h
		}
		if o.threads < 0 {
			return usagef("-threads %d: want 0 (all cores) or more", o.threads)
		}
		if o.parallel < 0 {
			return usagef("-parallel %d: want 0 (automatic) or more", o.parallel)
		}
		if o.decThreads < -1 {
			return usagef("-decoder_threads %d: want -1 (the spare cores), 0 (ffmpeg's choice) or more", o.decThreads)
		}
		if o.decNice < -1 || o.decNice > 39 {
			return usagef("-decoder_nice %d: want -1 (automatic) or 0 to 39", o.decNice)
		}
		if o.weights != "" && o.cfg == "" {
			return usagef("-weights needs -cfg (the cfg it belongs to)")
		}
		for _, m := range modes {
			if m.wants(&o) {
				if err := m.check(&o); err != nil {
					return err
				}
				return m.run(ctx, &o, stdout, stderr)
			}
		}
		return usagef("nothing to do")
	}()
	if err == nil {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "detect: %v\n", err)
		fmt.Fprintf(stderr, "run 'detect -h' for usage\n")
		return 2
	}
	var fe *failedError
	if errors.As(err, &fe) {
		if fe.msg != "" {
			fmt.Fprintf(stderr, "detect: %s\n", fe.msg)
		}
		return 1
	}
	fmt.Fprintf(stderr, "detect: %v\n", err)
	return 1
}

// parseSize reads "WxH" (e.g. 608x608).
func parseSize(s string) (w, h int, err error) {
	ws, hs, ok := strings.Cut(strings.ToLower(s), "x")
	if ok {
		w, err = strconv.Atoi(ws)
		if err == nil {
			h, err = strconv.Atoi(hs)
		}
	}
	if !ok || err != nil || w <= 0 || h <= 0 {
		return 0, 0, usagef("-size %q: want WxH with positive integers, e.g. 416x416", s)
	}
	return w, h, nil
}

// onlyFlags reports a usage error if any flag outside allowed was given.
func onlyFlags(o *options, mode string, allowed ...string) error {
	ok := map[string]bool{"v": true, "threads": true, "cfg": true, "weights": true, "size": true, "seed": true}
	for _, name := range displayFlags {
		ok[name] = true
	}
	for _, a := range allowed {
		ok[a] = true
	}
	for name := range o.set {
		if !ok[name] {
			return usagef("-%s does not apply to %s", name, mode)
		}
	}
	return nil
}
