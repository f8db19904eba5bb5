package detect

import (
	"io"
	"strconv"
	"unicode/utf8"
)

// JSONWriter writes Darknet's `-out result.json` file: a JSON array with
// one object per image, formatted like test_detector and detection_to_json
// (src/detector.c, src/network.c) do, down to the whitespace and the 6
// decimals of %f:
//
//	[
//	{
//	 "frame_id":1,
//	 "filename":"data/dog.jpg",
//	 "objects": [
//	  {"class_id":16, "name":"dog", "relative_coordinates":{"center_x":0.288980, "center_y":0.654593, "width":0.257874, "height":0.542211}, "confidence":0.987543},
//	  ...
//	 ]
//	},
//	...
//	]
//
// Objects are every detection (in array order) and class with probability
// above 0.005 whose name does not start with "dont_show"; probabilities at
// or below the detection threshold are already 0 after GetNetworkBoxes.
// Unlike Darknet the filename is JSON-escaped (Darknet writes it raw, which
// breaks on backslashes or quotes). Write errors are sticky: once one
// occurs every later call returns it.
type JSONWriter struct {
	w      io.Writer
	frames int
	err    error
	buf    []byte
}

// NewJSONWriter starts the array ("[\n") on w.
func NewJSONWriter(w io.Writer) *JSONWriter {
	j := &JSONWriter{w: w}
	j.write([]byte("[\n"))
	return j
}

func (j *JSONWriter) write(b []byte) {
	if j.err == nil {
		_, j.err = j.w.Write(b)
	}
}

// WriteFrame writes one image's object. frameID is Darknet's 1-based image
// counter; an empty filename omits the "filename" field, as Darknet does
// for a NULL name.
func (j *JSONWriter) WriteFrame(frameID int64, filename string, dets []Detection, names []string) error {
	b := j.buf[:0]
	if j.frames > 0 {
		b = append(b, ", \n"...)
	}
	j.frames++
	b = AppendJSONFrame(b, frameID, filename, dets, names)
	j.buf = b
	j.write(b)
	return j.err
}

// Close ends the array ("\n]"); it does not close the underlying writer.
func (j *JSONWriter) Close() error {
	j.write([]byte("\n]"))
	return j.err
}

// jsonThresh is detection_to_json's fixed threshold (0.005f).
const jsonThresh = float32(0.005)

// AppendJSONFrame appends detection_to_json's object for one image.
func AppendJSONFrame(b []byte, frameID int64, filename string, dets []Detection, names []string) []byte {
	b = append(b, "{\n \"frame_id\":"...)
	b = strconv.AppendInt(b, frameID, 10)
	b = append(b, ", \n"...)
	if filename != "" {
		b = append(b, " \"filename\":\""...)
		b = appendJSONString(b, filename)
		b = append(b, "\", \n"...)
	}
	b = append(b, " \"objects\": [ \n"...)
	first := true
	for i := range dets {
		d := &dets[i]
		for c, p := range d.Prob {
			if !(p > jsonThresh) || hidden(names, c) {
				continue
			}
			if !first {
				b = append(b, ", \n"...)
			}
			first = false
			b = append(b, "  {\"class_id\":"...)
			b = strconv.AppendInt(b, int64(c), 10)
			b = append(b, ", \"name\":\""...)
			b = appendJSONString(b, className(names, c))
			b = append(b, "\", \"relative_coordinates\":{\"center_x\":"...)
			b = appendF6(b, d.Box.X)
			b = append(b, ", \"center_y\":"...)
			b = appendF6(b, d.Box.Y)
			b = append(b, ", \"width\":"...)
			b = appendF6(b, d.Box.W)
			b = append(b, ", \"height\":"...)
			b = appendF6(b, d.Box.H)
			b = append(b, "}, \"confidence\":"...)
			b = appendF6(b, p)
			b = append(b, '}')
		}
	}
	return append(b, "\n ] \n}"...)
}

// appendF6 is printf("%f") of a float promoted to double.
func appendF6(b []byte, v float32) []byte {
	return append(b, cFloat(float64(v), 6)...)
}

// appendJSONString escapes s for a JSON string body; plain names and paths
// come out exactly as Darknet prints them.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return b
}
