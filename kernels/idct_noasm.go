//go:build purego || !amd64

package kernels

const idctAVX2Usable = false

func idctSTBAVX2(dst *byte, stride int, b *[64]int32) { panic("kernels: no AVX2 IDCT") }
