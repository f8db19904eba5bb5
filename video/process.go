package video

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// process is one ffmpeg decoding a source to raw RGBA frames on its
// stdout. Its stderr is parsed by a goroutine: the showinfo filter logs
// every frame's size and presentation time before the frame is written,
// and the input header gives the frame rate and duration.
type process struct {
	cmd    *exec.Cmd
	source string // as ffmpeg names it in its messages
	stdout io.ReadCloser
	tail   stderrTail
	meta   chan frameMeta // one per frame, in output order; closed at stderr EOF
	quit   chan struct{}  // closed by stop: the stderr goroutine stops sending
	header chan struct{}  // closed once the input header has been parsed (or stderr ended)
	ended  chan struct{}  // closed when stderr has been read to its end

	// Set by the stderr goroutine before header is closed.
	fps      float64
	duration time.Duration
	codec    string
}

// frameMeta is what showinfo says about one frame.
type frameMeta struct {
	pts  float64 // seconds
	w, h int
}

// inputArgs are ffmpeg's options before -i for a source of kind k.
func inputArgs(source string, k Kind, o *Options) []string {
	var a []string
	if k == KindStream {
		a = append(a, "-fflags", "nobuffer") // no input buffering beyond probing: fresher frames
		us := strconv.FormatInt(o.timeout().Microseconds(), 10)
		if strings.HasPrefix(strings.ToLower(source), "rtsp") {
			a = append(a, "-timeout", us) // the RTSP demuxer's socket timeout
		} else {
			a = append(a, "-rw_timeout", us)
		}
	}
	if k == KindCamera {
		a = append(a, "-f", "v4l2")
	}
	a = append(a, o.InputArgs...)
	if k == KindStdin {
		source = "pipe:0"
	}
	return append(a, "-i", source)
}

// startProcess starts ffmpeg on source. It does not wait for anything.
func startProcess(ctx context.Context, ffmpeg, source string, k Kind, o *Options) (*process, error) {
	args := []string{"-hide_banner", "-nostats", "-loglevel", "info"}
	if k != KindStdin {
		args = append(args, "-nostdin") // never read the terminal for 'q'
	}
	args = append(args, inputArgs(source, k, o)...)
	filter := showinfoFilter(ffmpeg)
	if o.Skip > 1 {
		filter = fmt.Sprintf("select=not(mod(n\\,%d)),%s", o.Skip, filter)
	}
	args = append(args, "-map", "0:v:0", "-an", "-sn", "-dn", "-vf", filter,
		"-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgba", "pipe:1")

	cmd := exec.CommandContext(ctx, ffmpeg, args...)
	cmd.SysProcAttr = childAttr()
	cmd.WaitDelay = 2 * time.Second
	if k == KindStdin {
		cmd.Stdin = o.Stdin
		if cmd.Stdin == nil {
			cmd.Stdin = os.Stdin
		}
	}
	name := source
	if k == KindStdin {
		name = "pipe:0"
	}
	p := &process{cmd: cmd, source: name, meta: make(chan frameMeta, 256), quit: make(chan struct{}),
		header: make(chan struct{}), ended: make(chan struct{})}
	var err error
	if p.stdout, err = cmd.StdoutPipe(); err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission) {
			return nil, fmt.Errorf("%s: %v; %w", ffmpeg, rootCause(err), ErrNoFFmpeg)
		}
		return nil, fmt.Errorf("starting %s: %w", ffmpeg, err)
	}
	go p.readStderr(stderr)
	return p, nil
}

var (
	showinfoRE = regexp.MustCompile(`\] n:\s*\d+ pts:\s*-?\d+ pts_time:(\S+) .* s:(\d+)x(\d+) `)
	durationRE = regexp.MustCompile(`Duration: (\d+):(\d+):(\d+(?:\.\d+)?)`)
	fpsRE      = regexp.MustCompile(`, (\d+(?:\.\d+)?)(k?) (fps|tbr)\b`)
	codecRE    = regexp.MustCompile(`Video: (\w+)`)
)

// readStderr parses ffmpeg's log until it ends, then closes meta. It
// never stops draining stderr, so ffmpeg never blocks on it.
func (p *process) readStderr(stderr io.Reader) {
	defer close(p.ended)
	defer close(p.meta)
	headerDone := false
	endHeader := func() {
		if !headerDone {
			headerDone = true
			close(p.header)
		}
	}
	defer endHeader()
	inInput := false
	br := bufio.NewReaderSize(stderr, 64<<10)
	for {
		line, err := br.ReadString('\n')
		if len(line) > 0 {
			switch {
			case strings.Contains(line, "Parsed_showinfo_"):
				if m := showinfoRE.FindStringSubmatch(line); m != nil {
					endHeader()
					var fm frameMeta
					fm.pts, _ = strconv.ParseFloat(m[1], 64)
					fm.w, _ = strconv.Atoi(m[2])
					fm.h, _ = strconv.Atoi(m[3])
					select {
					case p.meta <- fm:
					case <-p.quit:
					}
				}
			case strings.HasPrefix(line, "Input #"):
				inInput = true
			case strings.HasPrefix(line, "Output #") || strings.HasPrefix(line, "Stream mapping"):
				inInput = false
				endHeader()
			case headerDone:
				p.tail.add(line) // fps, duration and codec are read; keep only the log
			case inInput && strings.Contains(line, "Duration:"):
				if m := durationRE.FindStringSubmatch(line); m != nil {
					h, _ := strconv.Atoi(m[1])
					mi, _ := strconv.Atoi(m[2])
					s, _ := strconv.ParseFloat(m[3], 64)
					p.duration = time.Duration((float64(h*3600+mi*60) + s) * float64(time.Second))
				}
			case inInput && strings.Contains(line, "Stream #") && strings.Contains(line, "Video:") && p.codec == "":
				if m := codecRE.FindStringSubmatch(line); m != nil {
					p.codec = m[1]
				}
				for _, m := range fpsRE.FindAllStringSubmatch(line, -1) {
					v, _ := strconv.ParseFloat(m[1], 64)
					if m[2] == "k" {
						v *= 1000
					}
					if m[3] == "fps" || p.fps == 0 {
						p.fps = v
					}
					if m[3] == "fps" {
						break
					}
				}
			default:
				if !inInput && !strings.HasPrefix(line, " ") {
					p.tail.add(line)
				} else if strings.Contains(strings.ToLower(line), "error") {
					p.tail.add(line)
				}
			}
		}
		if err != nil {
			return
		}
	}
}

// stop kills ffmpeg (if it still runs) and reaps it. It returns the exit
// error ffmpeg had before being killed, if it had exited on its own.
func (p *process) stop() {
	select {
	case <-p.quit:
	default:
		close(p.quit)
	}
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
	}
}

// wait reaps an ffmpeg that has closed its stdout and reports how it
// exited (nil for status 0). It first lets the stderr goroutine read
// ffmpeg's last words, which Wait would otherwise cut off.
func (p *process) wait() error {
	select {
	case <-p.ended:
	case <-time.After(2 * time.Second):
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		// stdout is closed but ffmpeg lingers (e.g. stuck on a network
		// write of a muxer): kill it.
		_ = p.cmd.Process.Kill()
		return <-done
	}
}

// exitError describes how ffmpeg failed: its own reason when it gave one.
func (p *process) exitError(err error) error {
	r := p.tail.reason(p.source)
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			if r == "" {
				return fmt.Errorf("ffmpeg was killed (%v)", ws.Signal())
			}
		}
	}
	if r != "" {
		return errors.New(r)
	}
	return fmt.Errorf("ffmpeg: %v", err)
}
