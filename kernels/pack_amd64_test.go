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

// TestPackRow48AVX512 against the Go copy: n pieces to a strided panel
// layout, with guards between the panels' rows.
func TestPackRow48AVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512")
	}
	r := rand.New(rand.NewPCG(8, 1))
	for n := 1; n <= 5; n++ {
		for _, stride := range []int{48, 53, 48 * 7} {
			row := newBuffer(r, 48*n, r.IntN(8), true)
			got := newBuffer(r, (n-1)*stride+48, r.IntN(8), false)
			want := append([]float32(nil), got.data()...)
			row.snapshot()
			packRow48AVX512(&got.data()[0], &row.data()[0], n, stride)
			got.checkGuards(t, "packRow48AVX512")
			row.checkUntouched(t, "packRow48AVX512")
			for p := 0; p < n; p++ {
				copy(want[p*stride:p*stride+48], row.data()[p*48:])
			}
			for i := range want {
				if !sameBits(got.data()[i], want[i]) {
					t.Fatalf("n=%d stride=%d: dst[%d] = %v, want %v", n, stride, i, got.data()[i], want[i])
				}
			}
		}
	}
}
