//go:build !purego

package kernels

import (
	"math/rand"
	"testing"
)

// TestSTBGatherNEONNoOverread: NEON's blocks load 64 bytes of each row
// with no mask, so only blocks whose loads end within the rows run and the
// Go code takes the rest. Rows end right at a guard page; the columns run
// to the last byte; blocks that end exactly at a row's end run; the result
// is the reference's.
func TestSTBGatherNEONNoOverread(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	ran := 0
	for _, w := range []int{16, 63, 64, 65, 127, 128, 129, 130, 200, 255, 256, 257, 1920, 4032} {
		cw := (w + 1) / 2
		yrow := guardedRandomBytes(t, rng, w)
		var planes [4][]uint8
		for i := range planes {
			planes[i] = guardedRandomBytes(t, rng, cw)
		}
		for _, step := range []int{1, 2, 3, 7} { // 7: two windows a row
			var cols []int32
			for x := 0; x < w; x += step {
				cols = append(cols, int32(x))
			}
			n := len(cols)
			i0, i1, h0, h1 := make([]int32, n), make([]int32, n), make([]int32, n), make([]int32, n)
			for j, x := range cols {
				i0[j], i1[j], h0[j], h1[j] = x/2, min(x/2+1, int32(cw-1)), 3, 1
			}
			v := STBChroma{V0: 3, V1: 1, Rnd: 8, Shift: 4}
			var c STBColumns
			c.Set(cols, i0, i1, h0, h1)
			// The blocks that fit: base + 64 within each row.
			want := 0
			window := 64
			if c.wide {
				window = 128
			}
			for b := 0; b+16 <= n && c.blocks != nil; b += 16 {
				if int(cols[b])+window > w || int(min(i0[b], i1[b]))+window > cw {
					break
				}
				want += 16
			}
			R, G, B := make([]uint8, n), make([]uint8, n), make([]uint8, n)
			if done := stbGatherBlocks(isaNEON, R, G, B, yrow, planes[0], planes[1], planes[2], planes[3], &c, &v, cw); done != want {
				t.Fatalf("w %d step %d: blocks did %d, want %d", w, step, done, want)
			}
			ran += want
			wR, wG, wB := make([]uint8, n), make([]uint8, n), make([]uint8, n)
			stbGatherGo(wR, wG, wB, yrow, planes[0], planes[1], planes[2], planes[3], cols, i0, i1, h0, h1, &v)
			stbGatherAt(isaNEON, R, G, B, yrow, planes[0], planes[1], planes[2], planes[3], &c, &v)
			if string(R) != string(wR) || string(G) != string(wG) || string(B) != string(wB) {
				t.Fatalf("w %d step %d: differs from the reference", w, step)
			}
		}
	}
	if ran == 0 {
		t.Fatal("no block ran")
	}
}
