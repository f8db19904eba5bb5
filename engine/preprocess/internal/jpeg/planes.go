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

// Planes is a decoded JPEG before color conversion.
type Planes struct {
	Transform ColorTransform
	Gray      *image.Gray  // Transform == Gray
	YCbCr     *image.YCbCr // the first three components otherwise
	// K is the fourth component, KStride bytes per row, at the resolution
	// of the first (CMYK and YCCK only).
	K       []byte
	KStride int
}

// DecodePlanes decodes a JPEG into its component planes (stb_image's IDCT,
// no color conversion).
func DecodePlanes(r io.Reader) (*Planes, error) {
	var d decoder
	if _, err := d.decode(r, false); err != nil {
		return nil, err
	}
	if d.img1 != nil {
		return &Planes{Transform: Gray, Gray: d.img1}, nil
	}
	p := &Planes{Transform: YCbCr, YCbCr: d.img3}
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
		if p.Transform != YCbCr {
			p.K, p.KStride = d.blackPix, d.blackStride
		}
	}
	return p, nil
}
