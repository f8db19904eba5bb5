package kernels

import (
	"fmt"
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
			var c YUVColumns
			c.Set(cols, ccols)
			yuvGatherAt(l, got[0][:n], got[1][:n], got[2][:n], yrow, cb, cr, &c, k)
			for c := range got {
				if string(got[c]) != string(want[c]) {
					t.Fatalf("%v: width %d, %d columns, channel %d:\n got %v\nwant %v", l, w, n, c, got[c], want[c])
				}
			}
		}
	}
}

// TestYUVGatherUnordered: columns that do not ascend (or are negative)
// are still converted right (by the Go code: the vector code's bounds
// reasoning needs ascending columns).
func TestYUVGatherUnordered(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	yrow, cb, cr := make([]uint8, 40), make([]uint8, 20), make([]uint8, 20)
	for i := range yrow {
		yrow[i] = uint8(rng.Intn(256))
	}
	for i := range cb {
		cb[i], cr[i] = uint8(rng.Intn(256)), uint8(rng.Intn(256))
	}
	cols := []int32{39, 0, 5, 5, 38, 1, 2, 3, 4, 36, 37, 39, 10, 11, 12, 13, 14}
	ccols := make([]int32, len(cols))
	for j, x := range cols {
		ccols[j] = x / 2
	}
	k := randomYUVCoef(rng)
	n := len(cols)
	for _, l := range opLevels(opYUV) {
		var c YUVColumns
		c.Set(cols, ccols)
		if c.ok {
			t.Fatal("unordered columns accepted for the vector code")
		}
		R, G, B := make([]uint8, n), make([]uint8, n), make([]uint8, n)
		wR, wG, wB := make([]uint8, n), make([]uint8, n), make([]uint8, n)
		yuvGatherGo(wR, wG, wB, yrow, cb, cr, cols, ccols, k)
		yuvGatherAt(l, R, G, B, yrow, cb, cr, &c, k)
		if string(R) != string(wR) || string(G) != string(wG) || string(B) != string(wB) {
			t.Fatalf("%v differs from the reference", l)
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
		var c YUVColumns
		c.Set(cols[:], ccols[:])
		yuvGatherAt(l, R[:], G[:], B[:], yrow[:], cb[:], cr[:], &c, k)
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
	// A 1080p frame's row and a 4K one's (whose blocks of 16 columns span
	// ~70 bytes: two windows on VBMI) into 416 columns.
	for _, w := range []int{1920, 3840} {
		yrow, cb, cr := make([]uint8, w), make([]uint8, w/2), make([]uint8, w/2)
		var cols, ccols []int32
		for j := 0; j < 416; j++ { // a w → 416 resize's columns
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
			b.Run(fmt.Sprintf("%d/%s", w, l), func(b *testing.B) {
				var c YUVColumns
				c.Set(cols, ccols)
				b.SetBytes(int64(len(cols)))
				for b.Loop() {
					yuvGatherAt(l, R, G, B, yrow, cb, cr, &c, k)
				}
			})
		}
	}
}

// yuvShapeCoef draws coefficients for TestYUVGatherShapes: a plausible
// conversion, one whose sums leave [0, 255] far on both sides (so that
// most outputs clamp, to 0 and to 255), or any int32s at all (the sums
// wrap as Go's int32 arithmetic does, which the vector code must too).
func yuvShapeCoef(rng *rand.Rand) *YUVCoef {
	switch rng.Intn(4) {
	case 0:
		k := &YUVCoef{CY: 1 << 22, CrR: -1 << 22, CbG: 1 << 21, CrG: -1 << 21, CbB: -1 << 22}
		k.BR, k.BG, k.BB = 1<<29, -1<<28, 1<<29
		return k
	case 1:
		r := func() int32 { return int32(rng.Uint32()) }
		return &YUVCoef{r(), r(), r(), r(), r(), r(), r(), r()}
	}
	return randomYUVCoef(rng)
}

// TestYUVGatherShapes: every level against the reference on ascending
// columns with repeats, steps and long gaps, lengths 0-70 and a few long
// ones, planes, columns and outputs starting at odd offsets into their
// buffers, rows either ending right after the last sample read (so the
// vector code must hand the last columns to the Go code) or not, 4:4:4
// and 4:2:0 chroma, and coefficients that clamp both ways or wrap; the
// bytes around the outputs stay untouched.
func TestYUVGatherShapes(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	lengths := []int{200, 513, 1000, 4099}
	for n := 0; n <= 70; n++ {
		lengths = append(lengths, n, n)
	}
	for _, l := range opLevels(opYUV) {
		for _, n := range lengths {
			hs := rng.Intn(2)
			cols, ccols := make([]int32, n+5), make([]int32, n+5)
			co := rng.Intn(5) // cols start at an odd int32 offset
			cols, ccols = cols[co:co+n], ccols[co:co+n]
			x := rng.Intn(4)
			for j := range cols {
				cols[j], ccols[j] = int32(x), int32(x>>hs)
				switch r := rng.Intn(10); {
				case r < 2: // repeat
				case r < 7:
					x++
				case r < 9:
					x += 2
				default:
					x += rng.Intn(300)
				}
			}
			w := x + 1
			if n > 0 {
				w = int(cols[n-1]) + 1
			}
			if rng.Intn(2) == 0 {
				w += rng.Intn(8)
			}
			cw := (w + hs) >> hs
			if n > 0 && rng.Intn(3) == 0 {
				cw = int(ccols[n-1]) + 1 // chroma rows as short as they can be
			}
			plane := func(m int) []uint8 {
				off := rng.Intn(16)
				p := make([]uint8, off+m+rng.Intn(3))
				for i := range p {
					p[i] = uint8(rng.Intn(256))
				}
				return p[off : off+m]
			}
			yrow, cb, cr := plane(w), plane(cw), plane(cw)
			k := yuvShapeCoef(rng)
			const pad = 11
			oo := rng.Intn(8)
			var got, want [3][]uint8
			for c := range got {
				got[c] = make([]uint8, oo+n+pad)
				for i := range got[c] {
					got[c][i] = uint8(rng.Intn(256))
				}
				want[c] = append([]uint8(nil), got[c]...)
			}
			out := func(b []uint8) []uint8 { return b[oo : oo+n] }
			yuvGatherGo(out(want[0]), out(want[1]), out(want[2]), yrow, cb, cr, cols, ccols, k)
			var c YUVColumns
			c.Set(cols, ccols)
			if !c.ok {
				t.Fatal("ascending columns refused")
			}
			yuvGatherAt(l, out(got[0]), out(got[1]), out(got[2]), yrow, cb, cr, &c, k)
			for ch := range got {
				if string(got[ch]) != string(want[ch]) {
					for i := range got[ch] {
						if got[ch][i] != want[ch][i] {
							t.Fatalf("%v: %d columns (chroma halved: %d), coefficients %+v: channel %d byte %d (output %d) = %d, want %d",
								l, n, hs, *k, ch, i, i-oo, got[ch][i], want[ch][i])
						}
					}
				}
			}
		}
	}
}
