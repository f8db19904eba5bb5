package video

import (
	"image"
	"strings"
	"testing"

	"github.com/darkgo/darkgo/yuv"
)

// parseLog runs readStderr over a made-up ffmpeg log and returns the
// frames it announced.
func parseLog(log string) []frameMeta {
	p := &process{meta: make(chan frameMeta, 100), quit: make(chan struct{}), header: make(chan struct{}), ended: make(chan struct{})}
	p.readStderr(strings.NewReader(log))
	var out []frameMeta
	for m := range p.meta {
		out = append(out, m)
	}
	return out
}

const (
	logInput = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'x.mp4':
  Duration: 00:00:00.30, start: 0.000000, bitrate: 69 kb/s
  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(tv, bt709, progressive), 64x48 [SAR 1:1 DAR 4:3], 44 kb/s, 10 fps, 10 tbr, 10240 tbn (default)
Stream mapping:
  Stream #0:0 -> #0:0 (h264 (native) -> rawvideo (native))
`
	logOutput = `Output #0, rawvideo, to 'pipe:1':
  Metadata:
    encoder         : Lavf59.27.100
  Stream #0:0(und): Video: rawvideo (I420 / 0x30323449), yuv420p(tv, bt709, progressive), 64x48 [SAR 1:1 DAR 4:3], q=2-31, 368 kb/s, 10 fps, 10 tbn (default)
    Metadata:
      encoder         : Lavc59.37.100 rawvideo
`
)

func showinfoLine(n int, format string) string {
	return "[Parsed_showinfo_1 @ 0x55] n:   " + string(rune('0'+n)) + " pts:   " + string(rune('0'+n)) + "024 pts_time:0." + string(rune('0'+n)) +
		"     pos:     1679 fmt:" + format + " sar:1/1 s:64x48 i:P iskey:0 type:B \n"
}

const colour709 = "[Parsed_showinfo_1 @ 0x55] color_range:tv color_space:bt709 color_primaries:bt709 color_trc:bt709\n"

// TestFrameLog: each frame gets the output's layout and its own range
// and matrix, with or without showinfo's colour lines (ffmpeg before 4.4
// has none: the output stream line's tags then apply), and a frame whose
// decoded format changed mid-stream (ffmpeg converts it back to the
// output's format after showinfo) takes the output's tags.
func TestFrameLog(t *testing.T) {
	want709 := colour{full: false, matrix: yuv.BT709}
	for _, c := range []struct {
		name string
		log  string
		want []colour
	}{
		{"colour lines", logInput + showinfoLine(0, "yuv420p") + "[Parsed_showinfo_1 @ 0x55]   side data - User Data Unregistered:\n" +
			colour709 + logOutput + showinfoLine(1, "yuv420p") + colour709 + showinfoLine(2, "yuv420p") +
			"[Parsed_showinfo_1 @ 0x55] color_range:pc color_space:bt470bg color_primaries:unknown color_trc:unknown\n",
			[]colour{want709, want709, {full: true, matrix: yuv.BT601}}},
		{"no colour lines", logInput + showinfoLine(0, "yuv420p") + logOutput + showinfoLine(1, "yuv420p") + showinfoLine(2, "yuv420p"),
			[]colour{want709, want709, want709}},
		{"format change", logInput + showinfoLine(0, "yuv420p") + colour709 + logOutput + showinfoLine(1, "yuv444p") +
			"[Parsed_showinfo_1 @ 0x55] color_range:pc color_space:unknown color_primaries:unknown color_trc:unknown\n",
			[]colour{want709, want709}},
	} {
		got := parseLog(c.log)
		if len(got) != len(c.want) {
			t.Errorf("%s: %d frames, want %d", c.name, len(got), len(c.want))
			continue
		}
		for i, m := range got {
			if m.err != nil || m.layout.name != "yuv420p" || m.layout.ratio != image.YCbCrSubsampleRatio420 || m.w != 64 || m.h != 48 {
				t.Errorf("%s frame %d: %+v", c.name, i, m)
			}
			if m.colour != c.want[i] {
				t.Errorf("%s frame %d: colour %+v, want %+v", c.name, i, m.colour, c.want[i])
			}
		}
	}
}

// TestFrameLogNoDeadlock: a frame is announced before ffmpeg needs it
// read. Without colour lines, frame 1 is complete at its n: line (the
// reader must not wait for anything ffmpeg prints after writing it); the
// first frame is complete at the output stream line.
func TestFrameLogNoDeadlock(t *testing.T) {
	var fl frameLog
	if got := fl.frame(frameMeta{w: 64, h: 48}, "yuv420p"); len(got) != 0 {
		t.Fatalf("frame 0 announced before the output header: %+v", got)
	}
	if got := fl.output("  Stream #0:0: Video: rawvideo (I420 / 0x30323449), yuvj420p(pc, bt470bg/unknown/unknown, progressive), 64x48"); len(got) != 1 || !got[0].colour.full {
		t.Fatalf("at the output header: %+v", got)
	}
	if got := fl.frame(frameMeta{w: 64, h: 48}, "yuvj420p"); len(got) != 1 {
		t.Fatalf("frame 1 without colour lines: %d announced at its n: line, want 1", len(got))
	}
	// With colour lines, the next frame waits for its own (printed with
	// its n: line, before the frame goes on).
	fl = frameLog{}
	fl.frame(frameMeta{}, "yuv420p")
	fl.colour(colour{})
	fl.output("  Stream #0:0: Video: rawvideo (I420 / 0x30323449), yuv420p, 64x48")
	if got := fl.frame(frameMeta{}, "yuv420p"); len(got) != 0 {
		t.Fatalf("frame 1 announced before its colour line")
	}
	if got := fl.colour(colour{matrix: yuv.BT709}); len(got) != 1 || got[0].colour.matrix != yuv.BT709 {
		t.Fatalf("frame 1 at its colour line: %+v", got)
	}
}

func TestStreamColour(t *testing.T) {
	for _, c := range []struct {
		line, name string
		want       colour
	}{
		{"Stream #0:0(und): Video: rawvideo (I420 / 0x30323449), yuv420p(tv, bt709, progressive), 1920x1080", "yuv420p", colour{false, yuv.BT709}},
		{"Stream #0:0: Video: rawvideo (I420 / 0x30323449), yuvj420p(pc, bt470bg/unknown/unknown, progressive), 64x48", "yuvj420p", colour{true, yuv.BT601}},
		{"Stream #0:0: Video: rawvideo (Y42B / 0x42323459), yuv422p(tv, bt2020nc/bt2020/smpte2084), 64x48", "yuv422p", colour{false, yuv.BT2020}},
		{"Stream #0:0: Video: rawvideo (I420 / 0x30323449), yuv420p(progressive), 64x48 [SAR 1:1 DAR 4:3]", "yuv420p", colour{false, yuv.BT601}},
		{"Stream #0:0: Video: rawvideo (RGBA / 0x41424752), rgba(pc, gbr/unknown/unknown, progressive), 64x48", "rgba", colour{true, yuv.BT601}},
		{"Stream #0:0: Video: rawvideo (Y800 / 0x30303859), gray, 64x48, q=2-31", "gray", colour{false, yuv.BT601}},
		{"Stream #0:0: Video: rawvideo (I420 / 0x30323449), yuv420p(unknown/bt709/bt709, progressive), 64x48", "yuv420p", colour{false, yuv.BT601}},
	} {
		name, col, ok := streamColour(c.line)
		if !ok || name != c.name || col != c.want {
			t.Errorf("%q: %q %+v %v, want %q %+v", c.line, name, col, ok, c.name, c.want)
		}
	}
	if _, _, ok := streamColour("Stream #0:0: Audio: aac"); ok {
		t.Error("an audio stream gave a pixel format")
	}
}

// TestBufferReuse: released frames are reused only for frames of the
// same layout and size (a reconnection may bring another format).
func TestBufferReuse(t *testing.T) {
	s := &Source{info: Info{Width: 6, Height: 4}, free: make(chan image.Image, 8)}
	l420, _ := layoutOf("yuv420p")
	lgray, _ := layoutOf("gray")
	lrgba, _ := layoutOf("rgba")
	l444, _ := layoutOf("yuvj444p")
	img, pix := s.buffer(frameMeta{layout: l420, colour: colour{matrix: yuv.BT709}})
	if p := img.(*yuv.Image); len(pix) != 6*4+2*3*2 || p.Matrix != yuv.BT709 {
		t.Fatalf("4:2:0 buffer: %d bytes, %v", len(pix), p.Matrix)
	}
	s.free <- img
	again, _ := s.buffer(frameMeta{layout: l420, colour: colour{full: true}})
	if again != img || !again.(*yuv.Image).FullRange || again.(*yuv.Image).Matrix != yuv.BT601 {
		t.Fatal("a released 4:2:0 frame was not reused with the new frame's colour")
	}
	s.free <- again
	if g, pix := s.buffer(frameMeta{layout: lgray}); g != img || len(pix) != 24 {
		t.Fatalf("gray into a 4:2:0 frame: reused %v, %d bytes", g == img, len(pix))
	}
	s.free <- img
	for _, l := range []pixelLayout{lrgba, l444} {
		if other, _ := s.buffer(frameMeta{layout: l}); other == img {
			t.Fatalf("a 4:2:0 frame reused for %s", l.name)
		}
	}
	s.free <- image.NewRGBA(image.Rect(0, 0, 5, 4))
	if other, _ := s.buffer(frameMeta{layout: lrgba}); other.Bounds().Dx() != 6 {
		t.Fatal("a frame of another size was reused")
	}
	if n := s.buffers.Load(); n != 4 {
		t.Errorf("%d buffers allocated, want 4", n)
	}
}
