package jpeg

import (
	"math/rand"
	"testing"
)

// randomBlock returns dequantized coefficients shaped like real ones: a
// random number of leading zig-zag positions filled (often only the DC, or
// only the first row), with magnitudes from small to int32-overflowing.
func randomBlock(rng *rand.Rand) block {
	var b block
	n := 1 + rng.Intn(64)
	switch rng.Intn(4) {
	case 0:
		n = 1
	case 1:
		n = 1 + rng.Intn(6)
	}
	scale := []int32{4, 64, 2048, 1 << 16, 0}[rng.Intn(5)]
	for zig := 0; zig < n; zig++ {
		if rng.Intn(3) == 0 {
			continue
		}
		if scale == 0 { // any int32: the transforms wrap around
			b[unzig[zig]] = int32(rng.Uint32())
		} else {
			b[unzig[zig]] = rng.Int31n(2*scale) - scale
		}
	}
	if rng.Intn(4) == 0 { // only the first row
		for i := 8; i < 64; i++ {
			b[i] = 0
		}
	}
	if rng.Intn(8) == 0 { // a DC that overflows to 0 in the row shift
		b[0] = 1 << 15 * rng.Int31n(4)
	}
	return b
}

func TestIdctFastMatchesIdct(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	n := 500000
	if testing.Short() {
		n = 100000
	}
	for i := 0; i < n; i++ {
		b := randomBlock(rng)
		want, got := b, b
		idct(&want)
		if idctFast(&got) {
			for r := 1; r < 8; r++ {
				copy(got[8*r:8*r+8], got[0:8])
			}
		}
		if got != want {
			t.Fatalf("block %v:\nidctFast %v\nidct     %v", b, got, want)
		}
	}
}

func TestStoreBlockMatchesClamp(t *testing.T) {
	for c := int32(-8192); c < 8192; c++ {
		var b block
		b[5] = c
		dst := make([]byte, 8*9)
		storeBlock(dst, 9, &b, false)
		want := c + 128
		if c < -128 {
			want = 0
		} else if c > 127 {
			want = 255
		}
		if dst[5] != uint8(want) || dst[4] != 128 || dst[6] != 128 || dst[9+5] != 128 {
			t.Fatalf("storeBlock(%d) = %d, want %d", c, dst[5], want)
		}
		storeBlock(dst, 9, &b, true)
		for y := 0; y < 8; y++ {
			if dst[9*y+5] != uint8(want) {
				t.Fatalf("flat storeBlock(%d) row %d = %d, want %d", c, y, dst[9*y+5], want)
			}
		}
	}
}
