package track

import (
	"fmt"
	"testing"
)

// BenchmarkUpdate is one frame of n objects moving across the image (all
// tracks confirmed and matched), n/4 per class.
func BenchmarkUpdate(b *testing.B) {
	for _, n := range []int{10, 50, 200} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			objs := make([]mover, n)
			for i := range objs {
				objs[i] = mover{x: float64(i%20) * 90, y: float64(i/20) * 100, w: 40, h: 80, vx: 2, vy: 1, class: i % 4}
			}
			tr, _ := New(DefaultOptions())
			dets := make([]Detection, n)
			frame := 0
			step := func() {
				for i, m := range objs {
					dets[i] = m.at(frame % 100)
				}
				if frame%100 == 0 { // the objects jump back: fresh tracks
					tr, _ = New(DefaultOptions())
				}
				tr.Update(dets)
				frame++
			}
			for range 5 {
				step()
			}
			b.ResetTimer()
			for b.Loop() {
				step()
			}
		})
	}
}
