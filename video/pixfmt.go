package video

import (
	"fmt"
	"image"
	"strings"

	"github.com/darkgo/darkgo/yuv"
)

// nativeFormats are the pixel formats a Source lets ffmpeg choose from
// (a format filter): ffmpeg keeps the decoder's own format when it is in
// the list and otherwise picks the one it loses least in. With ffmpeg 5.1:
// H.264/HEVC/VP9 yuv420p and MJPEG yuvj420p/yuvj422p stay as they are;
// nv12 and yuyv422 (cameras) are only re-planarised to yuv420p/yuv422p,
// yuv410p/yuv411p/yuv440p upsampled losslessly to yuv420p/yuv422p/yuv444p;
// RGB, palette (GIF) and alpha sources become rgba; gray stays gray (one
// byte a pixel). 10- and 12-bit Y'CbCr becomes the 8-bit format of the
// same subsampling and range (yuv420p10le → yuv420p): the network sees
// 8-bit RGB either way, and rounding Y'CbCr to 8 bits before the
// conversion instead of after changes a pixel by about one level, while
// asking for rgba would cost the conversion and 2.7× the bytes.
var nativeFormats = []string{"yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "gray", "rgba"}

// formatFilter is the filter that restricts ffmpeg's output to
// nativeFormats.
func formatFilter() string { return "format=pix_fmts=" + strings.Join(nativeFormats, "|") }

// pixelLayout is how ffmpeg writes one raw frame of a pixel format.
type pixelLayout struct {
	name  string // ffmpeg's name
	rgba  bool
	gray  bool
	ratio image.YCbCrSubsampleRatio
	full  bool // a yuvj* format: full range whatever the tags say
}

// layoutOf describes one of nativeFormats.
func layoutOf(name string) (pixelLayout, error) {
	l := pixelLayout{name: name}
	switch name {
	case "rgba":
		l.rgba = true
	case "gray":
		l.gray = true
	case "yuv420p", "yuvj420p":
		l.ratio = image.YCbCrSubsampleRatio420
	case "yuv422p", "yuvj422p":
		l.ratio = image.YCbCrSubsampleRatio422
	case "yuv444p", "yuvj444p":
		l.ratio = image.YCbCrSubsampleRatio444
	default:
		return l, fmt.Errorf("ffmpeg chose the pixel format %q, which is not one of %s", name, strings.Join(nativeFormats, ", "))
	}
	l.full = strings.HasPrefix(name, "yuvj")
	return l, nil
}

// colour is a frame's Y'CbCr range and matrix.
type colour struct {
	full   bool
	matrix yuv.Matrix
}

// colourOf reads ffmpeg's names of a colour range and colour space:
// "pc" is full range, "tv" and anything unknown limited; bt709 and
// bt2020nc/bt2020c select their matrices, everything else (bt470bg,
// smpte170m, unknown, …) BT.601, which is what ffmpeg's own converter,
// OpenCV and hence Darknet's demo assume for untagged video.
func colourOf(rangeName, space string) colour {
	c := colour{full: rangeName == "pc" || rangeName == "jpeg"}
	switch space {
	case "bt709":
		c.matrix = yuv.BT709
	case "bt2020nc", "bt2020c", "bt2020_ncl", "bt2020_cl":
		c.matrix = yuv.BT2020
	default:
		c.matrix = yuv.BT601
	}
	return c
}

// streamColour reads the pixel format, range and colour space of
// ffmpeg's stream description, e.g. from
//
//	Stream #0:0(und): Video: rawvideo (I420 / 0x30323449), yuv420p(tv, bt709, progressive), 1920x1080 …
//	Stream #0:0: Video: rawvideo (I420 / 0x30323449), yuvj420p(pc, bt470bg/unknown/unknown, progressive), …
//
// the name "yuv420p" and the colour (limited, BT.709). ok is false when
// the line names no pixel format.
func streamColour(line string) (name string, c colour, ok bool) {
	i := strings.Index(line, "Video: ")
	if i < 0 {
		return "", colour{}, false
	}
	// The codec, then ", pixfmt" or ", pixfmt(details)".
	rest := line[i:]
	for {
		j := strings.Index(rest, ", ")
		if j < 0 {
			return "", colour{}, false
		}
		rest = rest[j+2:]
		k := 0
		for k < len(rest) && (rest[k] >= 'a' && rest[k] <= 'z' || rest[k] >= '0' && rest[k] <= '9' || rest[k] == '_') {
			k++
		}
		if k == 0 || (k < len(rest) && rest[k] != '(' && rest[k] != ',') {
			continue // "(I420 / …)" or a size: not the pixel format
		}
		name = rest[:k]
		var rangeName, space string
		if k < len(rest) && rest[k] == '(' {
			end := strings.IndexByte(rest[k:], ')')
			if end < 0 {
				end = len(rest) - k
			}
			for _, f := range strings.Split(rest[k+1:k+end], ", ") {
				switch {
				case f == "tv" || f == "pc":
					rangeName = f
				case strings.Contains(f, "/"):
					space = f[:strings.IndexByte(f, '/')]
				case space == "" && (strings.HasPrefix(f, "bt") || strings.HasPrefix(f, "smpte") || f == "fcc" || f == "gbr" || f == "ycgco"):
					space = f
				}
			}
		}
		return name, colourOf(rangeName, space), true
	}
}

// frameColour reads showinfo's colour line, e.g.
// "color_range:tv color_space:bt709 color_primaries:bt709 color_trc:bt709".
func frameColour(line string) (colour, bool) {
	var rangeName, space string
	found := false
	for _, f := range strings.Fields(line) {
		if v, ok := strings.CutPrefix(f, "color_range:"); ok {
			rangeName, found = v, true
		} else if v, ok := strings.CutPrefix(f, "color_space:"); ok {
			space = v
		}
	}
	return colourOf(rangeName, space), found
}

// FormatOf names the raw layout ffmpeg reads or writes for img, as
// ffmpeg names pixel formats: "rgba" for *image.RGBA, "yuv420p",
// "yuv422p" or "yuv444p" for a *yuv.Image (limited range; the yuvj*
// names are not used: FullRange says it), "" for any other image.
func FormatOf(img image.Image) string {
	switch p := img.(type) {
	case *image.RGBA:
		return "rgba"
	case *yuv.Image:
		switch p.SubsampleRatio {
		case image.YCbCrSubsampleRatio420:
			return "yuv420p"
		case image.YCbCrSubsampleRatio422:
			return "yuv422p"
		case image.YCbCrSubsampleRatio444:
			return "yuv444p"
		}
	}
	return ""
}
