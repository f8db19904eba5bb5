package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// Every implementation of the Winograd operation against the Go reference,
// on runs of every length to a few vectors (the last vector overlaps the
// one before it unless n is a multiple of 8) and values of mixed
// magnitude; nothing past n may be written.
func TestWinogradOps(t *testing.T) {
	for _, l := range opLevels(opWinograd)[1:] {
		t.Run(l.String(), func(t *testing.T) { testWinogradAt(t, l) })
	}
}

func testWinogradAt(t *testing.T, l isa) {
	rng := rand.New(rand.NewPCG(1, 2))
	rnd := func(n int) []float32 {
		v := make([]float32, n)
		for x := range v {
			v[x] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(5)-2)))
		}
		return v
	}
	for n := 1; n <= 100; n++ {
		var src, dstB, wantB [6][]float32
		var dstA, wantA [4][]float32
		for i := range src {
			src[i] = rnd(n + 1)
			dstB[i], wantB[i] = make([]float32, n+1), make([]float32, n+1)
		}
		for i := range dstA {
			dstA[i], wantA[i] = make([]float32, n+1), make([]float32, n+1)
		}
		row := rnd(4*n + 4)
		var gq, wq [6][]float32
		for j := range gq {
			gq[j], wq[j] = make([]float32, n+1), make([]float32, n+1)
		}
		sy := [4][]float32{src[0][:n], src[1][:n], src[2][:n], src[3][:n]}
		sd, sw := make([]float32, 4*n+1), make([]float32, 4*n+1)
		// Guards past the end hold a value no kernel would write there.
		sd[4*n], sw[4*n] = 12345, 12345
		for j := range gq {
			gq[j][n], wq[j][n] = 12345, 12345
		}
		winoInputAt(l, &src, &dstB, n)
		winoOutputAt(l, &src, &dstA, n)
		winoGatherAt(l, row, &gq, n)
		winoScatterAt(l, &sy, sd, n)
		winoInputAt(isaGeneric, &src, &wantB, n)
		winoOutputAt(isaGeneric, &src, &wantA, n)
		winoGatherAt(isaGeneric, row, &wq, n)
		winoScatterAt(isaGeneric, &sy, sw, n)
		scale := func(x int) float64 { // Σ|d_i|: the rounding error bound's scale
			var s float64
			for i := range src {
				s += math.Abs(float64(src[i][x]))
			}
			return s
		}
		for x := 0; x <= n; x++ {
			for i := range dstB {
				if e := math.Abs(float64(dstB[i][x] - wantB[i][x])); e > 1e-6*8*scale(x) || (x == n && dstB[i][x] != 0) {
					t.Fatalf("n=%d: B row %d at %d: %g, Go %g", n, i, x, dstB[i][x], wantB[i][x])
				}
			}
			for i := range dstA {
				if e := math.Abs(float64(dstA[i][x] - wantA[i][x])); e > 1e-6*16*scale(x) || (x == n && dstA[i][x] != 0) {
					t.Fatalf("n=%d: A row %d at %d: %g, Go %g", n, i, x, dstA[i][x], wantA[i][x])
				}
			}
			for j := range gq {
				if gq[j][x] != wq[j][x] {
					t.Fatalf("n=%d: gather phase %d at %d: %g, Go %g", n, j, x, gq[j][x], wq[j][x])
				}
			}
		}
		for x := range sd {
			if sd[x] != sw[x] {
				t.Fatalf("n=%d: scatter at %d: %g, Go %g", n, x, sd[x], sw[x])
			}
		}
	}
}

// The vector levels of the Winograd operation give the same bits as each
// other (avx512 does avx2's operations 16 lanes at a time), so choosing
// AVX-512 changes no result of a network; runs of 1..100 cover the
// 8-wide fallback below 16, whole vectors and every overlapping tail.
func TestWinogradLevelsSameBits(t *testing.T) {
	levels := opLevels(opWinograd)[1:]
	if len(levels) < 2 {
		t.Skipf("one vector level (%v): nothing to compare", levels)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, l := range levels[1:] {
		base := levels[0]
		for n := 1; n <= 100; n++ {
			var src, b0, b1 [6][]float32
			var a0, a1 [4][]float32
			for i := range src {
				src[i] = make([]float32, n)
				for x := range src[i] {
					src[i][x] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(7)-3)))
				}
				b0[i], b1[i] = make([]float32, n), make([]float32, n)
			}
			for i := range a0 {
				a0[i], a1[i] = make([]float32, n), make([]float32, n)
			}
			winoInputAt(base, &src, &b0, n)
			winoInputAt(l, &src, &b1, n)
			winoOutputAt(base, &src, &a0, n)
			winoOutputAt(l, &src, &a1, n)
			for x := 0; x < n; x++ {
				for i := range b0 {
					if math.Float32bits(b0[i][x]) != math.Float32bits(b1[i][x]) {
						t.Fatalf("n=%d: B row %d at %d: %s %g, %s %g", n, i, x, base, b0[i][x], l, b1[i][x])
					}
				}
				for i := range a0 {
					if math.Float32bits(a0[i][x]) != math.Float32bits(a1[i][x]) {
						t.Fatalf("n=%d: A row %d at %d: %s %g, %s %g", n, i, x, base, a0[i][x], l, a1[i][x])
					}
				}
			}
		}
	}
}

// BenchmarkWinogradOps times each Winograd operation per level on the run
// lengths of yolov4-tiny 416: the input transform over the phase planes of
// a 104×104 layer (2808 = 4·27 rows × 26 tiles) and a 26×26 unit (676
// tiles), the output transform on 676, gather/scatter of rows of 4, 7, 26 and
// 52 tiles (13-, 26-, 104- and 208-wide maps). Use -count to interleave the levels.
func BenchmarkWinogradOps(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	rnd := func(n int) []float32 {
		v := make([]float32, n)
		for x := range v {
			v[x] = rng.Float32()
		}
		return v
	}
	for _, l := range opLevels(opWinograd) {
		for _, n := range []int{2808, 676} {
			var src, dst [6][]float32
			var out [4][]float32
			for i := range src {
				src[i], dst[i] = rnd(n), make([]float32, n)
			}
			for i := range out {
				out[i] = make([]float32, n)
			}
			b.Run(fmt.Sprintf("input/%d/%s", n, l), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					winoInputAt(l, &src, &dst, n)
				}
				b.ReportMetric(float64(b.N)*float64(n)/b.Elapsed().Seconds()/1e6, "Mpoints/s")
			})
			b.Run(fmt.Sprintf("output/%d/%s", n, l), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					winoOutputAt(l, &src, &out, n)
				}
				b.ReportMetric(float64(b.N)*float64(n)/b.Elapsed().Seconds()/1e6, "Mpoints/s")
			})
		}
		for _, tiles := range []int{4, 7, 26, 52} {
			row := rnd(4*tiles + 4)
			var q [6][]float32
			for j := range q {
				q[j] = make([]float32, tiles)
			}
			y := [4][]float32{q[0], q[1], q[2], q[3]}
			o := make([]float32, 4*tiles)
			b.Run(fmt.Sprintf("gather+scatter/%d/%s", tiles, l), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					winoGatherAt(l, row, &q, tiles)
					winoScatterAt(l, &y, o, tiles)
				}
			})
		}
	}
}
