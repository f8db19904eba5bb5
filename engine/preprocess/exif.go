package preprocess

import (
	"encoding/binary"
	"fmt"
	"image"
	"image/draw"
)

// JPEGOrientation returns the EXIF orientation (1..8) stored in the APP1
// segment of the JPEG file data, or 1 when there is none or it cannot be
// read. It never panics on corrupt data: every offset is bounds-checked and
// the marker walk stops at the first scan.
func JPEGOrientation(data []byte) int {
	o := 1
	jpegSegments(data, func(marker byte, seg []byte) bool {
		if marker == 0xe1 && len(seg) >= 6 && string(seg[:6]) == "Exif\x00\x00" {
			if t := tiffOrientation(seg[6:]); t != 0 {
				o = t
				return false
			}
		}
		return true
	})
	return o
}

// jpegSegments calls fn with each marker segment of the JPEG file data
// before the first scan (marker and payload after the length field) until
// fn returns false. It stops at anything malformed; every offset is
// bounds-checked.
func jpegSegments(data []byte, fn func(marker byte, seg []byte) bool) {
	if len(data) < 4 || data[0] != 0xff || data[1] != 0xd8 {
		return
	}
	p := 2
	for p+4 <= len(data) {
		if data[p] != 0xff {
			return
		}
		marker := data[p+1]
		if marker == 0xff { // fill byte before a marker
			p++
			continue
		}
		if marker == 0xd8 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7) {
			p += 2 // markers without a length field
			continue
		}
		if marker == 0xda || marker == 0xd9 { // start of scan, end of image
			return
		}
		n := int(binary.BigEndian.Uint16(data[p+2:]))
		if n < 2 || p+2+n > len(data) {
			return
		}
		if !fn(marker, data[p+4:p+2+n]) {
			return
		}
		p += 2 + n
	}
}

// jpegUnsupportedCoding names the coding process of a JPEG whose frame
// marker is one neither stb_image nor this package decodes (arithmetic
// coding, lossless, hierarchical), or returns "" for any other file;
// image/jpeg only calls those an "unknown marker".
func jpegUnsupportedCoding(data []byte) string {
	kind := ""
	jpegSegments(data, func(marker byte, _ []byte) bool {
		switch marker {
		case 0xc3:
			kind = "lossless (SOF3)"
		case 0xc5, 0xc6, 0xc7:
			kind = fmt.Sprintf("hierarchical (SOF%d)", marker-0xc0)
		case 0xc9, 0xca:
			kind = fmt.Sprintf("arithmetic-coded (SOF%d)", marker-0xc0)
		case 0xcb:
			kind = "arithmetic-coded lossless (SOF11)"
		case 0xcd, 0xce, 0xcf:
			kind = fmt.Sprintf("arithmetic-coded hierarchical (SOF%d)", marker-0xc0)
		case 0xc0, 0xc1, 0xc2:
		default:
			return true
		}
		return false
	})
	return kind
}

// tiffOrientation reads tag 0x0112 from IFD0 of a TIFF structure; 0 if
// absent or invalid.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0
	}
	if bo.Uint16(t[2:]) != 42 {
		return 0
	}
	off := bo.Uint32(t[4:])
	if off < 8 || uint64(off)+2 > uint64(len(t)) {
		return 0
	}
	n := int(bo.Uint16(t[off:]))
	ent := t[off+2:]
	if n*12 > len(ent) {
		n = len(ent) / 12 // read what is there of a truncated directory
	}
	for i := 0; i < n; i++ {
		e := ent[12*i : 12*i+12]
		if bo.Uint16(e) != 0x0112 {
			continue
		}
		typ, count := bo.Uint16(e[2:]), bo.Uint32(e[4:])
		var v uint32
		switch {
		case typ == 3 && count >= 1: // SHORT, stored in the value field
			v = uint32(bo.Uint16(e[8:]))
		case typ == 4 && count >= 1: // LONG, seen in some writers
			v = bo.Uint32(e[8:])
		default:
			return 0
		}
		if v >= 1 && v <= 8 {
			return int(v)
		}
		return 0
	}
	return 0
}

// Orient returns img transformed for display according to EXIF orientation
// o (1..8): mirrored and/or rotated so that the result is upright. For o == 1
// or an invalid value img itself is returned. The result of a transform is
// an *image.RGBA (or *image.Gray for gray input); JPEG color is converted
// with stb_image's rules first (see FromImage), so FromImage of the result
// equals FromImage of img with its pixels permuted.
func Orient(img image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	ow, oh := w, h
	if o >= 5 {
		ow, oh = h, w
	}
	c, bpp := 3, 4
	var pix []uint8
	var out image.Image
	if _, ok := img.(*image.Gray); ok {
		c, bpp = 1, 1
		m := image.NewGray(image.Rect(0, 0, ow, oh))
		pix, out = m.Pix, m
	} else {
		switch img.(type) {
		case *image.YCbCr, *image.NYCbCrA, *image.RGBA, *image.NRGBA, *image.Paletted,
			*image.RGBA64, *image.NRGBA64, *image.Gray16:
		default:
			// Keep other color models (e.g. CMYK) exact by drawing first.
			m := image.NewNRGBA(image.Rect(0, 0, w, h))
			draw.Draw(m, m.Rect, img, b.Min, draw.Src)
			img = m
		}
		m := image.NewRGBA(image.Rect(0, 0, ow, oh))
		pix, out = m.Pix, m
	}
	// Stored pixel (sx, sy) goes to byte base + sx*ax + sy*ay of pix.
	stride := bpp * ow
	var base, ax, ay int
	switch o {
	case 2: // mirrored left-right
		base, ax, ay = bpp*(w-1), -bpp, stride
	case 3: // rotated 180°
		base, ax, ay = (h-1)*stride+bpp*(w-1), -bpp, -stride
	case 4: // mirrored top-bottom
		base, ax, ay = (h-1)*stride, bpp, -stride
	case 5: // transposed
		base, ax, ay = 0, stride, bpp
	case 6: // rotated 90° clockwise
		base, ax, ay = bpp*(h-1), stride, -bpp
	case 7: // transverse
		base, ax, ay = (w-1)*stride+bpp*(h-1), -stride, -bpp
	default: // 8: rotated 90° counter-clockwise
		base, ax, ay = (w-1)*stride, -stride, bpp
	}
	// Convert each stored row with the conversions of toRGB8 and toGray8
	// (the fast path's row gatherer with every column) and scatter it.
	cols := make([]int32, w)
	for i := range cols {
		cols[i] = int32(i)
	}
	var src source
	src.init(img, c, cols)
	g := make([]uint8, c*w)
	for y := 0; y < h; y++ {
		src.gather(g, y, cols)
		off := base + y*ay
		if c == 1 {
			for _, v := range g {
				pix[off] = v
				off += ax
			}
			continue
		}
		R, G, B := g[:w], g[w:2*w], g[2*w:3*w]
		for x := range R {
			putRGB(pix, off, R[x], G[x], B[x])
			off += ax
		}
	}
	return out
}

// putRGB writes an opaque RGBA pixel at pix[off:off+4] in one store.
func putRGB(pix []uint8, off int, r, g, b uint8) {
	v := uint32(r) | uint32(g)<<8 | uint32(b)<<16 | 0xff<<24
	binary.LittleEndian.PutUint32(pix[off:off+4], v)
}
