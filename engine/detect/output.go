package detect

import (
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// hidden reports whether Darknet hides class j: its name starts with
// "dont_show".
func hidden(names []string, j int) bool {
	return j < len(names) && strings.HasPrefix(names[j], "dont_show")
}

// className is names[j], or the class number when names is too short.
func className(names []string, j int) string {
	if j < len(names) {
		return names[j]
	}
	return strconv.Itoa(j)
}

// BestClass returns the class Darknet labels d with (get_actual_detections):
// the first class with the highest probability above thresh whose name
// does not start with "dont_show", or -1 if there is none.
func (d *Detection) BestClass(thresh float32, names []string) (class int, prob float32) {
	class, prob = -1, thresh
	for j, p := range d.Prob {
		if p > prob && !hidden(names, j) {
			class, prob = j, p
		}
	}
	if class < 0 {
		return -1, 0
	}
	return class, prob
}

// Labeled is a detection Darknet reports, with its best class.
type Labeled struct {
	*Detection
	Class int
	Prob  float32
}

// Reported returns the detections Darknet's draw_detections_v3 reports, in
// the order it prints them: those with a visible class above thresh (see
// BestClass), sorted by the left edge x-w/2 (qsort in glibc is stable).
func Reported(dets []Detection, thresh float32, names []string) []Labeled {
	var out []Labeled
	for i := range dets {
		if c, p := dets[i].BestClass(thresh, names); c >= 0 {
			out = append(out, Labeled{&dets[i], c, p})
		}
	}
	slices.SortStableFunc(out, func(a, b Labeled) int {
		d := (a.Box.X - a.Box.W/2) - (b.Box.X - b.Box.W/2)
		switch {
		case d < 0:
			return -1
		case d > 0:
			return 1
		}
		return 0
	})
	return out
}

// percent formats p like printf("%.0f", p*100) with p*100 in float.
func percent(b []byte, p float32) []byte {
	return strconv.AppendFloat(b, float64(p*100), 'f', 0, 64)
}

// AppendText appends the lines Darknet's `detector test` prints for dets on
// an imgW×imgH image (draw_detections_v3): per reported detection
// "name: NN%", with ext the "\t(left_x: ...)" pixel box, then one
// "name: NN%" line per other class above thresh.
func AppendText(b []byte, dets []Detection, imgW, imgH int, thresh float32, names []string, ext bool) []byte {
	for _, r := range Reported(dets, thresh, names) {
		b = append(b, className(names, r.Class)...)
		b = append(b, ": "...)
		b = percent(b, r.Prob)
		b = append(b, '%')
		if ext {
			e := r.Box.Ext(imgW, imgH)
			b = append(b, "\t(left_x: "...)
			b = appendC4(b, e.LeftX)
			b = append(b, "   top_y: "...)
			b = appendC4(b, e.TopY)
			b = append(b, "   width: "...)
			b = appendC4(b, e.Width)
			b = append(b, "   height: "...)
			b = appendC4(b, e.Height)
			b = append(b, ')')
		}
		b = append(b, '\n')
		for j, p := range r.Detection.Prob {
			if p > thresh && j != r.Class {
				b = append(b, className(names, j)...)
				b = append(b, ": "...)
				b = percent(b, p)
				b = append(b, "%\n"...)
			}
		}
	}
	return b
}

// WriteText writes AppendText's lines to w.
func WriteText(w io.Writer, dets []Detection, imgW, imgH int, thresh float32, names []string, ext bool) error {
	_, err := w.Write(AppendText(nil, dets, imgW, imgH, thresh, names, ext))
	return err
}

// appendC4 is printf("%4.0f", v) for an integral v.
func appendC4(b []byte, v float64) []byte {
	s := cFloat(v, 0)
	for i := len(s); i < 4; i++ {
		b = append(b, ' ')
	}
	return append(b, s...)
}

// cFloat formats v like glibc's %.<prec>f, including "-0", "nan", "inf".
func cFloat(v float64, prec int) string {
	switch {
	case math.IsNaN(v):
		if math.Signbit(v) {
			return "-nan"
		}
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	return strconv.FormatFloat(v, 'f', prec, 64)
}
