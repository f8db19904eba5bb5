package kernels

import (
	"fmt"
	"math/rand"
	"runtime"
	"testing"
)

// stbRGB20 is stb_image's stbi__YCbCr_to_RGB_row for one pixel as stb
// writes it: 20-bit fixed point, coefficients (int)(x*4096+0.5) << 8, the
// green Cb product masked to its high 16 bits on its unsigned bits.
func stbRGB20(y, cb, cr uint8) (r, g, b uint8) {
	clamp := func(v int32) uint8 { return uint8(min(max(v, 0), 255)) }
	yf := int32(y)<<20 + 1<<19
	icr, icb := int32(cr)-128, int32(cb)-128
	return clamp((yf + icr*(5743<<8)) >> 20),
		clamp((yf - icr*(2925<<8) + int32(uint32(-icb*(1410<<8))&0xffff0000)) >> 20),
		clamp((yf + icb*(7258<<8)) >> 20)
}

// TestSTBRGB: STBRGB (12-bit sums) and the tables the Go code uses equal
// stb_image's 20-bit conversion for every input.
func TestSTBRGB(t *testing.T) {
	if testing.Short() {
		t.Skip("2^24 conversions")
	}
	for i := range 1 << 24 {
		y, cb, cr := uint8(i), uint8(i>>8), uint8(i>>16)
		wr, wg, wb := stbRGB20(y, cb, cr)
		r, g, b := STBRGB(y, cb, cr)
		lr, lg, lb := stbLUT.rgb(y, cb, cr)
		if r != wr || g != wg || b != wb || lr != wr || lg != wg || lb != wb {
			t.Fatalf("y %d cb %d cr %d: STBRGB %d %d %d, tables %d %d %d, stb_image %d %d %d",
				y, cb, cr, r, g, b, lr, lg, lb, wr, wg, wb)
		}
	}
}

// stbCase draws the taps of one of stb_image's upsampling cases (or, cases
// 5 and 6, arbitrary weights: sums past 255 wrap, at every level) for ascending luma columns
// of a w-wide row; it returns them with the chroma row width.
func stbCase(rng *rand.Rand, cols []int32, w int) (i0, i1, h0, h1 []int32, v STBChroma, cw int) {
	n := len(cols)
	i0, i1, h0, h1 = make([]int32, n), make([]int32, n), make([]int32, n), make([]int32, n)
	switch rng.Intn(7) {
	case 0: // 4:4:4 copy
		cw, v = w, STBChroma{V0: 1}
		for j, x := range cols {
			i0[j], i1[j], h0[j] = x, x, 1
		}
	case 1: // 4:1:1 nearest
		cw, v = (w+3)/4, STBChroma{V0: 1}
		for j, x := range cols {
			i0[j], i1[j], h0[j] = x/4, x/4, 1
		}
	case 2: // 4:4:0: (3*near + far + 2) >> 2
		cw, v = w, STBChroma{V0: 3, V1: 1, Rnd: 2, Shift: 2}
		for j, x := range cols {
			i0[j], i1[j], h0[j] = x, x, 1
		}
	case 3, 4: // 4:2:2 (h2, >> 2) and 4:2:0 (hv2, >> 4)
		cw = (w + 1) / 2
		v = STBChroma{V0: 1, Rnd: 2, Shift: 2}
		if rng.Intn(2) == 0 {
			v = STBChroma{V0: 3, V1: 1, Rnd: 8, Shift: 4}
		}
		for j, x := range cols {
			i := x >> 1
			switch {
			case cw == 1 || x == 0:
				i0[j], i1[j], h0[j] = 0, 0, 4
			case x == int32(2*cw-1):
				i0[j], i1[j], h0[j] = int32(cw-1), int32(cw-1), 4
			case x&1 == 1:
				i0[j], i1[j], h0[j], h1[j] = i, min(i+1, int32(cw-1)), 3, 1
			default:
				i0[j], i1[j], h0[j], h1[j] = i, i-1, 3, 1
			}
		}
	case 6: // any int32 coefficients and byte weights: the int32 sums wrap
		cw = (w + 1) / 2
		v = STBChroma{V0: int32(rng.Uint32()), V1: int32(rng.Uint32()), Rnd: int32(rng.Uint32()), Shift: int32(rng.Intn(32))}
		for j, x := range cols { // near the pixel, as the blocks need
			i0[j], i1[j] = min(x/2+int32(rng.Intn(3)), int32(cw-1)), max(x/2-int32(rng.Intn(3)), 0)
			h0[j], h1[j] = int32(rng.Intn(256)), int32(rng.Intn(256))
		}
	default: // any taps within the row, weights up to 4
		cw = 1 + rng.Intn(w)
		v = STBChroma{V0: int32(rng.Intn(4)), V1: int32(rng.Intn(2)), Rnd: int32(rng.Intn(9)), Shift: int32(rng.Intn(5))}
		for j := range cols {
			i0[j], i1[j] = int32(rng.Intn(cw)), int32(rng.Intn(cw))
			h0[j], h1[j] = int32(rng.Intn(5)), int32(rng.Intn(5))
		}
	}
	return i0, i1, h0, h1, v, cw
}

