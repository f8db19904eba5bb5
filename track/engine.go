package track

import "github.com/darkgo/darkgo/engine"

// FromEngine converts the engine's detections of a width×height frame
// (boxes relative to the image, centre and size) to the tracker's (pixels,
// top-left corner and size), keeping the order, so that Update's IDs line
// up with dets.
func FromEngine(dets []engine.Detection, width, height int) []Detection {
	out := make([]Detection, len(dets))
	w, h := float64(width), float64(height)
	for i, d := range dets {
		bw, bh := float64(d.Box.W)*w, float64(d.Box.H)*h
		out[i] = Detection{
			Box:        Box{X: float64(d.Box.X)*w - bw/2, Y: float64(d.Box.Y)*h - bh/2, W: bw, H: bh},
			Class:      d.Class,
			Confidence: d.Confidence,
		}
	}
	return out
}
