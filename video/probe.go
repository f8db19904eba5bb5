package video

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
)

// Probe asks ffprobe (next to the given ffmpeg, else on PATH) whether the
// file holds a video stream that is not a still image. It reports false
// when ffprobe is missing or cannot read the file.
func Probe(ctx context.Context, path, ffmpeg string) bool {
	probe := "ffprobe"
	if ffmpeg != "" {
		probe = filepath.Join(filepath.Dir(ffmpeg), "ffprobe")
	}
	p, err := exec.LookPath(probe)
	if err != nil {
		return false
	}
	cmd := exec.CommandContext(ctx, p, "-v", "error", "-select_streams", "v:0",
		"-show_entries", "stream=codec_name:format=format_name", "-of", "default=noprint_wrappers=1", "-i", path)
	cmd.SysProcAttr = childAttr()
	out, err := cmd.Output()
	if err != nil {
		return false
	}
	var codec, format string
	for _, l := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(l, "codec_name="); ok {
			codec = v
		}
		if v, ok := strings.CutPrefix(l, "format_name="); ok {
			format = v
		}
	}
	// Single images come as image2 or an image pipe demuxer (png_pipe, …).
	return codec != "" && format != "image2" && !strings.HasSuffix(format, "_pipe")
}
