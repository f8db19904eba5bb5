//go:build !purego

package engine

import "golang.org/x/sys/cpu"

//go:noescape
func convTaps9(out *float32, ldo int, in *float32, taps *int, chs, nch int, w *float32, flags int, bias *float32)

var haveConvDirect = cpu.X86.HasAVX2 && cpu.X86.HasFMA
