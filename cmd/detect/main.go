// Command detect runs Darknet networks with darkgo.
//
// Modes (more are added as darkgo grows):
//
//	detect -cfg FILE -summary [-json] [-size WxH]
//	    print the layer table (type, options, input -> output, BFLOPs,
//	    parameters) and totals, like Darknet prints while it loads a cfg;
//	    -json prints it as one JSON object.
//
//	detect -cfg FILE [-weights FILE] -input-tensor input.f32 -dump DIR [-size WxH] [-seed N]
//	    run one forward pass on a raw CHW float32 little-endian tensor and
//	    write DIR/out_<L>.f32 (Darknet's memory layout) for every output
//	    layer: yolo, Gaussian_yolo, region, detection, softmax and the last
//	    layer. Without -weights the network gets deterministic synthetic
//	    weights from -seed.
//
// Exit status: 0 success, 1 failure, 2 bad usage.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// options are the parsed command line.
type options struct {
	cfg         string
	weights     string
	summary     bool
	json        bool
	width       int // from -size; 0 keeps the cfg's
	height      int
	inputTensor string
	dump        string
	seed        uint64
}

// usageError is a command-line mistake: reported with exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// mode is one thing the command can do.
type mode struct {
	name string
	// wants reports whether the options select this mode.
	wants func(o *options) bool
	// check validates the options for this mode (usage errors).
	check func(o *options) error
	run   func(o *options, stdout, stderr io.Writer) error
}

// modes are tried in order; the first that wants the options runs.
var modes = []mode{
	{name: "summary", wants: func(o *options) bool { return o.summary }, check: checkSummary, run: runSummary},
	{name: "dump", wants: func(o *options) bool { return o.dump != "" || o.inputTensor != "" }, check: checkDump, run: runDump},
}

const usageText = `usage:
  detect -cfg FILE -summary [-json] [-size WxH]
  detect -cfg FILE [-weights FILE] -input-tensor input.f32 -dump DIR [-size WxH] [-seed N]

flags:
`

// run is the whole command; main only adds os.Exit. It returns the exit
// status: 0 ok, 1 failure, 2 bad usage.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("detect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
	}
	var o options
	var size string
	fs.StringVar(&o.cfg, "cfg", "", "Darknet `cfg` file")
	fs.StringVar(&o.weights, "weights", "", "Darknet .weights `file` (may be gzip-compressed); default: synthetic weights")
	fs.BoolVar(&o.summary, "summary", false, "print the layer table and totals")
	fs.BoolVar(&o.json, "json", false, "with -summary: print JSON")
	fs.StringVar(&size, "size", "", "network input `WxH`, overriding the cfg's width and height")
	fs.StringVar(&o.inputTensor, "input-tensor", "", "raw CHW float32 little-endian input `file`")
	fs.StringVar(&o.dump, "dump", "", "`directory` to write out_<layer>.f32 files into")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the synthetic weights used without -weights")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2 // the flag package has printed the problem and the usage
	}
	err := func() error {
		if fs.NArg() > 0 {
			return usagef("unexpected argument %q", fs.Arg(0))
		}
		if size != "" {
			w, h, err := parseSize(size)
			if err != nil {
				return err
			}
			o.width, o.height = w, h
		}
		if o.cfg == "" {
			return usagef("-cfg is required")
		}
		for _, m := range modes {
			if m.wants(&o) {
				if err := m.check(&o); err != nil {
					return err
				}
				return m.run(&o, stdout, stderr)
			}
		}
		return usagef("nothing to do: give -summary, or -input-tensor with -dump")
	}()
	if err == nil {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "detect: %v\n", err)
		fs.Usage()
		return 2
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
