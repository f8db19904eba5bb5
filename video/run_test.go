package video

import (
	"context"
	"github.com/darkgo/darkgo/internal/testvideo"
	"math"
	"reflect"
	"sync"
	"testing"

	"github.com/darkgo/darkgo/cfg"
	"github.com/darkgo/darkgo/engine"
	"github.com/darkgo/darkgo/engine/detect"
)

var faceNet = sync.OnceValues(func() (*engine.Net, error) { return cfg.Default(nil) })

func loadFaceNet(t testing.TB) *engine.Net {
	t.Helper()
	n, err := faceNet()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// faceCentres are the pixel centres of the detections above thresh.
func faceCentres(dets []detect.Detection, w, h int, thresh float32) [][2]float64 {
	var c [][2]float64
	for _, d := range dets {
		for _, p := range d.Prob {
			if p > thresh {
				c = append(c, [2]float64{float64(d.Box.X) * float64(w), float64(d.Box.Y) * float64(h)})
				break
			}
		}
	}
	return c
}

// TestRunFaces runs the bundled face detector over the face video: every
// result must be the frame's own detections (the pipeline's alternating
// input buffers never mix frames), the panned faces must move with the
// pan, the grey frames have no face and the still ones have theirs.
func TestRunFaces(t *testing.T) {
	net := loadFaceNet(t)
	path := testvideo.MakeFaceVideo(t, t.TempDir(), "face.mp4", "libx264")
	ctx := context.Background()
	skip := 1
	if testing.Short() {
		skip = 4 // -race in CI: frames 0, 4, …, 24 (every part of the video)
	}
	src, err := Open(ctx, path, &Options{Skip: skip})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	opts := cfg.DefaultDetectOptions()
	n := 0
	for r := range Run(ctx, net, src, &RunOptions{Detect: *opts, Threads: 2}) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		k := int(r.Frame.Index)
		if k != n*skip {
			t.Fatalf("result %d is frame %d", n, k)
		}
		direct, err := net.DetectBoxes(ctx, r.Frame.Image, opts)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(r.Boxes.Detections, direct.Detections) {
			t.Errorf("frame %d: Run found %v, DetectBoxes on the frame %v", k, r.Boxes.Detections, direct.Detections)
		}
		faces := faceCentres(r.Boxes.Detections, testvideo.FaceW, testvideo.FaceH, opts.Thresh)
		var want [][2]float64 // where the photos' faces are in this frame
		switch {
		case k < testvideo.PanFrames:
			for _, c := range sample1Faces {
				want = append(want, [2]float64{c[0] - float64(testvideo.PanStep*k), c[1]})
			}
		case k >= testvideo.PanFrames+testvideo.GreyFrames:
			want = sample5Faces
		}
		checkFaces(t, k, faces, want)
		r.Release()
		n++
	}
	if want := (testvideo.Frames + skip - 1) / skip; n != want {
		t.Errorf("%d results, want %d", n, want)
	}
	src.Close()
	testvideo.NoChildren(t)
}

// The faces the image mode finds (detect -ext_output) in sample1.jpg and
// sample5.jpg, as centres in the frames of the face video: sample1 scaled
// by 1/3 and cropped at y=40 (before panning), sample5 scaled by 1/4 and
// cropped at y=15.
var (
	sample1Faces = [][2]float64{{167.8, 132.7}, {313.5, 146.0}, {526.3, 73.2}}
	sample5Faces = [][2]float64{{119.4, 247.0}, {172.1, 129.1}, {209.8, 44.1}, {302.5, 74.0}, {377.0, 129.4}}
)

// faceTolerance is how far (px) a detected centre may be from the photo's
// face: a fifth of the faces' ~100 px width, as the tiny detector's boxes
// jitter with the frame's position relative to its 32 px grid.
const faceTolerance = 22

// checkFaces wants every detected face at one of the expected places (in
// the frame), and most of the expected faces that are fully in view found.
func checkFaces(t *testing.T, k int, faces, want [][2]float64) {
	t.Helper()
	inView := 0
	for _, w := range want {
		if w[0] > 50 && w[0] < testvideo.FaceW-50 {
			inView++
		}
	}
	if len(faces) < (inView+1)/2 || (inView > 0 && len(faces) == 0) {
		t.Errorf("frame %d: %d faces found, %d in view at %v", k, len(faces), inView, want)
	}
	for _, f := range faces {
		ok := false
		for _, w := range want {
			ok = ok || math.Hypot(f[0]-w[0], f[1]-w[1]) < faceTolerance
		}
		if !ok {
			t.Errorf("frame %d: a face at (%.0f, %.0f), where there is none (faces at %v)", k, f[0], f[1], want)
		}
	}
}
