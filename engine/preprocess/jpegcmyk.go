package preprocess

import (
	"image"

	ijpeg "github.com/darkgo/darkgo/engine/preprocess/internal/jpeg"
)

// jpegToRGBA converts a JPEG's RGB, CMYK or YCCK planes (image.YCbCr
// layout, K at full resolution) to RGB as stb_image's load_jpeg_image
// does: the second and third components upsampled like chroma
// (upsampleRows), then converted by convertJPEGRow. The result is opaque
// *image.RGBA.
func jpegToRGBA(p *ijpeg.Planes) *image.RGBA {
	m := p.YCbCr
	w, h := m.Rect.Dx(), m.Rect.Dy()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	upsampleRows(m, func(y int, c0, c1, c2 []uint8) {
		var k []uint8
		if p.K != nil {
			k = p.K[y*p.KStride : y*p.KStride+w]
		}
		convertJPEGRow(p.Transform, img.Pix[y*img.Stride:y*img.Stride+4*w], c0, c1, c2, k)
	})
	return img
}

// convertJPEGRow writes one row of opaque RGBA from the upsampled
// components, as stb_image's load_jpeg_image:
//
//   - YCbCr: stbYCbCrToRGB (a fourth component is ignored);
//   - RGB: the three components as they are;
//   - CMYK (Adobe transform 0): R = blinn(C, K), G = blinn(M, K),
//     B = blinn(Y, K), Adobe's inverted CMYK times K/255;
//   - YCCK (Adobe transform 2): the YCbCr conversion, then
//     R = blinn(255-R, K) and so on.
func convertJPEGRow(t ijpeg.ColorTransform, out, c0, c1, c2, k []uint8) {
	for x := range len(out) / 4 {
		o := out[4*x : 4*x+4 : 4*x+4]
		switch t {
		case ijpeg.CMYK:
			o[0], o[1], o[2] = blinn8x8(c0[x], k[x]), blinn8x8(c1[x], k[x]), blinn8x8(c2[x], k[x])
		case ijpeg.YCCK:
			r, g, b := stbYCbCrToRGB(c0[x], c1[x], c2[x])
			o[0], o[1], o[2] = blinn8x8(255-r, k[x]), blinn8x8(255-g, k[x]), blinn8x8(255-b, k[x])
		case ijpeg.RGB:
			o[0], o[1], o[2] = c0[x], c1[x], c2[x]
		default: // YCbCr
			o[0], o[1], o[2] = stbYCbCrToRGB(c0[x], c1[x], c2[x])
		}
		o[3] = 255
	}
}

// blinn8x8 is stb_image's stbi__blinn_8x8: x*y/255, rounded.
func blinn8x8(x, y uint8) uint8 {
	t := uint32(x)*uint32(y) + 128
	return uint8((t + t>>8) >> 8)
}
