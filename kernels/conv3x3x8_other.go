//go:build purego || !amd64

package kernels

// Only amd64 has a fused 8-filter Conv3x3 tile (AVX-512); elsewhere
// Conv3x3x8 is two Conv3x3 calls.
func conv3x3x8Arch(l isa, out []float32, ldo int, in []float32, chs int, taps *[9]int, w0, w1 []float32, nch, n int, bias []float32, flags int) bool {
	return false
}
