package engine

import "testing"

// TestValidRange checks validRange against the definition by brute force.
func TestValidRange(t *testing.T) {
	for d := -7; d <= 7; d++ {
		for stride := 1; stride <= 4; stride++ {
			for size := 1; size <= 9; size++ {
				for n := 0; n <= 9; n++ {
					lo, hi := validRange(d, stride, size, n)
					for o := 0; o < n; o++ {
						in := o*stride + d
						want := in >= 0 && in < size
						if got := o >= lo && o < hi; got != want {
							t.Fatalf("d=%d stride=%d size=%d n=%d: o=%d in range %v, want %v (lo=%d hi=%d)", d, stride, size, n, o, got, want, lo, hi)
						}
					}
				}
			}
		}
	}
}
