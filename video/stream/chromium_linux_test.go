//go:build linux

package stream

import (
	"context"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Colours of the test frame: a "detection box" of boxColour on frameColour,
// both far from the page's #111 background.
var (
	frameColour = color.RGBA{220, 40, 40, 255}
	boxColour   = color.RGBA{40, 200, 70, 255}
)

func near(c color.Color, want color.RGBA) bool {
	r, g, b, _ := c.RGBA()
	const tol = 40 // JPEG and scaling move colours a little
	return absDiff(r>>8, uint32(want.R)) < tol && absDiff(g>>8, uint32(want.G)) < tol && absDiff(b>>8, uint32(want.B)) < tol
}

// TestChromiumShowsView opens /view in a headless Chromium while frames are
// published and checks that its screenshot shows the frame: the frame's
// colour over much of the window and the box's colour inside it. It is
// skipped only when Chromium is not installed (CI installs it).
func TestChromiumShowsView(t *testing.T) {
	browser, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed (Debian package chromium; .ci/run installs it)")
	}
	s := listen(t, Options{})
	frame := image.NewRGBA(image.Rect(0, 0, 320, 240))
	draw.Draw(frame, frame.Bounds(), image.NewUniform(frameColour), image.Point{}, draw.Src)
	draw.Draw(frame, image.Rect(100, 60, 220, 180), image.NewUniform(boxColour), image.Point{}, draw.Src)
	stop := make(chan struct{})
	wg := pump(func(int) {
		if err := s.PublishFrame(frame); err != nil {
			t.Error(err)
		}
		time.Sleep(20 * time.Millisecond)
	}, stop)
	defer func() { close(stop); wg.Wait() }()

	dir := t.TempDir()
	shot := filepath.Join(dir, "shot.png")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-quic", "--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--disable-crash-reporter",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--window-size=640,480",
		"--virtual-time-budget=3000", "--screenshot="+shot, s.URL()+"view")
	// Chromium's helper processes share its process group: kill them all
	// when it is done, so nothing is left running.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	out, err := cmd.CombinedOutput()
	if cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v\n%s", err, out)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if keep := os.Getenv("STREAM_SCREENSHOT"); keep != "" {
		if b, err := os.ReadFile(shot); err == nil {
			os.WriteFile(keep, b, 0o644)
		}
	}
	var frameN, boxN, total int
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			total++
			switch c := img.At(x, y); {
			case near(c, frameColour):
				frameN++
			case near(c, boxColour):
				boxN++
			}
		}
	}
	// The 4:3 frame fills the 640×480 window: the box is 1/5.3 of it.
	t.Logf("screenshot %v: %.1f%% frame colour, %.1f%% box colour", b, 100*float64(frameN)/float64(total), 100*float64(boxN)/float64(total))
	// Where the box is: the 320×240 frame is shown at 640×480, so the box
	// covers (200,120)-(440,360).
	if c := img.At(320, 240); !near(c, boxColour) {
		t.Errorf("screenshot centre %v, want the box's %v", c, boxColour)
	}
	if c := img.At(60, 60); !near(c, frameColour) {
		t.Errorf("screenshot at (60,60) %v, want the frame's %v", c, frameColour)
	}
	if frameN < total/4 || boxN < total/20 {
		t.Errorf("screenshot does not show the frame: %d frame-coloured and %d box-coloured of %d pixels", frameN, boxN, total)
	}
}
