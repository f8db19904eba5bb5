//go:build purego || !amd64

package kernels

// Only amd64 has a multi-row MaxPairsRows; elsewhere it is the Go loop.
func maxPairsRowsArch(l isa, dst []float32, ldd int, src []float32, lds, rows, n int) int {
	return 0
}
