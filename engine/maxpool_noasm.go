//go:build purego || !amd64

package engine

func maxInto(dst, x []float32) { maxIntoGo(dst, x[:len(dst)]) }

func maxPairs(dst, r0, r1 []float32) { maxPairsGo(dst, r0[:2*len(dst)], r1[:2*len(dst)]) }
