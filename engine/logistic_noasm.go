//go:build purego || !amd64

package engine

// logisticSlice sets dst[i] = logisticFast(src[i]) (dst may be src).
func logisticSlice(dst, src []float32) { logisticGo(dst, src[:len(dst)]) }
