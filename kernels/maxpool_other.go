//go:build purego || !(amd64 || arm64)

package kernels

// Only amd64 and arm64 have a multi-row MaxPairsRows; elsewhere it is the
// per-row loop.
func maxPairsRowsArch(l isa, dst []float32, ldd int, src []float32, lds, rows, n int) int {
	return 0
}
