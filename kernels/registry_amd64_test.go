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
