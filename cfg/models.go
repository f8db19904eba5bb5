// Package cfg bundles darkgo's shipped models into the binary: the default
// face detector (tiny-face.cfg + tiny-face.weights, face-api's
// TinyFaceDetector converted to Darknet's format by tools/faceapi), the
// class-name files (face.names, and Darknet's data/coco.names for the 80
// COCO classes) and the cfgs written for this project (csppeleenet-efm.cfg
// and friends, without weights).
//
// Loading the default model takes one call:
//
//	net, err := cfg.Default(nil)
//	...
//	dets, err := net.Detect(ctx, img, cfg.DefaultDetectOptions())
package cfg

import (
	"bytes"
	"embed"
	"io/fs"
	"strings"

	"github.com/darkgo/darkgo/engine"
)

// FS holds the bundled files, by their base names (e.g. "tiny-face.cfg").
// The cfgs are few kilobytes each; tiny-face.weights is the only weights
// file (785 KB), so the embedded set stays small.
//
//go:embed tiny-face.cfg tiny-face.weights face.names coco.names *.cfg
var FS embed.FS

// Names of the default model's files in FS.
const (
	DefaultCfg     = "tiny-face.cfg"
	DefaultWeights = "tiny-face.weights"
	DefaultNames   = "face.names"
)

// The default model's thresholds are face-api's own (score > 0.5, NMS IoU
// 0.4): the model was trained and tuned with them, and at Darknet's 0.25 it
// reports extra low-confidence faces.
const (
	DefaultThresh = 0.5
	DefaultNMS    = 0.4
)

// Default loads the bundled face detector. opts may set Threads, Width and
// Height (multiples of 32) and so on; Names defaults to face.names, and the
// cfg and weights are named "tiny-face.cfg" and "tiny-face.weights" in
// error messages.
func Default(opts *engine.Options) (*engine.Net, error) {
	o := engine.Options{}
	if opts != nil {
		o = *opts
	}
	if o.Names == nil {
		o.Names = FaceNames()
	}
	return engine.LoadFS(FS, DefaultCfg, DefaultWeights, &o)
}

// DefaultDetectOptions are the detection options the default model is
// meant to be used with (DefaultThresh, DefaultNMS).
func DefaultDetectOptions() *engine.DetectOptions {
	return &engine.DetectOptions{Thresh: DefaultThresh, NMS: DefaultNMS}
}

// COCONames returns the 80 COCO class names, Darknet's data/coco.names,
// in class-id order (a new slice on every call).
func COCONames() []string { return mustNames("coco.names") }

// FaceNames returns the default model's class names (["face"]).
func FaceNames() []string { return mustNames(DefaultNames) }

func mustNames(name string) []string {
	b, err := fs.ReadFile(FS, name)
	if err != nil {
		// The file is embedded at build time; failing here means the
		// embed list and this package disagree, a build bug.
		panic("cfg: bundled " + name + " missing: " + err.Error())
	}
	return ParseNames(b)
}

// ParseNames splits a Darknet names file into class names the way Darknet's
// get_labels reads it: one name per line, line ends ("\n" or "\r\n")
// removed, empty lines kept as (empty) names except after the last line
// end.
func ParseNames(data []byte) []string {
	s := string(bytes.TrimSuffix(data, []byte("\n")))
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

// Bundled reports whether name is a file in FS (a base name such as
// "csppeleenet-efm.cfg").
func Bundled(name string) bool {
	if !fs.ValidPath(name) || strings.Contains(name, "/") {
		return false
	}
	st, err := fs.Stat(FS, name)
	return err == nil && !st.IsDir()
}
