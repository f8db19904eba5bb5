//go:build purego || !amd64

package engine

// Without the assembly tile every convolution takes the GEMM path.
const haveConvDirect = false

func convTaps9(out *float32, ldo int, in *float32, taps *int, chs, nch int, w *float32, flags int, bias *float32) {
	panic("engine: convTaps9 without assembly")
}
