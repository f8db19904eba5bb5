package preprocess

import "image"

// This file turns the Y, Cb, Cr planes Go's JPEG decoder returns into RGB
// the way stb_image (Darknet's image loader) does, because Go's own
// conversion differs in two ways that matter for Darknet-identical input:
//
//  1. Go reads subsampled chroma nearest-neighbour; stb_image upsamples it
//     with the "fancy" (JFIF-centred, triangle) filter: each output sample is
//     3/4 of the nearest chroma sample plus 1/4 of the next one on the
//     output's side, in integers with +2 (or +8 for 2×2) rounding. On
//     data/dog.jpg (4:4:0) nearest-neighbour chroma alone is off by up to 34
//     levels.
//  2. stb_image converts YCbCr to RGB in 12-bit fixed point with a
//     truncated Cb term for green; Go uses 16-bit coefficients.
//
// What remains different is the IDCT (Go's and stb_image's round
// differently), which is below this file: see the package documentation for
// the measured effect.

// stb_image's stbi__float2fixed(x) = (int)(x*4096.0f + 0.5f) << 8 for the
// four conversion coefficients (checked in TestSTBCoefficients).
const (
	stbCrR = 5743 << 8 // 1.40200
	stbCrG = 2925 << 8 // 0.71414
	stbCbG = 1410 << 8 // 0.34414
	stbCbB = 7258 << 8 // 1.77200
)

// stbYCbCrToRGB is stb_image's stbi__YCbCr_to_RGB_row for one pixel. Its
// SIMD variant is written to give the same results.
func stbYCbCrToRGB(y, cb, cr uint8) (uint8, uint8, uint8) {
	yf := int32(y)<<20 + 1<<19
	icr := int32(cr) - 128
	icb := int32(cb) - 128
	r := (yf + icr*stbCrR) >> 20
	// The green Cb product is masked to its high 16 bits, as in stb_image
	// (C does the & on the unsigned representation; same bits here).
	g := (yf - icr*stbCrG + int32(uint32(-icb*stbCbG)&0xffff0000)) >> 20
	b := (yf + icb*stbCbB) >> 20
	return clamp8(r), clamp8(g), clamp8(b)
}

