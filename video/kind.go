package video

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
)

// Kind is what a source string names.
type Kind int

const (
	KindFile     Kind = iota // a file ffmpeg reads (any container and codec)
	KindSequence             // an image sequence: a printf pattern such as frame_%04d.jpg
	KindCamera               // a V4L2 device, /dev/videoN
	KindStream               // a network stream: rtsp://, http(s)://, rtmp://, udp://, …
	KindStdin                // "-": a container or MJPEG stream on standard input (live unless it is a regular file)
)

func (k Kind) String() string {
	return [...]string{"file", "image sequence", "camera", "stream", "stdin"}[k]
}

// Live reports whether frames of this kind arrive in real time (and are
// dropped when the consumer is slower) rather than being read on demand.
func (k Kind) Live() bool { return k == KindCamera || k == KindStream || k == KindStdin }

// videoExts are file extensions that name a video without asking ffmpeg.
var videoExts = map[string]bool{
	".mp4": true, ".m4v": true, ".mov": true, ".avi": true, ".mkv": true, ".webm": true, ".mpg": true,
	".mpeg": true, ".ts": true, ".m2ts": true, ".mts": true, ".flv": true, ".wmv": true, ".3gp": true,
	".ogv": true, ".mjpeg": true, ".mjpg": true, ".h264": true, ".264": true, ".h265": true, ".hevc": true,
	".y4m": true, ".m3u8": true, ".nut": true, ".asf": true, ".vob": true, ".mxf": true,
}

// streamSchemes are URL schemes ffmpeg opens as network streams.
var streamSchemes = []string{"rtsp://", "rtsps://", "rtmp://", "rtmps://", "http://", "https://", "udp://",
	"tcp://", "srt://", "rtp://", "mms://", "mmsh://"}

var (
	cameraRE   = regexp.MustCompile(`^/dev/video[0-9]+$`)
	sequenceRE = regexp.MustCompile(`%0?[0-9]*d`)
)

// Classify says what kind of source s is, from its form alone.
func Classify(s string) Kind {
	switch {
	case s == "-":
		return KindStdin
	case cameraRE.MatchString(s):
		return KindCamera
	case isStreamURL(s):
		return KindStream
	case sequenceRE.MatchString(filepath.Base(s)):
		return KindSequence
	}
	return KindFile
}

func isStreamURL(s string) bool {
	l := strings.ToLower(s)
	for _, p := range streamSchemes {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// IsVideoName reports whether s names a video by its form: "-", a camera,
// a stream URL, an image-sequence pattern or a video file extension.
// Other files may still be videos (ask Probe).
func IsVideoName(s string) bool {
	if Classify(s) != KindFile {
		return true
	}
	return videoExts[strings.ToLower(filepath.Ext(s))]
}

// CameraDevice maps Darknet's camera index (-c N) to its V4L2 device.
func CameraDevice(n int) string { return fmt.Sprintf("/dev/video%d", n) }
