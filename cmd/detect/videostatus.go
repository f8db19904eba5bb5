package main

import (
	"fmt"
	"io"
	"time"

	"github.com/darkgo/darkgo/video"
)

// latencies is a histogram of capture-to-result latencies in 0.1 ms
// buckets up to 10 s: fixed memory however long a stream runs.
type latencies struct {
	buckets [100_000]uint32
	over    uint32 // ≥ 10 s
	n       uint64
}

const latencyBucket = 100 * time.Microsecond

func (l *latencies) add(d time.Duration) {
	l.n++
	if k := int(d / latencyBucket); k >= 0 && k < len(l.buckets) {
		l.buckets[k]++
	} else if k >= len(l.buckets) {
		l.over++
	} else {
		l.buckets[0]++
	}
}

// quantile is the latency below which a fraction q of the samples fall
// (the upper edge of its bucket).
func (l *latencies) quantile(q float64) time.Duration {
	if l.n == 0 {
		return 0
	}
	want := uint64(q*float64(l.n-1)) + 1
	var seen uint64
	for k, c := range l.buckets {
		seen += uint64(c)
		if seen >= want {
			return time.Duration(k+1) * latencyBucket
		}
	}
	return time.Duration(len(l.buckets)) * latencyBucket
}

// videoStatus keeps the video mode's counters and, on a terminal, a
// status line on stderr (redrawn at most 4 times a second).
type videoStatus struct {
	w      io.Writer
	on     bool
	info   video.Info
	start  time.Time
	drawn  time.Time
	shown  bool
	frames int64
	lat    latencies // capture to result
	net    latencies // the network's forward pass alone
}

func newVideoStatus(w io.Writer, info video.Info, on bool) *videoStatus {
	return &videoStatus{w: w, on: on, info: info, start: time.Now()}
}

func (s *videoStatus) frame(r video.Result, st video.Stats, objects int) {
	s.frames++
	s.lat.add(r.Latency)
	s.net.add(r.Boxes.Network)
	if s.on && time.Since(s.drawn) >= 250*time.Millisecond {
		s.drawn = time.Now()
		fmt.Fprintf(s.w, "\r\x1b[K%s", s.line(st))
		s.shown = true
	}
}

// sourceFPS is the file's frame rate, or the rate a live source delivered
// frames at so far.
func (s *videoStatus) sourceFPS(st video.Stats) float64 {
	if !s.info.Live {
		return s.info.FPS
	}
	if el := time.Since(s.start).Seconds(); el > 0 {
		return float64(st.Received) / el
	}
	return 0
}

func (s *videoStatus) line(st video.Stats) string {
	el := time.Since(s.start).Seconds()
	fps := 0.0
	if el > 0 {
		fps = float64(s.frames) / el
	}
	l := fmt.Sprintf("%d frames, %.1f fps (source %.1f fps), %d dropped, latency p50 %s p99 %s (network p50 %s p99 %s)",
		s.frames, fps, s.sourceFPS(st), st.Dropped, msString(s.lat.quantile(0.5)), msString(s.lat.quantile(0.99)),
		msString(s.net.quantile(0.5)), msString(s.net.quantile(0.99)))
	if st.Reconnects > 0 {
		l += fmt.Sprintf(", %d %s", st.Reconnects, plural(int(st.Reconnects), "reconnection", "reconnections"))
	}
	return l
}

// done removes the status line.
func (s *videoStatus) done(video.Stats) {
	if s.shown {
		fmt.Fprint(s.w, "\r\x1b[K")
		s.shown = false
	}
}

// summary is the line printed at the end.
func (s *videoStatus) summary(name string, st video.Stats) string {
	return fmt.Sprintf("%s: %s in %.2f s", name, s.line(st), time.Since(s.start).Seconds())
}
