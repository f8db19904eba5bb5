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

// process is one ffmpeg decoding a source to raw frames on its stdout, in
// the pixel format ffmpeg picked from nativeFormats. Its stderr is parsed
// by a goroutine: the showinfo filter logs every frame's size, format,
// presentation time and colour tags before the frame is written, the
// input header gives the frame rate and duration, and the output header
// (printed after the first frame's showinfo lines, before its data) the
// pixel format ffmpeg writes.
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

// frameMeta is what showinfo and the output header say about one frame.
type frameMeta struct {
	pts    float64 // seconds
	w, h   int
	layout pixelLayout // of the bytes ffmpeg writes
	colour colour
	err    error // the output's pixel format is not one of nativeFormats
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
	if o.DecoderThreads > 0 {
		a = append(a, "-threads", strconv.Itoa(o.DecoderThreads))
	}
	a = append(a, o.InputArgs...) // last: they override ours
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
	// Skipped frames are dropped before the format filter, so they are
	// never converted.
	filter := formatFilter() + "," + showinfoFilter(ffmpeg)
	if o.Skip > 1 {
		filter = fmt.Sprintf("select=not(mod(n\\,%d)),%s", o.Skip, filter)
	}
	args = append(args, "-map", "0:v:0", "-an", "-sn", "-dn", "-vf", filter,
		"-fps_mode", "passthrough", "-f", "rawvideo", "pipe:1")

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
	// Best effort: a system that refuses (a sandbox without setpriority)
	// only loses the speed-up, so the error is not the source's failure.
	_ = deprioritise(cmd.Process.Pid, o.DecoderNice)
	go p.readStderr(stderr)
	return p, nil
}

var (
	showinfoRE = regexp.MustCompile(`\] n:\s*\d+ pts:\s*-?\d+ pts_time:(\S+) .* s:(\d+)x(\d+) `)
	fmtRE      = regexp.MustCompile(` fmt:(\w+) `)
	durationRE = regexp.MustCompile(`Duration: (\d+):(\d+):(\d+(?:\.\d+)?)`)
	fpsRE      = regexp.MustCompile(`, (\d+(?:\.\d+)?)(k?) (fps|tbr)\b`)
	codecRE    = regexp.MustCompile(`Video: (\w+)`)
)

// frameLog assembles each frame's frameMeta from ffmpeg's log and sends
// it when it is complete, never later than ffmpeg's writing of the frame
// needs: ffmpeg blocks writing a frame until it is read, and the reader
// reads it only after its frameMeta, so waiting for a line ffmpeg prints
// after the frame would deadlock.
//
// showinfo logs a frame's "n: … fmt: … s:WxH" line and (ffmpeg 4.4 and
// later) its "color_range:… color_space:…" line in the same call, before
// the frame goes on; ffmpeg prints the output header (whose stream line
// names the pixel format it writes, fixed for the life of the process)
// after the first frame's showinfo lines and before writing its data. So
// the first frame waits for the output stream line (and learns whether
// this ffmpeg prints colour lines: one came between its n: line and the
// header, or none will); later frames wait for their colour line only
// when colour lines exist.
type frameLog struct {
	pending     *frameMeta
	pendingFmt  string // showinfo's fmt of the pending frame
	colourLines int    // 0 unknown, 1 printed, -1 not printed by this ffmpeg
	outKnown    bool
	out         pixelLayout
	outColour   colour
	outErr      error
}

// frame records a showinfo n: line; it returns the previous frame if it
// was still pending (only when its colour line never came) and this one
// if it is already complete.
func (l *frameLog) frame(m frameMeta, format string) []frameMeta {
	var done []frameMeta
	if l.pending != nil {
		done = append(done, l.finish())
	}
	l.pending, l.pendingFmt = &m, format
	if l.outKnown && l.colourLines <= 0 {
		// Without colour lines (or if the header came first, which
		// ffmpeg does not do) the frame is complete now.
		done = append(done, l.finish())
	}
	return done
}

// colour records a showinfo colour line for the pending frame.
func (l *frameLog) colour(c colour) []frameMeta {
	l.colourLines = 1
	if l.pending == nil {
		return nil
	}
	if l.pendingFmt == "" || l.pendingFmt == l.out.name || !l.outKnown {
		l.pending.colour = c
	} else {
		l.pending.colour = l.outColour // converted after showinfo
	}
	if !l.outKnown {
		return nil // the first frame also waits for the output header
	}
	return []frameMeta{l.finish()}
}

// output records the output stream line.
func (l *frameLog) output(line string) []frameMeta {
	if l.outKnown {
		return nil
	}
	l.outKnown = true
	name, c, ok := streamColour(line)
	if !ok {
		l.outErr = fmt.Errorf("cannot tell ffmpeg's output pixel format from %q", strings.TrimSpace(line))
	} else if l.out, l.outErr = layoutOf(name); l.outErr == nil {
		l.outColour = c
	}
	if l.pending == nil {
		return nil
	}
	if l.colourLines == 0 {
		l.colourLines = -1 // none came with the first frame: none will
		l.pending.colour = l.outColour
	} else if l.pendingFmt != "" && l.pendingFmt != l.out.name {
		l.pending.colour = l.outColour
	}
	return []frameMeta{l.finish()}
}

// finish completes the pending frame. Its bytes are in the output's
// format; a frame showinfo saw in another format (the decoder's format
// changed mid-stream and ffmpeg converts to the output's after showinfo)
// takes the output's colour tags, which the conversion targets; yuvj*
// formats are full range whatever the tags say.
func (l *frameLog) finish() frameMeta {
	m := *l.pending
	l.pending = nil
	m.layout, m.err = l.out, l.outErr
	if l.colourLines < 0 {
		m.colour = l.outColour
	}
	if m.layout.full {
		m.colour.full = true
	}
	return m
}

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
	send := func(ms []frameMeta) {
		for _, m := range ms {
			select {
			case p.meta <- m:
			case <-p.quit:
			}
		}
	}
	var fl frameLog
	inInput, inOutput := false, false
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
					format := ""
					if f := fmtRE.FindStringSubmatch(line); f != nil {
						format = f[1]
					}
					send(fl.frame(fm, format))
				} else if c, ok := frameColour(line); ok {
					send(fl.colour(c))
				}
			case strings.HasPrefix(line, "Input #"):
				inInput = true
			case strings.HasPrefix(line, "Output #"):
				inInput, inOutput = false, true
				endHeader()
			case strings.HasPrefix(line, "Stream mapping"):
				inInput = false
				endHeader()
			case inOutput && strings.Contains(line, "Stream #") && strings.Contains(line, "Video:"):
				inOutput = false
				send(fl.output(line))
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
			if fl.pending != nil && fl.outKnown {
				// Its data, if any, is on stdout: the reader reads it or
				// reports ffmpeg's end.
				send([]frameMeta{fl.finish()})
			}
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
