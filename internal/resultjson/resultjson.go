// Package resultjson holds the JSON shape of one image's detections that
// `detect -json`/`-jsonl` print and `detect serve`'s POST /v1/detect
// answers, so the command line and the server cannot drift apart.
package resultjson

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/darkgo/darkgo/engine/detect"
)

// Float is a float32 printed with the shortest representation that reads
// back as the same float32 (not float64 noise digits).
type Float float32

func (f Float) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(f), 'g', -1, 32), nil
}

// Millis is a duration in milliseconds with microsecond resolution.
type Millis time.Duration

func (d Millis) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(time.Duration(d).Microseconds())/1000, 'f', -1, 64), nil
}

// PixelBox is a box in image pixels.
type PixelBox struct {
	Left   int `json:"left"`
	Top    int `json:"top"`
	Width  int `json:"width"`
	Height int `json:"height"`
}

// RelBox is Darknet's relative_coordinates: centre and size as fractions of
// the image.
type RelBox struct {
	X Float `json:"center_x"`
	Y Float `json:"center_y"`
	W Float `json:"width"`
	H Float `json:"height"`
}

// Detection is one box and class.
type Detection struct {
	ClassID    int      `json:"class_id"`
	Name       string   `json:"name"`
	Confidence Float    `json:"confidence"`
	Box        PixelBox `json:"box"`
	Relative   RelBox   `json:"relative"`
	TrackID    int      `json:"track_id,omitempty"` // video with -track
}

// Times are the stages of one image, in milliseconds.
type Times struct {
	Decode  Millis `json:"decode"`
	Resize  Millis `json:"resize"`
	Network Millis `json:"network"`
	Post    Millis `json:"post"`
}

// Image is one image's result. A failed image has only file and error.
type Image struct {
	File       string      `json:"file"`
	Width      int         `json:"width,omitempty"`
	Height     int         `json:"height,omitempty"`
	Model      string      `json:"model,omitempty"`
	Detections []Detection `json:"detections"`
	TimeMS     *Times      `json:"time_ms,omitempty"`
	Annotated  string      `json:"annotated,omitempty"`
	Error      string      `json:"error,omitempty"`
}

// Detections flattens Darknet's detections to one entry per box and class
// above thresh, in Darknet's array order; className names class c. The
// pixel box is the one Darknet draws (truncated, clamped to the image).
func Detections(dets []detect.Detection, w, h int, thresh float32, className func(c int) string) []Detection {
	out := []Detection{}
	for i := range dets {
		d := &dets[i]
		pb := d.Box.Pixels(w, h)
		box := PixelBox{Left: pb.Left, Top: pb.Top, Width: max(pb.Right-pb.Left, 0), Height: max(pb.Bottom-pb.Top, 0)}
		for c, p := range d.Prob {
			if p <= thresh {
				continue
			}
			out = append(out, Detection{ClassID: c, Name: className(c), Confidence: Float(p), Box: box,
				Relative: RelBox{Float(d.Box.X), Float(d.Box.Y), Float(d.Box.W), Float(d.Box.H)}})
		}
	}
	return out
}

// SortByConfidence orders detections highest confidence first, keeping
// Darknet's order among equal confidences.
func SortByConfidence(dets []Detection) {
	slices.SortStableFunc(dets, func(a, b Detection) int { return cmp.Compare(b.Confidence, a.Confidence) })
}
