package kernels

import (
	"math"
	"math/rand"
	"testing"
)

// TestResizePairsLevels: every level gives the reference's bits, for
// every sample value, weights of a real resize (1-dx, dx) and random
// ones, lengths around the vector width, and writes nothing past n.
func TestResizePairsLevels(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, l := range opLevels(opResize) {
		for it := 0; it < 2000; it++ {
			n := rng.Intn(70)
			if it == 0 {
				n = 256
			}
			g := make([]uint8, 2*n)
			for i := range g {
				g[i] = uint8(rng.Intn(256))
				if it == 0 {
					g[i] = uint8(i / 2) // every value on both sides
				}
			}
			w0, w1 := make([]float32, n), make([]float32, n)
			for i := range w0 {
				dx := rng.Float32()
				w0[i], w1[i] = 1-dx, dx
				if rng.Intn(4) == 0 {
					w0[i], w1[i] = rng.Float32()*3-1, rng.Float32()*3-1
				}
			}
			want := make([]float32, n+9)
			got := make([]float32, n+9)
			for i := range got {
				got[i], want[i] = -7, -7
			}
			resizePairsGo(want[:n], g, w0, w1)
			resizePairsAt(l, got[:n], g, w0, w1)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%v: n %d, output %d = %v, reference %v", l, n, i, got[i], want[i])
				}
			}
		}
	}
}

func BenchmarkResizePairs(b *testing.B) {
	const n = 415 // 1920 -> 416 columns: all but the last are pairs
	g := make([]uint8, 2*n)
	w0, w1, out := make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range w0 {
		g[2*i], g[2*i+1] = uint8(i), uint8(3*i)
		w0[i], w1[i] = 0.25, 0.75
	}
	for _, l := range opLevels(opResize) {
		b.Run(l.String(), func(b *testing.B) {
			for b.Loop() {
				resizePairsAt(l, out, g, w0, w1)
			}
		})
	}
}
