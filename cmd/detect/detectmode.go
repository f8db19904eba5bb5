package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/darkgo/darkgo/engine/detect"
	"github.com/darkgo/darkgo/kernels"
)

func checkDetect(o *options) error {
	if len(o.inputs) == 0 {
		if len(o.set) == 0 {
			return usagef("no images given: detect [flags] IMAGE|DIR|GLOB ... (the bundled face detector runs without flags)")
		}
		return usagef("no images given (or nothing to do: -summary, -bench N, -profile, -dump)")
	}
	if err := onlyFlags(o, "detection", "names", "json", "thresh", "hier", "nms", "ext_output", "jsonl", "out", "o",
		"classes", "letter_box", "q", "dont_show"); err != nil {
		return err
	}
	if o.json && o.jsonl {
		return usagef("-json and -jsonl: choose one")
	}
	if o.thresh < 0 || o.thresh >= 1 {
		return usagef("-thresh %g: want a probability in [0, 1)", o.thresh)
	}
	if o.nms < 0 || o.nms > 1 {
		return usagef("-nms %g: want an IoU in [0, 1] (0 turns NMS off)", o.nms)
	}
	if o.hier < 0 || o.hier > 1 {
		return usagef("-hier %g: want a probability in [0, 1]", o.hier)
	}
	return nil
}

// classFilter parses -classes: names (as in the names file) or class ids.
func classFilter(spec string, m *model) ([]bool, error) {
	if spec == "" {
		return nil, nil
	}
	n := max(m.classes, len(m.names))
	keep := make([]bool, n)
	for _, s := range strings.Split(spec, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		found := false
		for c, name := range m.names {
			if name == s && c < n {
				keep[c], found = true, true
			}
		}
		if !found {
			if c, err := strconv.Atoi(s); err == nil && c >= 0 && c < n {
				keep[c], found = true, true
			}
		}
		if !found {
			hint := ""
			if len(m.names) > 0 {
				hint = fmt.Sprintf(" (classes: %s)", abbreviate(m.names, 12))
			}
			return nil, usagef("-classes: %q is not a class of %s%s", s, m.name, hint)
		}
	}
	return keep, nil
}

func abbreviate(names []string, k int) string {
	if len(names) <= k {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:k], ", ") + fmt.Sprintf(", ... %d more", len(names)-k)
}

// jsonFloat is a float32 printed with the shortest representation that
// reads back as the same float32 (not float64 noise digits).
type jsonFloat float32

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(f), 'g', -1, 32), nil
}

// ms is a duration in milliseconds with microsecond resolution.
type ms time.Duration

func (d ms) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(time.Duration(d).Microseconds())/1000, 'f', -1, 64), nil
}

type jsonPixelBox struct {
	Left   int `json:"left"`
	Top    int `json:"top"`
	Width  int `json:"width"`
	Height int `json:"height"`
}

type jsonRelBox struct {
	X jsonFloat `json:"center_x"`
	Y jsonFloat `json:"center_y"`
	W jsonFloat `json:"width"`
	H jsonFloat `json:"height"`
}

type jsonDetection struct {
	ClassID    int          `json:"class_id"`
	Name       string       `json:"name"`
	Confidence jsonFloat    `json:"confidence"`
	Box        jsonPixelBox `json:"box"`
	Relative   jsonRelBox   `json:"relative"`
}

type jsonTimes struct {
	Decode  ms `json:"decode"`
	Resize  ms `json:"resize"`
	Network ms `json:"network"`
	Post    ms `json:"post"`
}

// jsonImage is one image's result in -json / -jsonl output. A failed
// image has only file and error.
type jsonImage struct {
	File       string          `json:"file"`
	Width      int             `json:"width,omitempty"`
	Height     int             `json:"height,omitempty"`
	Model      string          `json:"model,omitempty"`
	Detections []jsonDetection `json:"detections"`
	TimeMS     *jsonTimes      `json:"time_ms,omitempty"`
	Annotated  string          `json:"annotated,omitempty"`
	Error      string          `json:"error,omitempty"`
}

// jsonDetections flattens Darknet's detections to one entry per box and
// class above thresh, in Darknet's array order. The pixel box is the one
// Darknet draws (truncated, clamped to the image).
func jsonDetections(dets []detect.Detection, w, h int, thresh float32, m *model) []jsonDetection {
	out := []jsonDetection{}
	for i := range dets {
		d := &dets[i]
		pb := d.Box.Pixels(w, h)
		box := jsonPixelBox{Left: pb.Left, Top: pb.Top, Width: max(pb.Right-pb.Left, 0), Height: max(pb.Bottom-pb.Top, 0)}
		for c, p := range d.Prob {
			if p <= thresh {
				continue
			}
			out = append(out, jsonDetection{ClassID: c, Name: m.className(c), Confidence: jsonFloat(p), Box: box,
				Relative: jsonRelBox{jsonFloat(d.Box.X), jsonFloat(d.Box.Y), jsonFloat(d.Box.W), jsonFloat(d.Box.H)}})
		}
	}
	return out
}

