package video

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
)

// ErrNoFFmpeg is returned (wrapped) when the ffmpeg executable cannot be
// found or run.
var ErrNoFFmpeg = errors.New("ffmpeg is needed to read and write video: install it (Debian/Ubuntu: apt-get install ffmpeg)")

// findFFmpeg resolves the ffmpeg executable: path if given, else "ffmpeg"
// on PATH.
func findFFmpeg(path string) (string, error) {
	if path == "" {
		p, err := exec.LookPath("ffmpeg")
		if err != nil {
			return "", fmt.Errorf("no ffmpeg on PATH; %w", ErrNoFFmpeg)
		}
		return p, nil
	}
	p, err := exec.LookPath(path)
	if err != nil {
		return "", fmt.Errorf("%s: %v; %w", path, rootCause(err), ErrNoFFmpeg)
	}
	return p, nil
}

// rootCause is the innermost error ("no such file or directory" rather
// than "exec: …: stat …: no such file or directory").
func rootCause(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}

// encoders caches, per ffmpeg executable, the names of its video encoders.
var encoders struct {
	sync.Mutex
	byPath map[string]map[string]bool
}

// hasEncoder reports whether ffmpeg lists the encoder (`ffmpeg -encoders`).
func hasEncoder(ffmpeg, name string) bool {
	encoders.Lock()
	defer encoders.Unlock()
	if encoders.byPath == nil {
		encoders.byPath = map[string]map[string]bool{}
	}
	set, ok := encoders.byPath[ffmpeg]
	if !ok {
		set = map[string]bool{}
		out, err := exec.Command(ffmpeg, "-hide_banner", "-loglevel", "error", "-encoders").Output()
		if err == nil {
			// Lines look like " V....D libx264   libx264 H.264 / AVC ...".
			for _, line := range strings.Split(string(out), "\n") {
				f := strings.Fields(line)
				if len(f) >= 2 && len(f[0]) == 6 && f[0][0] == 'V' {
					set[f[1]] = true
				}
			}
		}
		encoders.byPath[ffmpeg] = set
	}
	return set[name]
}

// showinfoFilter is the per-frame logging filter Open reads sizes and
// timestamps from: with checksum=0 where ffmpeg has that option (5.0 and
// later; checksumming a 1080p frame costs more than converting it), plain
// showinfo on older ffmpeg.
func showinfoFilter(ffmpeg string) string {
	showinfo.Lock()
	defer showinfo.Unlock()
	if showinfo.byPath == nil {
		showinfo.byPath = map[string]string{}
	}
	f, ok := showinfo.byPath[ffmpeg]
	if !ok {
		f = "showinfo"
		out, err := exec.Command(ffmpeg, "-hide_banner", "-h", "filter=showinfo").Output()
		if err == nil && strings.Contains(string(out), "checksum") {
			f = "showinfo=checksum=0"
		}
		showinfo.byPath[ffmpeg] = f
	}
	return f
}

var showinfo struct {
	sync.Mutex
	byPath map[string]string
}

// stderrTail keeps the last lines ffmpeg wrote on stderr (its per-frame
// showinfo lines excluded) for error messages.
type stderrTail struct {
	mu    sync.Mutex
	lines []string
}

const tailLines = 6

func (t *stderrTail) add(line string) {
	line = strings.TrimSpace(line)
	if line == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.lines) == tailLines {
		copy(t.lines, t.lines[1:])
		t.lines = t.lines[:tailLines-1]
	}
	t.lines = append(t.lines, line)
}

// reason is ffmpeg's explanation: its last two error-looking lines (the
// cause and the consequence, e.g. "moov atom not found; Invalid data found
// when processing input"), else its last line, else "". A leading
// "name: " (ffmpeg names the input it failed on) is dropped: the caller
// names the source.
func (t *stderrTail) reason(name string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var found []string
	for i := len(t.lines) - 1; i >= 0 && len(found) < 2; i-- {
		l := strings.TrimPrefix(cleanFFmpegLine(t.lines[i]), name+": ")
		switch {
		case !isErrorLine(l):
		case len(found) > 0 && strings.Contains(found[0], l):
			// the same message again, or a shorter form of it
		case len(found) > 0 && strings.Contains(l, found[0]):
			found[0] = l // a longer form ("Connection to … failed: Connection refused")
		default:
			found = append([]string{l}, found...)
		}
	}
	if len(found) > 0 {
		return strings.Join(found, "; ")
	}
	if n := len(t.lines); n > 0 {
		return strings.TrimPrefix(cleanFFmpegLine(t.lines[n-1]), name+": ")
	}
	return ""
}

// isErrorLine reports whether an ffmpeg log line reads like a failure.
func isErrorLine(s string) bool {
	l := strings.ToLower(s)
	for _, w := range []string{"error", "invalid", "no such", "refused", "not found", "failed", "cannot",
		"could not", "denied", "timed out", "unable", "unknown", "unsupported", "does not contain"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// cleanFFmpegLine drops the "[demuxer @ 0x55d…] " prefix of a log line.
func cleanFFmpegLine(s string) string {
	if strings.HasPrefix(s, "[") {
		if i := strings.Index(s, "] "); i > 0 && strings.Contains(s[:i], " @ ") {
			s = s[i+2:]
		}
	}
	return s
}
