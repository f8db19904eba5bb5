//go:build !purego

package engine

import "golang.org/x/sys/cpu"

//go:noescape
func winoBAVX2(src, dst *[6]*float32, n int)

//go:noescape
func winoAAVX2(src *[6]*float32, dst *[4]*float32, n int)

var haveWinoAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func winoGatherAVX2(row *float32, q *[6]*float32, n int)

//go:noescape
func winoScatterAVX2(y *[4]*float32, dst *float32, n int)
