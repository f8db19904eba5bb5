//go:build purego || !amd64

package engine

// Without the assembly tile every convolution takes the GEMM path.
const haveConvDirect = false

func conv3x3Direct(out *float32, ldo int, in *float32, wp, chs, nch int, w, bias *float32, acc int) {
	panic("engine: conv3x3Direct without assembly")
}
