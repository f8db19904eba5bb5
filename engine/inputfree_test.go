package engine

import (
	"context"
	"math"
	"testing"
)

// TestOnInputFree: the callback runs once per pass, and overwriting the
// input from it (as a pipeline writing the next frame does) leaves the
// pass's outputs unchanged: no layer reads the input after it.
func TestOnInputFree(t *testing.T) {
	for _, name := range []string{"yolov4-tiny", "yolov3-tiny"} {
		n := loadGoldenFull(t, name)
		s, err := n.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		fill := func(v func(i int) float32) {
			for i := range s.Input() {
				s.Input()[i] = v(i)
			}
		}
		img := func(i int) float32 { return float32(i%251) / 251 }
		ctx := context.Background()
		fill(img)
		if err := s.Run(ctx); err != nil {
			t.Fatal(err)
		}
		last := len(n.Layers) - 1
		want := append([]float32(nil), s.Output(last)...)
		calls := 0
		s.OnInputFree(func() {
			calls++
			fill(func(int) float32 { return 0.5 }) // the next frame
		})
		fill(img)
		if err := s.Run(ctx); err != nil {
			t.Fatal(err)
		}
		if calls != 1 {
			t.Fatalf("%s: OnInputFree called %d times in one pass", name, calls)
		}
		for i, v := range s.Output(last) {
			if math.Float32bits(v) != math.Float32bits(want[i]) {
				t.Fatalf("%s: output %d changed (%v, was %v): a layer read the input after OnInputFree", name, i, v, want[i])
			}
		}
		if s.Input()[1] != 0.5 {
			t.Fatalf("%s: the input written by the callback was not kept", name)
		}
		s.OnInputFree(nil)
		if err := s.Run(ctx); err != nil || calls != 1 {
			t.Fatalf("%s: removed callback called (%d), %v", name, calls, err)
		}
	}
}
