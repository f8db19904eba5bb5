//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// idctSTBAVX2 is IDCT8x8STB with AVX2 (idct_amd64.s): dst must hold rows
// 0..7 of 8 bytes at the given stride.
//
//go:noescape
func idctSTBAVX2(dst *byte, stride int, b *[64]int32)

var idctAVX2Usable = cpu.X86.HasAVX2

// idctArch runs the AVX2 IDCT at level avx2 (the only amd64 level the
// operation has: avx512 falls back to it).
func idctArch(l isa, dst *byte, stride int, b *[64]int32) bool {
	if !idctAVX2Usable || l != isaAVX2 {
		return false
	}
	idctSTBAVX2(dst, stride, b)
	return true
}
