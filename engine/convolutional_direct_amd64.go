//go:build !purego

package engine

import "golang.org/x/sys/cpu"

//go:noescape
func conv3x3Direct(out *float32, ldo int, in *float32, wp, chs, nch int, w, bias *float32, acc int)

var haveConvDirect = cpu.X86.HasAVX2 && cpu.X86.HasFMA