func randomRow(rng *rand.Rand, n int) []uint8 {
	p := make([]uint8, n)
	for i := range p {
		p[i] = uint8(rng.Intn(256))
	}
	return p
}

// TestSTBGatherLevels: every level writes the reference's bytes, for
// ascending columns as a resize makes them (pairs, gaps, repeats), every
// upsampling case, rows ending right after the last sample read, lengths
// around the vector width, and leaves the bytes past n alone.
func TestSTBGatherLevels(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	vectorRan, blocksRan, wideRan := false, false, false
	for _, l := range opLevels(opSTB) {
		for it := 0; it < 4000; it++ {
			// Mostly a downscale's dense columns (steps 0-2); one in four
			// steps 0-7 in a longer row, whose blocks span up to 105 bytes
			// (wide plans: two windows a row).
			w, steps := 1+rng.Intn(300), 3
			if rng.Intn(4) == 0 {
				w, steps = 1+rng.Intn(1000), 8
			}
			var cols []int32
			for x := 0; x < w; x += rng.Intn(steps) {
				cols = append(cols, int32(x))
				if len(cols) > 64 && rng.Intn(4) == 0 {
					break
				}
			}
			n := len(cols)
			i0, i1, h0, h1, v, cw := stbCase(rng, cols, w)
			yrow := randomRow(rng, w)
			planes := [4][]uint8{randomRow(rng, cw), randomRow(rng, cw), randomRow(rng, cw), randomRow(rng, cw)}
			if v.V1 == 0 && rng.Intn(2) == 0 {
				planes[1], planes[3] = planes[0], planes[2] // far = near, as the caller passes it
			}
			got, want := make([][]uint8, 3), make([][]uint8, 3)
			for c := range got {
				got[c], want[c] = make([]uint8, n+9), make([]uint8, n+9)
				for i := range got[c] {
					got[c][i], want[c][i] = 0xa5, 0xa5
				}
			}
			stbGatherGo(want[0][:n], want[1][:n], want[2][:n], yrow, planes[0], planes[1], planes[2], planes[3], cols, i0, i1, h0, h1, &v)
			var c STBColumns
			c.Set(cols, i0, i1, h0, h1)
			// amd64's gathers take the first stbSafe outputs; the blocks
			// (AVX-512 VBMI, NEON) say how many they converted.
			if runtime.GOARCH == "amd64" && l != isaGeneric && stbSafe(&c, len(yrow), cw) >= 8 {
				vectorRan = true
			}
			if l != isaGeneric && c.blocks != nil {
				s := make([]uint8, n)
				ran := stbGatherBlocks(l, s, s, s, yrow, planes[0], planes[1], planes[2], planes[3], &c, &v, cw) > 0
				blocksRan = blocksRan || ran
				wideRan = wideRan || ran && c.wide
			}
			stbGatherAt(l, got[0][:n], got[1][:n], got[2][:n], yrow, planes[0], planes[1], planes[2], planes[3], &c, &v)
			for k := range got {
				if string(got[k]) != string(want[k]) {
					t.Fatalf("%v: w %d n %d %+v: channel %d\n got %v\nwant %v", l, w, n, v, k, got[k], want[k])
				}
			}
		}
	}
	if runtime.GOARCH == "amd64" && len(opLevels(opSTB)) > 1 && !vectorRan {
		t.Error("no case ran the vector code")
	}
	if stbBlocksRun && (!blocksRan || !wideRan) {
		t.Errorf("the byte-permute blocks ran: %v, with two windows: %v", blocksRan, wideRan)
	}
}