func clamp8(v int32) uint8 {
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

// ycbcrToRGB8 writes m as interleaved RGB into pix (len 3*Dx*Dy).
func ycbcrToRGB8(m *image.YCbCr, pix []uint8) {
	w := m.Rect.Dx()
	upsampleRows(m, func(y int, yrow, cb, cr []uint8) {
		out := pix[3*w*y : 3*w*(y+1)]
		for x := 0; x < w; x++ {
			out[3*x], out[3*x+1], out[3*x+2] = stbYCbCrToRGB(yrow[x], cb[x], cr[x])
		}
	})
}

// upsampleRows calls row for each row y (0-based) of m with the first
// plane's row and the second and third planes upsampled to full width the
// way stb_image does: its "fancy" filters for 2× (stbi__resample_row_h_2,
// _v_2, _hv_2), nearest for 4× horizontal (stbi__resample_row_generic).
// The slices are only valid during the call.
func upsampleRows(m *image.YCbCr, row func(y int, yrow, cb, cr []uint8)) {
	b := m.Rect
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 {
		return
	}
	hs, vs := subsampling(m.SubsampleRatio)
	// Chroma sample (cx, cy) covers luma columns [hs*cx, hs*cx+hs) in the
	// coordinates of m.Rect, as in image.YCbCr.COffset. The first and last
	// chroma column/row present in this image:
	cx0, cx1 := floorDiv(b.Min.X, hs), floorDiv(b.Max.X-1, hs)
	cy0, cy1 := floorDiv(b.Min.Y, vs), floorDiv(b.Max.Y-1, vs)
	cw := cx1 - cx0 + 1

	cb := make([]uint8, w)
	cr := make([]uint8, w)
	var tb, tr []int32
	if hs == 2 && vs == 2 {
		tb = make([]int32, cw)
		tr = make([]int32, cw)
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		yrow := m.Y[(y-b.Min.Y)*m.YStride:]
		// stb_image's vertical choice: the nearest chroma row, and the
		// neighbour on this output row's side (clamped at the edges).
		near := floorDiv(y, vs)
		far := near
		if vs == 2 {
			if y&1 == 1 {
				far = near + 1
			} else {
				far = near - 1
			}
			far = min(max(far, cy0), cy1)
		}
		nrow := (near - cy0) * m.CStride
		frow := (far - cy0) * m.CStride
		switch {
		case hs == 1 && vs == 1, hs == 4: // stb: copy, or nearest ("generic")
			for x := 0; x < w; x++ {
				i := nrow + floorDiv(b.Min.X+x, hs) - cx0
				cb[x], cr[x] = m.Cb[i], m.Cr[i]
			}
		case hs == 1 && vs == 2: // stbi__resample_row_v_2
			for x := 0; x < w; x++ {
				cb[x] = uint8((3*int(m.Cb[nrow+x]) + int(m.Cb[frow+x]) + 2) >> 2)
				cr[x] = uint8((3*int(m.Cr[nrow+x]) + int(m.Cr[frow+x]) + 2) >> 2)
			}
		case hs == 2 && vs == 1: // stbi__resample_row_h_2
			resampleH2(cb, m.Cb[nrow:nrow+cw], b.Min.X-2*cx0)
			resampleH2(cr, m.Cr[nrow:nrow+cw], b.Min.X-2*cx0)
		default: // 2×2: stbi__resample_row_hv_2
			for i := 0; i < cw; i++ {
				tb[i] = 3*int32(m.Cb[nrow+i]) + int32(m.Cb[frow+i])
				tr[i] = 3*int32(m.Cr[nrow+i]) + int32(m.Cr[frow+i])
			}
			resampleHV2(cb, tb, b.Min.X-2*cx0)
			resampleHV2(cr, tr, b.Min.X-2*cx0)
		}
		row(y-b.Min.Y, yrow[:w], cb, cr)
	}
}

// resampleH2 fills out with the horizontal 2× upsampling of in, as
// stbi__resample_row_h_2 does; out[x] is output column x0+x, where column 0
// is the left half of in[0].
func resampleH2(out, in []uint8, x0 int) {
	n := len(in)
	for x := range out {
		p := x0 + x
		i := p >> 1
		if n == 1 {
			out[x] = in[0]
			continue
		}
		var v int
		switch {
		case p == 0:
			v = int(in[0])
		case p == 2*n-1:
			v = int(in[n-1])
		case p == 2*(n-1):
			// stb_image weights the last even sample 3:1 towards its left
			// neighbour (in[w-2]*3 + in[w-1]); kept for identical output.
			v = (3*int(in[n-2]) + int(in[n-1]) + 2) >> 2
		case p&1 == 1:
			v = (3*int(in[i]) + int(in[i+1]) + 2) >> 2
		default:
			v = (3*int(in[i]) + int(in[i-1]) + 2) >> 2
		}
		out[x] = uint8(v)
	}
}

// resampleHV2 is the horizontal half of stbi__resample_row_hv_2: t holds
// 3*near+far per chroma column (the vertical step, 4× scaled).
func resampleHV2(out []uint8, t []int32, x0 int) {
	n := len(t)
	for x := range out {
		p := x0 + x
		i := p >> 1
		var v int32
		switch {
		case p == 0:
			v = (t[0] + 2) >> 2
		case p == 2*n-1:
			v = (t[n-1] + 2) >> 2
		case p&1 == 1:
			v = (3*t[i] + t[i+1] + 8) >> 4
		default:
			v = (3*t[i] + t[i-1] + 8) >> 4
		}
		out[x] = uint8(v)
	}
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// subsampling returns how many luma pixels one chroma sample of ratio r
// spans across and down.
func subsampling(r image.YCbCrSubsampleRatio) (hs, vs int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return 2, 1
	case image.YCbCrSubsampleRatio420:
		return 2, 2
	case image.YCbCrSubsampleRatio440:
		return 1, 2
	case image.YCbCrSubsampleRatio411:
		return 4, 1
	case image.YCbCrSubsampleRatio410:
		return 4, 2
	}
	return 1, 1
}
