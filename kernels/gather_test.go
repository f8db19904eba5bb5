package kernels

import "testing"

// TestGatherRowStrides checks gatherRow against the plain definition
// (dst[i] = srow[xs+i*stride] inside the row, 0 outside) for every start
// and length over short rows, so the unrolled stride-2 path meets its
// tails and both padded borders.
func TestGatherRowStrides(t *testing.T) {
	for width := 1; width <= 19; width++ {
		srow := make([]float32, width)
		for i := range srow {
			srow[i] = float32(i + 1)
		}
		for stride := 1; stride <= 3; stride++ {
			for xs := -5; xs <= width+2; xs++ {
				for n := 0; n <= 14; n++ {
					dst := make([]float32, n)
					for i := range dst {
						dst[i] = -1
					}
					gatherRow(dst, srow, xs, stride)
					for i, got := range dst {
						want := float32(0)
						if x := xs + i*stride; x >= 0 && x < width {
							want = srow[x]
						}
						if got != want {
							t.Fatalf("width %d stride %d xs %d n %d: dst[%d] = %v, want %v", width, stride, xs, n, i, got, want)
						}
					}
				}
			}
		}
	}
}
