//go:build purego || !amd64

package kernels

// Only amd64 (AVX-512) runs MaxPairsRows' tail windows in vector code;
// elsewhere maxPairsRowsArch does the pairs and Go the tail.
func maxPairsRowsTailArch(l isa, dst []float32, ldd int, src []float32, lds, rows, n, tail int) bool {
	return false
}
