//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// idctSTBAVX2 is IDCT8x8STB with AVX2 (idct_amd64.s): dst must hold rows
// 0..7 of 8 bytes at the given stride.
//
//go:noescape
func idctSTBAVX2(dst *byte, stride int, b *[64]int32)

var idctAVX2Usable = cpu.X86.HasAVX2
