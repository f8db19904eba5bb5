package jpeg

import (
	"image"
	"io"
)

// darkgo: the decoded components with stb_image's reading of what they
// hold, for the caller to convert to RGB exactly as stb_image does.

// ColorTransform says what the components of a decoded JPEG hold, decided
// as stb_image decides it (load_jpeg_image).
type ColorTransform int

const (
	// Gray: one component (Planes.Gray).
	Gray ColorTransform = iota
	// YCbCr: Y, Cb, Cr in Planes.YCbCr. Also 4-component files without an
	// Adobe transform 0 or 2: stb_image ignores their fourth component.
	YCbCr
	// RGB: R, G, B in the Y, Cb, Cr planes of Planes.YCbCr: component ids
	// 'R', 'G', 'B', or an Adobe segment with transform 0 and no JFIF.
	RGB
	// CMYK: C, M, Y in the planes of Planes.YCbCr and K in Planes.K (Adobe
	// transform 0, as Adobe writes it: stb_image's RGB is C*K/255, ...).
	CMYK
	// YCCK: Y, Cb, Cr and K (Adobe transform 2).
	YCCK
)

// Planes is a decoded JPEG before color conversion: Gray, or YCbCr (and
// K), or, for sampling factors image.YCbCr cannot describe, Components.
type Planes struct {
	Transform ColorTransform
	Gray      *image.Gray  // Transform == Gray
	YCbCr     *image.YCbCr // the first three components otherwise
	// K is the fourth component, KStride bytes per row, at the resolution
	// of the first (CMYK and YCCK only).
	K       []byte
	KStride int

	// Components holds every component when their sampling factors fit
	// no image.YCbCr layout (e.g. 3×1, 1×4, Cb and Cr sampled differently,
	// chroma finer than luma); YCbCr and K are nil then.
	Components    []Component
	Width, Height int
	HMax, VMax    int // the largest sampling factors
}

// Component is one decoded component: its sampling factors and its
// samples, in whole blocks (Pix[y*Stride+x], x < ceil(Width*H/HMax) are
// the image's).
type Component struct {
	H, V   int
	Pix    []byte
	Stride int
}

// DecodePlanes decodes a JPEG into its component planes (stb_image's IDCT,
// no color conversion).
func DecodePlanes(r io.Reader) (*Planes, error) {
	d := decoder{stbSampling: true}
	if _, err := d.decode(r, false); err != nil {
		return nil, err
	}
	if d.img1 != nil {
		return &Planes{Transform: Gray, Gray: d.img1}, nil
	}
	p := &Planes{Transform: YCbCr, YCbCr: d.img3, Width: d.width, Height: d.height, HMax: d.hmax, VMax: d.vmax}
	if d.generic {
		p.YCbCr = nil
		for i, c := range d.comp[:d.nComp] {
			p.Components = append(p.Components, Component{H: c.h, V: c.v, Pix: d.planes[i], Stride: d.planeStride[i]})
		}
	}
	// stb_image's app14_color_transform is -1 without an Adobe segment.
	adobe := -1
	if d.adobeTransformValid {
		adobe = int(d.adobeTransform)
	}
	switch d.nComp {
	case 3:
		ids := d.comp[0].c == 'R' && d.comp[1].c == 'G' && d.comp[2].c == 'B'
		if ids || adobe == 0 && !d.jfif {
			p.Transform = RGB
		}
	case 4:
		switch adobe {
		case 0:
			p.Transform = CMYK
		case 2:
			p.Transform = YCCK
		}
		if p.Transform != YCbCr && !d.generic {
			p.K, p.KStride = d.blackPix, d.blackStride
		}
	}
	return p, nil
}

// DecodeConfig returns the width and height of a JPEG without decoding
// its pixels, accepting the sampling factors DecodePlanes accepts (where
// image/jpeg's DecodeConfig refuses some that stb_image decodes).
func DecodeConfig(r io.Reader) (width, height int, err error) {
	d := decoder{stbSampling: true}
	if _, err := d.decode(r, true); err != nil {
		return 0, 0, err
	}
	if d.nComp == 0 {
		return 0, 0, FormatError("missing SOF marker")
	}
	return d.width, d.height, nil
}
