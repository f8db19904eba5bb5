//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// amd64 packing and gathering (pack_amd64.s): the stride-2 convolutions'
// on-the-fly im2col and the avx512 kernel's B panels; part of the "sgemm"
// operation, at its level.

// gatherStride2AVX2 and gatherStride2AVX512 set dst[i] = src[2i] for
// i < n (n a multiple of 4), reading src[0:2n].
//
//go:noescape
func gatherStride2AVX2(dst, src *float32, n int)

//go:noescape
func gatherStride2AVX512(dst, src *float32, n int)

// packRow48AVX512 copies the n consecutive 48-float pieces of row to dst,
// dst+stride, dst+2·stride, ... (the avx512 kernel's B panels).
//
//go:noescape
func packRow48AVX512(dst, row *float32, n, stride int)

// gatherStride2AMD64 runs the active level's version.
func gatherStride2AMD64(dst, src *float32, n int) {
	if level(opSgemm) == isaAVX512 {
		gatherStride2AVX512(dst, src, n)
	} else {
		gatherStride2AVX2(dst, src, n)
	}
}

func init() {
	if cpu.X86.HasAVX2 {
		gatherStride2Fast = gatherStride2AMD64
	}
	if hasAVX512 {
		packRow48Fast = packRow48AVX512
	}
}