// progress shows "[k/n] file" on a terminal's stderr line.
type progress struct {
	w     io.Writer
	on    bool
	shown bool
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (p *progress) show(k, n int, path string) {
	if !p.on {
		return
	}
	fmt.Fprintf(p.w, "\r\x1b[K[%d/%d] %s", k, n, path)
	p.shown = true
}

// clear removes the progress line before other output is written.
func (p *progress) clear() {
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
}

func runDetect(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	m, err := loadModel(o, true, stderr)
	if err != nil {
		return err
	}
	thresh, nms := o.thresh, o.nms
	if m.bundled {
		// The bundled face detector's own thresholds, unless given.
		if !o.set["thresh"] {
			thresh = 0.5
		}
		if !o.set["nms"] {
			nms = 0.4
		}
	}
	det, err := newDetector(m.net, o.threads)
	if err != nil {
		return err
	}
	det.thresh, det.hier, det.nms = float32(thresh), float32(o.hier), float32(nms)
	det.letter = m.net.LetterBox || o.letterBox
	if det.keep, err = classFilter(o.classes, m); err != nil {
		return err
	}
	if o.verbose {
		printVersion(stderr, m, o.threads)
	}

	inputs := expandInputs(o.inputs)
	if err := checkOutputs(o, inputs); err != nil {
		return err
	}
	if o.outDir != "" {
		if err := os.MkdirAll(o.outDir, 0o755); err != nil {
			return err
		}
	}
	outNames := annotatedNames(o.outDir, inputs)

	bw := bufio.NewWriter(stdout)
	defer bw.Flush()
	var darknetJSON *detect.JSONWriter
	var outFile *os.File
	if o.out != "" {
		outFile, err = os.Create(o.out)
		if err != nil {
			return err
		}
		defer outFile.Close()
		ow := bufio.NewWriter(outFile)
		defer ow.Flush()
		darknetJSON = detect.NewJSONWriter(ow)
	}
	if o.json {
		bw.WriteString("[")
	}

	prog := &progress{w: stderr, on: len(inputs) > 1 && isTerminal(stderr)}
	dec := &decoder{w: m.net.Input.W, h: m.net.Input.H, c: m.net.Input.C, letter: det.letter}
	ctx2, cancel := context.WithCancel(ctx)
	defer cancel()
	results := dec.start(ctx2, inputs)

	start := time.Now()
	var done, failed, found, written int
	var frame int64
	var sumNet time.Duration
	for r := range results {
		prog.show(r.idx+1, len(inputs), r.path)
		var dets []detect.Detection
		var netDur, postDur time.Duration
		if r.err == nil {
			dets, netDur, postDur, r.err = det.run(ctx, r.tensor, r.img.Bounds().Dx(), r.img.Bounds().Dy())
		}
		if ctx.Err() != nil {
			break
		}
		prog.clear()
		if r.err != nil {
			failed++
			bw.Flush()
			fmt.Fprintf(stderr, "detect: %v\n", r.err)
			if o.json || o.jsonl {
				written++
				writeJSONImage(bw, o, written, jsonImage{File: r.path, Detections: []jsonDetection{}, Error: r.err.Error()})
			}
			continue
		}
		done++
		sumNet += netDur
		w, h := r.img.Bounds().Dx(), r.img.Bounds().Dy()
		reported := detect.Reported(dets, det.thresh, m.names)
		found += len(reported)
		annotated := ""
		if o.outDir != "" {
			annotated = outNames[r.idx]
			if err := writeImage(annotated, annotate(r.img, dets, det.thresh, m)); err != nil {
				failed++
				fmt.Fprintf(stderr, "detect: %v\n", err)
				annotated = ""
			}
		}
		if darknetJSON != nil {
			frame++
			if err := darknetJSON.WriteFrame(frame, r.path, dets, m.names); err != nil {
				return fmt.Errorf("%s: %w", o.out, err)
			}
		}
		times := jsonTimes{ms(r.decode), ms(r.resize), ms(netDur), ms(postDur)}
		switch {
		case o.json || o.jsonl:
			written++
			writeJSONImage(bw, o, written, jsonImage{File: r.path, Width: w, Height: h, Model: m.name,
				Detections: jsonDetections(dets, w, h, det.thresh, m), TimeMS: &times, Annotated: annotated})
		default:
			switch {
			case !o.quiet:
				fmt.Fprintf(bw, "%s: %dx%d, %d %s; decode %s, resize %s, network %s, post-processing %s\n",
					r.path, w, h, len(reported), plural(len(reported), "object", "objects"),
					msString(r.decode), msString(r.resize), msString(netDur), msString(postDur))
			case len(inputs) > 1:
				fmt.Fprintf(bw, "%s:\n", r.path) // which image the lines belong to
			}
			detect.WriteText(bw, dets, w, h, det.thresh, m.names, o.ext)
			if annotated != "" && !o.quiet {
				fmt.Fprintf(bw, "  -> %s\n", annotated)
			}
		}
		if prog.on {
			bw.Flush() // keep the terminal's lines in order with the progress line
		}
	}
	prog.clear()
	if o.json {
		if written > 0 {
			bw.WriteString("\n")
		}
		bw.WriteString("]\n")
	}
	if darknetJSON != nil {
		if err := darknetJSON.Close(); err != nil {
			return fmt.Errorf("%s: %w", o.out, err)
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	elapsed := time.Since(start)
	if ctx.Err() != nil {
		return &failedError{fmt.Sprintf("interrupted after %d of %d images", done+failed, len(inputs))}
	}
	if len(inputs) > 1 && !o.quiet {
		avg := time.Duration(0)
		if done > 0 {
			avg = sumNet / time.Duration(done)
		}
		fmt.Fprintf(stderr, "%d %s, %d failed, %d %s found in %.2f s (network %s per image)\n",
			len(inputs), plural(len(inputs), "image", "images"), failed, found, plural(found, "object", "objects"),
			elapsed.Seconds(), msString(avg))
	}
	if failed > 0 {
		return &failedError{fmt.Sprintf("%d of %d inputs failed", failed, len(inputs))}
	}
	return nil
}

// writeJSONImage writes one -json array element or -jsonl line.
func writeJSONImage(w *bufio.Writer, o *options, k int, img jsonImage) {
	b, err := json.Marshal(img)
	if err != nil {
		b = []byte(`{"error":"internal: ` + err.Error() + `"}`)
	}
	if o.json {
		if k > 1 {
			w.WriteString(",")
		}
		w.WriteString("\n")
		w.Write(b)
		return
	}
	w.Write(b)
	w.WriteString("\n")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// msString prints a duration in milliseconds, 3 significant digits.
func msString(d time.Duration) string {
	v := float64(d) / 1e6
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f ms", v)
	case v >= 10:
		return fmt.Sprintf("%.1f ms", v)
	default:
		return fmt.Sprintf("%.2f ms", v)
	}
}

// annotatedNames picks each input's annotated-image path in dir; inputs
// with the same base name (from different directories) get -2, -3, ...
func annotatedNames(dir string, inputs []input) []string {
	if dir == "" {
		return nil
	}
	names := make([]string, len(inputs))
	used := map[string]bool{}
	for i, in := range inputs {
		if in.err != nil {
			continue
		}
		p := annotatedName(dir, in.path)
		ext := filepath.Ext(p)
		stem := strings.TrimSuffix(p, ext)
		for k := 2; used[p]; k++ {
			p = fmt.Sprintf("%s-%d%s", stem, k, ext)
		}
		used[p] = true
		names[i] = p
	}
	return names
}

// checkOutputs refuses output locations that could clobber an input:
// an -o directory that holds an input, an annotated file or -out that is
// an input.
func checkOutputs(o *options, inputs []input) error {
	same := func(a, b string) bool {
		sa, err1 := os.Stat(a)
		sb, err2 := os.Stat(b)
		if err1 == nil && err2 == nil {
			return os.SameFile(sa, sb)
		}
		aa, err1 := filepath.Abs(a)
		bb, err2 := filepath.Abs(b)
		return err1 == nil && err2 == nil && aa == bb
	}
	if o.out != "" {
		if isImageName(o.out) {
			return usagef("-out %s: -out takes a JSON file name (result.json); annotated images go to -o DIR", o.out)
		}
		if st, err := os.Stat(o.out); err == nil && st.IsDir() {
			return usagef("-out %s is a directory; -out takes a file name (result.json), -o a directory", o.out)
		}
	}
	for _, in := range inputs {
		if in.err != nil {
			continue
		}
		if o.out != "" && same(o.out, in.path) {
			return usagef("-out %s is an input image: refusing to overwrite it", o.out)
		}
		if o.outDir != "" && same(o.outDir, filepath.Dir(in.path)) {
			return usagef("-o %s holds the input %s: choose another directory so inputs are never overwritten", o.outDir, in.path)
		}
	}
	if o.outDir != "" {
		if st, err := os.Stat(o.outDir); err == nil && !st.IsDir() {
			return usagef("-o %s is not a directory", o.outDir)
		}
		for i, p := range annotatedNames(o.outDir, inputs) {
			if p != "" && same(p, inputs[i].path) {
				return usagef("-o: %s is an input image: refusing to overwrite it", p)
			}
		}
	}
	return nil
}

// printVersion is -v: what runs the network.
func printVersion(w io.Writer, m *model, threads int) {
	t := "all cores"
	if threads > 0 {
		t = strconv.Itoa(threads)
	}
	weights := m.weights
	if weights == "" {
		weights = "synthetic weights"
	}
	fmt.Fprintf(w, "kernels %s on %s, threads %s (GOMAXPROCS %d)\nmodel %s (%s), input %dx%dx%d, %.3f BFLOPs\n",
		kernels.Name(), kernels.CPUName(), t, maxProcs(), m.name, weights,
		m.net.Input.W, m.net.Input.H, m.net.Input.C, m.net.BFLOPs())
	fmt.Fprintf(w, "kernels: %s\n", kernels.OpsString())
}

func maxProcs() int { return runtime.GOMAXPROCS(0) }
