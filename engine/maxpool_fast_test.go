package engine

import (
	"fmt"
	"testing"
)

// TestFastMaxpoolClipped covers stride-1-across maps where most outputs
// have clipped windows and the reference's 8-wide blocks cover little or
// nothing (CSPPeleeNet-EFM's 10x10 size-3 pool, SPP-style size 5/9/13 on
// small maps, padding beyond the window, a window wider than the row,
// stride 1 across with a larger stride down), bit for bit.
func TestFastMaxpoolClipped(t *testing.T) {
	for _, tc := range []struct{ c, h, w, size, sx, sy, pad int }{
		{4, 10, 10, 3, 1, 1, 2}, {3, 10, 10, 5, 1, 1, 4}, {2, 13, 13, 13, 1, 1, 12}, {3, 6, 6, 9, 1, 1, 8},
		{2, 7, 18, 3, 1, 1, 2}, {2, 5, 19, 5, 1, 1, 4}, {3, 9, 11, 3, 1, 1, 9}, {2, 4, 3, 5, 1, 1, 2},
		{3, 11, 12, 3, 1, 2, 2}, {2, 9, 21, 4, 1, 3, 5}, {1, 3, 2, 2, 1, 1, 0}, {2, 12, 25, 3, 1, 1, 0},
		{2, 9, 40, 3, 1, 1, 9}, {2, 9, 36, 3, 1, 1, 11}, {1, 6, 50, 2, 1, 1, 7},
	} {
		t.Run(fmt.Sprintf("%dx%dx%d_k%d_s%dx%d_p%d", tc.c, tc.h, tc.w, tc.size, tc.sx, tc.sy, tc.pad), func(t *testing.T) {
			fastVsRef(t, netText(tc.c, tc.h, tc.w)+fmt.Sprintf("[maxpool]\nsize=%d\nstride_x=%d\nstride_y=%d\npadding=%d\n",
				tc.size, tc.sx, tc.sy, tc.pad), true)
		})
	}
}
