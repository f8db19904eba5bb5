//go:build !purego

package kernels

import (
	"math/rand"
	"testing"
)

// TestYUVGatherVBMINoOverread: the byte-permute blocks load 64 bytes at a
// time; at the end of a row (a frame's last row ends its buffer) the bytes
// past it are masked off and never touched. Rows end right at a guard
// page, the last columns read the last bytes, and the result is the
// reference's.
func TestYUVGatherVBMINoOverread(t *testing.T) {
	if !hasVBMI {
		t.Skip("no AVX-512 VBMI on this CPU (the AVX2 gathers run instead; TestYUVGatherLevels covers them)")
	}
	rng := rand.New(rand.NewSource(9))
	k := randomYUVCoef(rng)
	for _, w := range []int{16, 17, 63, 64, 65, 100, 127, 128, 129, 1920, 3840} {
		cw := (w + 1) / 2
		yrow, cb, cr := guardedRandomBytes(t, rng, w), guardedRandomBytes(t, rng, cw), guardedRandomBytes(t, rng, cw)
		// Every column once, a downscale's, and a 4K downscale's (two
		// windows a block), all ending at the last byte.
		for _, step := range []int{1, 3, 7} {
			var cols, ccols []int32
			for x := w - 1; x >= 0; x -= step {
				cols = append([]int32{int32(x)}, cols...)
			}
			for _, x := range cols {
				ccols = append(ccols, x/2)
			}
			n := len(cols) &^ 15
			cols, ccols = cols[len(cols)-n:], ccols[len(ccols)-n:]
			if n == 0 {
				continue
			}
			var c YUVColumns
			c.Set(cols, ccols)
			if c.blocks == nil {
				t.Fatalf("width %d step %d: no block plan", w, step)
			}
			R, G, B := make([]uint8, n), make([]uint8, n), make([]uint8, n)
			wR, wG, wB := make([]uint8, n), make([]uint8, n), make([]uint8, n)
			if got := yuvGatherBlocks(isaAVX512, R, G, B, yrow, cb, cr, &c, k); got != n {
				t.Fatalf("width %d step %d: the blocks converted %d of %d columns", w, step, got, n)
			}
			yuvGatherGo(wR, wG, wB, yrow, cb, cr, cols, ccols, k)
			if string(R) != string(wR) || string(G) != string(wG) || string(B) != string(wB) {
				t.Fatalf("width %d step %d: differs from the reference", w, step)
			}
		}
	}
}

// TestYUVGatherVBMISpans: one block whose 16 columns span s bytes and end
// at the last byte of the row, for every s the plan accepts (one window
// up to 64, two up to 128), luma and chroma each: the masked loads must
// cover the block and stop at the row's end whatever the span.
func TestYUVGatherVBMISpans(t *testing.T) {
	if !hasVBMI {
		t.Skip("no AVX-512 VBMI on this CPU")
	}
	rng := rand.New(rand.NewSource(10))
	k := randomYUVCoef(rng)
	const w, cw = 300, 150
	yrow, cb, cr := guardedRandomBytes(t, rng, w), guardedRandomBytes(t, rng, cw), guardedRandomBytes(t, rng, cw)
	spread := func(end, s int) []int32 { // 16 ascending columns over [end-s, end)
		c := make([]int32, 16)
		for j := range c {
			c[j] = int32(end - s + j*(s-1)/15)
		}
		return c
	}
	for s := 1; s <= 129; s++ {
		for _, which := range []string{"luma", "chroma"} {
			cols, ccols := spread(w, s), spread(cw, s)
			if which == "luma" {
				ccols = spread(cw, 16)
			} else {
				cols = spread(w, 16)
			}
			var c YUVColumns
			c.Set(cols, ccols)
			if (c.blocks != nil) != (s <= 128) || c.wide != (s > 64 && s <= 128) { // c[15]-c[0] = s-1
				t.Fatalf("%s span %d: block plan %v, wide %v", which, s, c.blocks != nil, c.wide)
			}
			if c.blocks == nil {
				continue
			}
			R, G, B := make([]uint8, 16), make([]uint8, 16), make([]uint8, 16)
			wR, wG, wB := make([]uint8, 16), make([]uint8, 16), make([]uint8, 16)
			if got := yuvGatherBlocks(isaAVX512, R, G, B, yrow, cb, cr, &c, k); got != 16 {
				t.Fatalf("%s span %d: the blocks converted %d columns", which, s, got)
			}
			yuvGatherGo(wR, wG, wB, yrow, cb, cr, cols, ccols, k)
			if string(R) != string(wR) || string(G) != string(wG) || string(B) != string(wB) {
				t.Fatalf("%s span %d: differs from the reference", which, s)
			}
		}
	}
}

// TestYUVGatherWithoutVBMI: at the AVX-512 level on a CPU without VBMI
// (Skylake-X) the AVX2 gathers convert everything.
func TestYUVGatherWithoutVBMI(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	defer func(v bool) { hasVBMI = v }(hasVBMI)
	hasVBMI = false
	rng := rand.New(rand.NewSource(11))
	k := randomYUVCoef(rng)
	yrow, cb, cr := make([]uint8, 300), make([]uint8, 150), make([]uint8, 150)
	for _, p := range [][]uint8{yrow, cb, cr} {
		for i := range p {
			p[i] = uint8(rng.Intn(256))
		}
	}
	var cols, ccols []int32
	for x := 0; x < 290; x += 1 + rng.Intn(2) {
		cols, ccols = append(cols, int32(x)), append(ccols, int32(x/2))
	}
	n := len(cols)
	var c YUVColumns
	c.Set(cols, ccols)
	R, G, B := make([]uint8, n), make([]uint8, n), make([]uint8, n)
	wR, wG, wB := make([]uint8, n), make([]uint8, n), make([]uint8, n)
	if yuvGatherBlocks(isaAVX512, R, G, B, yrow, cb, cr, &c, k) != 0 {
		t.Fatal("the byte-permute blocks ran without VBMI")
	}
	yuvGatherAt(isaAVX512, R, G, B, yrow, cb, cr, &c, k)
	yuvGatherGo(wR, wG, wB, yrow, cb, cr, cols, ccols, k)
	if string(R) != string(wR) || string(G) != string(wG) || string(B) != string(wB) {
		t.Fatal("differs from the reference")
	}
}
