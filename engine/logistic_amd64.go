//go:build !purego

package engine

import "golang.org/x/sys/cpu"

//go:noescape
func logisticAVX2(dst, src *float32, n int, table *float64) int

var haveLogisticAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// logisticSlice sets dst[i] = logisticFast(src[i]) (dst may be src).
func logisticSlice(dst, src []float32) {
	src = src[:len(dst)]
	for len(dst) >= 8 && haveLogisticAVX2 {
		k := logisticAVX2(&dst[0], &src[0], len(dst)&^7, &exp2by64[0])
		dst, src = dst[k:], src[k:]
		if len(dst) >= 8 {
			// A group the vector code leaves to the scalar path.
			logisticGo(dst[:8], src[:8])
			dst, src = dst[8:], src[8:]
		}
	}
	logisticGo(dst, src)
}