// TestSTBGatherClamps: sums below 0 and above 255 clamp at every level,
// and unordered columns go to the Go code.
func TestSTBGatherClamps(t *testing.T) {
	var yrow, cb, cr [256]uint8
	var cols, i0, h0, zero [256]int32
	for i := range 256 {
		yrow[i], cb[i], cr[i] = uint8(i), uint8(255-i), uint8(i*37)
		cols[i], i0[i], h0[i] = int32(i), int32(i), 1
	}
	v := STBChroma{V0: 1}
	for _, l := range opLevels(opSTB) {
		var R, G, B, wR, wG, wB [256]uint8
		stbGatherGo(wR[:], wG[:], wB[:], yrow[:], cb[:], cb[:], cr[:], cr[:], cols[:], i0[:], i0[:], h0[:], zero[:], &v)
		var c STBColumns
		c.Set(cols[:], i0[:], i0[:], h0[:], zero[:])
		stbGatherAt(l, R[:], G[:], B[:], yrow[:], cb[:], cb[:], cr[:], cr[:], &c, &v)
		if R != wR || G != wG || B != wB {
			t.Fatalf("%v differs from the reference", l)
		}
		saw0, saw255 := false, false
		for i := range 256 {
			saw0 = saw0 || wR[i] == 0 || wB[i] == 0
			saw255 = saw255 || wR[i] == 255 || wB[i] == 255
		}
		if !saw0 || !saw255 {
			t.Fatal("the inputs did not reach both clamps")
		}
		for j := range wR {
			if r, g, b := STBRGB(yrow[j], cb[j], cr[j]); wR[j] != r || wG[j] != g || wB[j] != b {
				t.Fatalf("reference differs from STBRGB at %d", j)
			}
		}
	}
	back := []int32{9, 3, 4, 5, 6, 7, 8, 9, 10}
	var c STBColumns
	c.Set(back, back, back, back, back)
	if c.ok {
		t.Fatal("unordered columns accepted for the vector code")
	}
}

// BenchmarkSTBGather converts one row of a 1920-wide and of a 4032-wide
// (a phone photo's: two 64-byte windows a block) 4:2:0 photo at the
// columns of a resize to 416, at every level.
func BenchmarkSTBGather(b *testing.B) {
	for _, w := range []int{1920, 4032} {
		cw := w / 2
		rng := rand.New(rand.NewSource(2))
		yrow := randomRow(rng, w)
		planes := [4][]uint8{randomRow(rng, cw), randomRow(rng, cw), randomRow(rng, cw), randomRow(rng, cw)}
		var cols, i0, i1, h0, h1 []int32
		for j := 0; j < 416; j++ {
			x := j * (w - 1) / 415
			for _, c := range []int{x, min(x+1, w-1)} {
				if len(cols) == 0 || int32(c) != cols[len(cols)-1] {
					// stb_image's hv2 taps: 3/4 of the nearest chroma sample,
					// 1/4 of the next one on the pixel's side.
					i, o := int32(c/2), int32(c/2+1)
					if c%2 == 0 {
						o = int32(max(c/2-1, 0))
					}
					cols, i0, i1 = append(cols, int32(c)), append(i0, i), append(i1, min(o, int32(cw-1)))
					h0, h1 = append(h0, 3), append(h1, 1)
				}
			}
		}
		n := len(cols)
		R, G, B := make([]uint8, n), make([]uint8, n), make([]uint8, n)
		v := STBChroma{V0: 3, V1: 1, Rnd: 8, Shift: 4}
		for _, l := range opLevels(opSTB) {
			b.Run(fmt.Sprintf("%d/%s", w, l), func(b *testing.B) {
				var c STBColumns
				c.Set(cols, i0, i1, h0, h1)
				b.SetBytes(int64(n))
				for b.Loop() {
					stbGatherAt(l, R, G, B, yrow, planes[0], planes[1], planes[2], planes[3], &c, &v)
				}
			})
		}
	}
}
