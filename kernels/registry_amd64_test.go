//go:build !purego

package kernels

import (
	"testing"

	"golang.org/x/sys/cpu"
)

// TestAVX512Chosen pins the automatic choice on amd64: on every CPU with
// AVX-512F/BW/DQ/VL (and OS zmm support) the avx512 implementation is
// available, runs in the other tests (they loop over Implementations) and
// is what the engine gets by default; elsewhere it is unavailable and
// AVX2 (if present) is chosen.
func TestAVX512Chosen(t *testing.T) {
	want := cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512VL
	r := lookup("avx512")
	if r == nil {
		t.Fatal("avx512 not registered")
	}
	if r.available != want {
		t.Fatalf("avx512 available = %v on a CPU with AVX-512F/BW/DQ/VL = %v", r.available, want)
	}
	switch b := best().name; {
	case want && b != "avx512":
		t.Errorf("automatic choice on an AVX-512 CPU is %s, want avx512", b)
	case !want && cpu.X86.HasAVX2 && cpu.X86.HasFMA && b != "avx2":
		t.Errorf("automatic choice on an AVX2 CPU is %s, want avx2", b)
	}
}

// TestAVX512SameBitsAsAVX2: with the same K blocks (kcPanel) the AVX-512
// and AVX2 GEMMs sum every element in the same order with the same FMAs,
// so they give the same bits; the automatic switch to AVX-512 then changes
// no result. Shapes with K below, at and well above one block, through
// Sgemm and through the packed path with an epilogue.
func TestAVX512SameBitsAsAVX2(t *testing.T) {
	a2, e2 := implByName("avx2")
	a5, e5 := implByName("avx512")
	if e2 != nil || e5 != nil {
		t.Skip("needs both avx2 and avx512")
	}
	for _, s := range [][3]int{{8, 48, 27}, {37, 53, 300}, {64, 169, 1152}, {30, 100, 2304}, {255, 169, 512}, {17, 1000, 4000}} {
		m, n, k := s[0], s[1], s[2]
		a, b := randSlice(m*k, 1), randSlice(k*n, 2)
		c2, c5 := make([]float32, m*n), make([]float32, m*n)
		sgemmWith(a2, 2, false, false, m, n, k, 1, a, k, b, n, 0, c2, n)
		sgemmWith(a5, 2, false, false, m, n, k, 1, a, k, b, n, 0, c5, n)
		for i := range c2 {
			if !sameBits(c2[i], c5[i]) {
				t.Fatalf("%dx%dx%d: C[%d] = %v with avx512, %v with avx2", m, n, k, i, c5[i], c2[i])
			}
		}
		bias := randSlice(m, 3)
		ep := Epilogue{Bias: bias, Act: Leaky}
		p2, p5 := packAWith(a2, false, m, k, 1, a, k), packAWith(a5, false, m, k, 1, a, k)
		GemmPacked(p2, n, b, n, c2, n, ep, 2)
		GemmPacked(p5, n, b, n, c5, n, ep, 2)
		for i := range c2 {
			if !sameBits(c2[i], c5[i]) {
				t.Fatalf("%dx%dx%d packed: C[%d] = %v with avx512, %v with avx2", m, n, k, i, c5[i], c2[i])
			}
		}
	}
}
