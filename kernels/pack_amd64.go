//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// amd64 gathering for the stride-2 convolutions' on-the-fly im2col
// (pack_amd64.s); part of the "sgemm" operation, at its level.

// gatherStride2AVX2 and gatherStride2AVX512 set dst[i] = src[2i] for
// i < n (n a multiple of 4), reading src[0:2n].
//
//go:noescape
func gatherStride2AVX2(dst, src *float32, n int)

//go:noescape
func gatherStride2AVX512(dst, src *float32, n int)

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
}
