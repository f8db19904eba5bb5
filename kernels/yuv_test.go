package kernels

import (
	"math/rand"
	"testing"
)

// randomCoef draws coefficients of a plausible conversion, sometimes the
// extremes of the sums' range.
func randomYUVCoef(rng *rand.Rand) *YUVCoef {
	c := func(lo, hi int) int32 { return int32(lo + rng.Intn(hi-lo+1)) }
	k := &YUVCoef{CY: c(65536, 80000), CrR: c(80000, 120000), CbG: c(-30000, -10000), CrG: c(-60000, -30000), CbB: c(100000, 140000)}
	k.BR = c(-128*120000, 0)
	k.BG = c(0, 128*90000)
	k.BB = c(-128*140000, 0)
	return k
}

// TestYUVGatherLevels: every level writes the reference's bytes, for
// ascending columns as a resize makes them (pairs, gaps, repeats), rows
// ending right after the last sample read, lengths around the vector
// width, and leaves the bytes past n alone.
func TestYUVGatherLevels(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, l := range opLevels(opYUV) {
		for it := 0; it < 3000; it++ {
			w := 1 + rng.Intn(300)
			hs := rng.Intn(2) // chroma halved horizontally or not
			cw := (w + hs) >> hs
			yrow := make([]uint8, w)
			cb, cr := make([]uint8, cw), make([]uint8, cw)
			for _, p := range [][]uint8{yrow, cb, cr} {
				for i := range p {
					p[i] = uint8(rng.Intn(256))
				}
			}
			var cols, ccols []int32
			for x := 0; x < w; x += rng.Intn(3) {
				cols = append(cols, int32(x))
				ccols = append(ccols, int32(x>>hs))
				if len(cols) > 64 && rng.Intn(4) == 0 {
					break
				}
			}
			n := len(cols)
			k := randomYUVCoef(rng)
			got := make([][]uint8, 3)
			want := make([][]uint8, 3)
			for c := range got {
				got[c] = make([]uint8, n+9)
				want[c] = make([]uint8, n+9)
				for i := range got[c] {
					got[c][i], want[c][i] = 0xa5, 0xa5
				}
			}
			yuvGatherGo(want[0][:n], want[1][:n], want[2][:n], yrow, cb, cr, cols, ccols, k)
			yuvGatherAt(l, got[0][:n], got[1][:n], got[2][:n], yrow, cb, cr, cols, ccols, k)
			for c := range got {
				if string(got[c]) != string(want[c]) {
					t.Fatalf("%v: width %d, %d columns, channel %d:\n got %v\nwant %v", l, w, n, c, got[c], want[c])
				}
			}
		}
	}
}

// TestYUVGatherClamps: sums below 0 and above 255 clamp, at every level.
func TestYUVGatherClamps(t *testing.T) {
	k := &YUVCoef{CY: 76309, CrR: 104597, CbG: -25675, CrG: -53279, CbB: 132201}
	k.BR = -16*76309 + 1<<15 - 128*104597
	k.BG = -16*76309 + 1<<15 + 128*(25675+53279)
	k.BB = -16*76309 + 1<<15 - 128*132201
	var yrow, cb, cr [256]uint8
	var cols, ccols [256]int32
	for i := range 256 {
		yrow[i], cb[i], cr[i] = uint8(i), uint8(255-i), uint8(i*37)
		cols[i], ccols[i] = int32(i), int32(i)
	}
	for _, l := range opLevels(opYUV) {
		var R, G, B, wR, wG, wB [256]uint8
		yuvGatherGo(wR[:], wG[:], wB[:], yrow[:], cb[:], cr[:], cols[:], ccols[:], k)
		yuvGatherAt(l, R[:], G[:], B[:], yrow[:], cb[:], cr[:], cols[:], ccols[:], k)
		if R != wR || G != wG || B != wB {
			t.Fatalf("%v differs from the reference", l)
		}
		saw0, saw255 := false, false
		for i := range 256 {
			saw0 = saw0 || wR[i] == 0 || wB[i] == 0
			saw255 = saw255 || wR[i] == 255 || wB[i] == 255
		}
		if !saw0 || !saw255 {
			t.Fatal("the test's samples do not reach both clamps")
		}
	}
}

func BenchmarkYUVGather(b *testing.B) {
	const w = 1920
	yrow, cb, cr := make([]uint8, w), make([]uint8, w/2), make([]uint8, w/2)
	var cols, ccols []int32
	for j := 0; j < 416; j++ { // a 1920 → 416 resize's columns
		x := j * (w - 1) / 415
		for _, c := range []int{x, min(x+1, w-1)} {
			if len(cols) == 0 || int32(c) != cols[len(cols)-1] {
				cols = append(cols, int32(c))
				ccols = append(ccols, int32(c/2))
			}
		}
	}
	R, G, B := make([]uint8, len(cols)), make([]uint8, len(cols)), make([]uint8, len(cols))
	k := randomYUVCoef(rand.New(rand.NewSource(2)))
	for _, l := range opLevels(opYUV) {
		b.Run(l.String(), func(b *testing.B) {
			b.SetBytes(int64(len(cols)))
			for b.Loop() {
				yuvGatherAt(l, R, G, B, yrow, cb, cr, cols, ccols, k)
			}
		})
	}
}
