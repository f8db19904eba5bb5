//go:build !purego

package kernels

import (
	"math/rand"
	"testing"
)

// TestIDCT8x8STBAVX2: the AVX2 IDCT writes exactly idctSTBGo's bytes, into
// a strided destination whose other bytes stay untouched, and leaves the
// coefficients unchanged.
func TestIDCT8x8STBAVX2(t *testing.T) {
	if !idctAVX2Usable {
		t.Skip("no AVX2 IDCT on this machine/build")
	}
	rng := rand.New(rand.NewSource(1))
	n := 400000
	if testing.Short() {
		n = 50000
	}
	for i := 0; i < n; i++ {
		b := randomCoefficients(rng)
		stride := 8 + rng.Intn(9)
		want := make([]byte, 7*stride+8)
		got := make([]byte, 7*stride+8)
		for j := range got {
			got[j], want[j] = byte(j*7), byte(j*7)
		}
		in := b
		idctSTBGo(want, stride, &in)
		idctSTBAVX2(&got[0], stride, &in)
		if in != b {
			t.Fatalf("coefficients changed")
		}
		if string(got) != string(want) {
			t.Fatalf("block %v, stride %d:\nAVX2 %v\nGo   %v", b, stride, got, want)
		}
	}
}
