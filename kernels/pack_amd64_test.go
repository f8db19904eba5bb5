//go:build !purego

package kernels

import (
	"math/rand/v2"
	"testing"
)

// TestGatherStride2AMD64: both vector gathers against dst[i] = src[2i] for
// every multiple of 4 up to a few vectors, unaligned, with guards (src is
// read to 2n exactly, dst written to n exactly).
func TestGatherStride2AMD64(t *testing.T) {
	fns := map[string]func(dst, src *float32, n int){}
	if lookup("avx2").available {
		fns["avx2"] = gatherStride2AVX2
	}
	if lookup("avx512").available {
		fns["avx512"] = gatherStride2AVX512
	}
	r := rand.New(rand.NewPCG(4, 4))
	for name, f := range fns {
		for n := 4; n <= 76; n += 4 {
			src := newBuffer(r, 2*n, r.IntN(8), true)
			dst := newBuffer(r, n, r.IntN(8), false)
			src.snapshot()
			f(&dst.data()[0], &src.data()[0], n)
			dst.checkGuards(t, name)
			src.checkUntouched(t, name)
			for i := 0; i < n; i++ {
				if !sameBits(dst.data()[i], src.data()[2*i]) {
					t.Fatalf("%s n=%d: dst[%d] = %v, want src[%d] = %v", name, n, i, dst.data()[i], 2*i, src.data()[2*i])
				}
			}
		}
	}
}
