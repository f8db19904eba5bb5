package preprocess

import (
	"math"
	"math/rand"
	"testing"
)

// refResize is resize_image written directly from its definition in
// float64: corner-aligned bilinear, x first. Row h-1 uses only row iy
// (Darknet's last output row), and column w-1 the last input column.
func refResize(im *Image, w, h int) []float64 {
	out := make([]float64, im.C*w*h)
	ws, hs := 0.0, 0.0
	if w > 1 {
		ws = float64(im.W-1) / float64(w-1)
	}
	if h > 1 {
		hs = float64(im.H-1) / float64(h-1)
	}
	px := func(k, x, y int) float64 { return float64(im.Data[(k*im.H+y)*im.W+x]) }
	horiz := func(k, c, y int) float64 {
		if c == w-1 || im.W == 1 {
			return px(k, im.W-1, y)
		}
		sx := float64(c) * ws
		ix := int(sx)
		dx := sx - float64(ix)
		return (1-dx)*px(k, ix, y) + dx*px(k, ix+1, y)
	}
	for k := 0; k < im.C; k++ {
		for r := 0; r < h; r++ {
			sy := float64(r) * hs
			iy := int(sy)
			dy := sy - float64(iy)
			for c := 0; c < w; c++ {
				v := (1 - dy) * horiz(k, c, iy)
				if r != h-1 && im.H != 1 {
					v += dy * horiz(k, c, iy+1)
				}
				out[(k*h+r)*w+c] = v
			}
		}
	}
	return out
}

func randImage(rng *rand.Rand, c, h, w int) *Image {
	im := NewImage(c, h, w)
	for i := range im.Data {
		im.Data[i] = byteToFloat[rng.Intn(256)]
	}
	return im
}

func TestResizeMatchesFloat64Reference(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	sizes := [][4]int{ // in w, in h, out w, out h
		{768, 576, 416, 416}, {640, 480, 320, 320}, {13, 7, 41, 29}, {41, 29, 13, 7},
		{1, 9, 5, 5}, {9, 1, 5, 5}, {5, 5, 1, 7}, {5, 5, 7, 1}, {3, 3, 3, 3}, {2, 2, 608, 608},
	}
	for _, s := range sizes {
		im := randImage(rng, 3, s[1], s[0])
		got := Resize(im, s[2], s[3])
		want := refResize(im, s[2], s[3])
		var maxd float64
		for i := range want {
			maxd = math.Max(maxd, math.Abs(float64(got.Data[i])-want[i]))
		}
		// Darknet's float32 sample position c*scale carries a relative error
		// of ~2^-24 per operation, i.e. up to ~in*2^-23 pixels absolute;
		// the interpolated value (data in [0,1]) moves by at most that much.
		// An indexing mistake would be off by ~0.3 on this random data.
		tol := 1e-6 + float64(max(s[0], s[1]))*math.Pow(2, -23)
		if maxd > tol {
			t.Errorf("%v: max diff from float64 reference %g > %g", s, maxd, tol)
		}
	}
}

func TestResizeSameSizeCopies(t *testing.T) {
	im := randImage(rand.New(rand.NewSource(1)), 3, 4, 5)
	out := Resize(im, 5, 4)
	if &out.Data[0] == &im.Data[0] {
		t.Fatal("Resize to the same size must return a copy")
	}
	for i := range im.Data {
		if out.Data[i] != im.Data[i] {
			t.Fatalf("value %d changed", i)
		}
	}
}

func TestLetterboxGeometry(t *testing.T) {
	for _, c := range []struct{ imW, imH, w, h, nw, nh int }{
		{768, 576, 416, 416, 416, 312},
		{576, 768, 416, 416, 312, 416},
		{100, 100, 416, 320, 320, 320},
		{1000, 10, 416, 416, 416, 4},
	} {
		nw, nh := LetterboxSize(c.imW, c.imH, c.w, c.h)
		if nw != c.nw || nh != c.nh {
			t.Errorf("LetterboxSize(%d,%d,%d,%d) = %d,%d want %d,%d", c.imW, c.imH, c.w, c.h, nw, nh, c.nw, c.nh)
		}
	}
	im := NewImage(3, 576, 768)
	for i := range im.Data {
		im.Data[i] = 1
	}
	lb := Letterbox(im, 416, 416)
	// Rows [52, 364) hold the image, the rest is 0.5 gray.
	for y := 0; y < 416; y++ {
		want := float32(0.5)
		if y >= 52 && y < 364 {
			want = 1
		}
		for c := 0; c < 3; c++ {
			if v := lb.Data[(c*416+y)*416+200]; v != want {
				t.Fatalf("channel %d row %d = %g, want %g", c, y, v, want)
			}
		}
	}
}

func TestNetworkInputChecks(t *testing.T) {
	img := makeTestRGBA(8, 6)
	if err := NetworkInput(make([]float32, 10), img, 4, 4, 3, false); err == nil {
		t.Error("wrong buffer size accepted")
	}
	if err := NetworkInput(make([]float32, 0), img, 0, 4, 3, false); err == nil {
		t.Error("zero width accepted")
	}
	if err := NetworkInput(make([]float32, 64), img, 4, 4, 4, false); err == nil {
		t.Error("4 channels accepted")
	}
	gray := make([]float32, 16)
	if err := NetworkInput(gray, img, 4, 4, 1, false); err != nil {
		t.Fatal(err)
	}
}

// TestScratchNoAllocs: once the buffers have grown, converting another
// image of the same size allocates nothing.
func TestScratchNoAllocs(t *testing.T) {
	img := makeTestRGBA(64, 48)
	dst := make([]float32, 3*32*32)
	var s Scratch
	for _, lb := range []bool{false, true} {
		if err := s.NetworkInput(dst, img, 32, 32, 3, lb); err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(5, func() {
			if err := s.NetworkInput(dst, img, 32, 32, 3, lb); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("letterbox=%v: %v allocations per image in steady state", lb, allocs)
		}
	}
}
