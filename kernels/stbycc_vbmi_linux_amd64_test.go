//go:build !purego

package kernels

import (
	"math/rand"
	"testing"
)

// TestSTBGatherVBMINoOverread: the byte-permute blocks load 64 bytes of
// each row at a time; at the end of a photo's planes the bytes past them
// are masked off and never touched. Rows end right at a guard page (as
// in TestYUVGatherVBMINoOverread), the last outputs read the last bytes,
// and the result is the reference's.
func TestSTBGatherVBMINoOverread(t *testing.T) {
	if !hasVBMI {
		t.Skip("no AVX-512 VBMI on this CPU (the AVX2 gathers run instead; TestSTBGatherLevels covers them)")
	}
	rng := rand.New(rand.NewSource(9))
	for _, w := range []int{16, 17, 63, 64, 65, 100, 127, 128, 129, 1920, 4032} {
		cw := (w + 1) / 2
		yrow := guardedRandomBytes(t, rng, w)
		var planes [4][]uint8
		for i := range planes {
			planes[i] = guardedRandomBytes(t, rng, cw)
		}
		// Every column once, and a downscale's pairs, both ending at the
		// last byte, with 4:2:0's taps.
		for _, step := range []int{1, 3, 7} { // 7: two windows a row
			var cols []int32
			for x := w - 1; x >= 0; x -= step {
				cols = append([]int32{int32(x)}, cols...)
			}
			n := len(cols) &^ 15
			cols = cols[len(cols)-n:]
			if n == 0 {
				continue
			}
			i0, i1, h0, h1 := make([]int32, n), make([]int32, n), make([]int32, n), make([]int32, n)
			for j, x := range cols {
				i0[j], i1[j], h0[j], h1[j] = x/2, min(x/2+1, int32(cw-1)), 3, 1
			}
			v := STBChroma{V0: 3, V1: 1, Rnd: 8, Shift: 4}
			var c STBColumns
			c.Set(cols, i0, i1, h0, h1)
			if c.blocks == nil {
				t.Fatalf("w %d step %d: no block plan", w, step)
			}
			R, G, B := make([]uint8, n), make([]uint8, n), make([]uint8, n)
			wR, wG, wB := make([]uint8, n), make([]uint8, n), make([]uint8, n)
			stbGatherGo(wR, wG, wB, yrow, planes[0], planes[1], planes[2], planes[3], cols, i0, i1, h0, h1, &v)
			if done := stbGatherBlocks(isaAVX512, R, G, B, yrow, planes[0], planes[1], planes[2], planes[3], &c, &v, cw); done != n {
				t.Fatalf("w %d: blocks did %d of %d", w, done, n)
			}
			if string(R) != string(wR) || string(G) != string(wG) || string(B) != string(wB) {
				t.Fatalf("w %d step %d: differs from the reference", w, step)
			}
		}
	}
}

// TestSTBGatherWithoutVBMI: at the AVX-512 level on a CPU without VBMI
// (Skylake-X) the AVX2 gathers convert everything.
func TestSTBGatherWithoutVBMI(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	defer func(v bool) { hasVBMI = v }(hasVBMI)
	hasVBMI = false
	rng := rand.New(rand.NewSource(11))
	yrow := randomRow(rng, 300)
	planes := [4][]uint8{randomRow(rng, 150), randomRow(rng, 150), randomRow(rng, 150), randomRow(rng, 150)}
	var cols, i0, i1, h0, h1 []int32
	for x := int32(0); x < 290; x += 1 + int32(rng.Intn(2)) {
		cols, i0, i1 = append(cols, x), append(i0, x/2), append(i1, x/2+1)
		h0, h1 = append(h0, 3), append(h1, 1)
	}
	n := len(cols)
	v := STBChroma{V0: 3, V1: 1, Rnd: 8, Shift: 4}
	var c STBColumns
	c.Set(cols, i0, i1, h0, h1)
	R, G, B := make([]uint8, n), make([]uint8, n), make([]uint8, n)
	wR, wG, wB := make([]uint8, n), make([]uint8, n), make([]uint8, n)
	if stbGatherBlocks(isaAVX512, R, G, B, yrow, planes[0], planes[1], planes[2], planes[3], &c, &v, 150) != 0 {
		t.Fatal("the byte-permute blocks ran without VBMI")
	}
	stbGatherAt(isaAVX512, R, G, B, yrow, planes[0], planes[1], planes[2], planes[3], &c, &v)
	stbGatherGo(wR, wG, wB, yrow, planes[0], planes[1], planes[2], planes[3], cols, i0, i1, h0, h1, &v)
	if string(R) != string(wR) || string(G) != string(wG) || string(B) != string(wB) {
		t.Fatal("differs from the reference")
	}
}
