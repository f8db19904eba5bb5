package preprocess

import (
	"image"

	ijpeg "github.com/darkgo/darkgo/engine/preprocess/internal/jpeg"
)

// This file converts JPEGs whose sampling factors fit no image.YCbCr
// layout (3×1, 1×4, Cb and Cr sampled differently, chroma finer than luma,
// ...): stb_image decodes them, so darkgo does too, by stb_image's own
// per-component resampling (load_jpeg_image's stbi__resample loop) rather
// than the layout-based upsampleRows. Encoders rarely write such files;
// the fixtures do (tools/stbdump/mkfixtures.sh).

// stbResampler is stb_image's stbi__resample state for one component.
type stbResampler struct {
	c      ijpeg.Component
	hs, vs int // expansion factors
	wLores int // component samples per row that the image covers
	rows   int // component rows that the image covers
	ystep  int
	ypos   int
	line0  int // row index of stb's line0 and line1
	line1  int
	out    []uint8 // the upsampled row
	tmp    []int32 // 3*near+far for the 2×2 filter
}

func newSTBResampler(c ijpeg.Component, p *ijpeg.Planes) *stbResampler {
	r := &stbResampler{c: c, hs: p.HMax / c.H, vs: p.VMax / c.V}
	r.ystep = r.vs >> 1
	r.wLores = (p.Width + r.hs - 1) / r.hs
	r.rows = (p.Height*c.V + p.VMax - 1) / p.VMax
	r.out = make([]uint8, r.wLores*r.hs)
	r.tmp = make([]int32, r.wLores)
	return r
}

// next returns the component upsampled for the next output row (at least
// Width samples), as stb_image's resample callbacks: copy (1×1),
// stbi__resample_row_v_2, _h_2, _hv_2, or nearest (generic).
func (r *stbResampler) next() []uint8 {
	yBot := r.ystep >= r.vs>>1
	nearRow, farRow := r.line0, r.line1
	if yBot {
		nearRow, farRow = r.line1, r.line0
	}
	near := r.c.Pix[nearRow*r.c.Stride : nearRow*r.c.Stride+r.wLores]
	far := r.c.Pix[farRow*r.c.Stride : farRow*r.c.Stride+r.wLores]
	var out []uint8
	switch {
	case r.hs == 1 && r.vs == 1:
		out = near
	case r.hs == 1 && r.vs == 2:
		out = r.out
		for i := range near {
			out[i] = uint8((3*int(near[i]) + int(far[i]) + 2) >> 2)
		}
	case r.hs == 2 && r.vs == 1:
		out = r.out
		resampleH2(out, near, 0)
	case r.hs == 2 && r.vs == 2:
		out = r.out
		for i := range near {
			r.tmp[i] = 3*int32(near[i]) + int32(far[i])
		}
		resampleHV2(out, r.tmp, 0)
	default:
		out = r.out
		for i, v := range near {
			for j := 0; j < r.hs; j++ {
				out[i*r.hs+j] = v
			}
		}
	}
	r.ystep++
	if r.ystep >= r.vs {
		r.ystep = 0
		r.line0 = r.line1
		r.ypos++
		if r.ypos < r.rows {
			r.line1++
		}
	}
	return out
}

// jpegComponentsToRGBA converts p.Components to opaque RGBA as stb_image
// does: each component resampled to full resolution (stbResampler), then
// convertJPEGRow.
func jpegComponentsToRGBA(p *ijpeg.Planes) *image.RGBA {
	w, h := p.Width, p.Height
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rs := make([]*stbResampler, len(p.Components))
	for i, c := range p.Components {
		rs[i] = newSTBResampler(c, p)
	}
	rows := make([][]uint8, 4)
	for y := 0; y < h; y++ {
		for i, r := range rs {
			rows[i] = r.next()[:w]
		}
		out := img.Pix[y*img.Stride : y*img.Stride+4*w]
		k := rows[min(3, len(rs)-1)]
		convertJPEGRow(p.Transform, out, rows[0], rows[1], rows[2], k)
	}
	return img
}
