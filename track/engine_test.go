package track

import (
	"math"
	"testing"

	"github.com/darkgo/darkgo/engine"
)

func TestFromEngine(t *testing.T) {
	dets := []engine.Detection{
		{Class: 2, Confidence: 0.75, Box: engine.Box{X: 0.5, Y: 0.25, W: 0.2, H: 0.1}},
		{Class: 0, Confidence: 0.5, Box: engine.Box{X: 0, Y: 1, W: 0, H: 0}},
	}
	got := FromEngine(dets, 640, 480)
	want := []Detection{
		{Box: Box{X: 256, Y: 96, W: 128, H: 48}, Class: 2, Confidence: 0.75},
		{Box: Box{X: 0, Y: 480, W: 0, H: 0}, Class: 0, Confidence: 0.5},
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Class != w.Class || g.Confidence != w.Confidence ||
			math.Abs(g.Box.X-w.Box.X) > 1e-4 || math.Abs(g.Box.Y-w.Box.Y) > 1e-4 ||
			math.Abs(g.Box.W-w.Box.W) > 1e-4 || math.Abs(g.Box.H-w.Box.H) > 1e-4 {
			t.Errorf("detection %d: %+v, want %+v", i, g, w)
		}
	}
}
