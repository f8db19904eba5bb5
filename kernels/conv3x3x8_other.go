//go:build purego || !(amd64 || arm64)

package kernels

// Only amd64 (AVX-512) and arm64 (NEON) have a fused 8-filter Conv3x3
// tile; elsewhere Conv3x3x8 is two Conv3x3 calls.
func conv3x3x8Arch(l isa, out []float32, ldo int, in []float32, chs int, taps *[9]int, w0, w1 []float32, nch, n int, bias []float32, flags int) bool {
	return false
}
