package preprocess

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"io"

	// Decoders registered with the image package: the formats Decode reads.
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/webp"

	ijpeg "github.com/darkgo/darkgo/engine/preprocess/internal/jpeg"
)

// Default limits of Decode.
const (
	// DefaultMaxPixels rejects images above 100 megapixels before their
	// pixels are decoded (a 100 MP RGBA image already needs 400 MB).
	DefaultMaxPixels = 100_000_000
	// DefaultMaxBytes caps how much of the reader Decode consumes.
	DefaultMaxBytes = 512 << 20
)

// ErrTooLarge is returned (wrapped) for images over the pixel or byte limit.
var ErrTooLarge = errors.New("image too large")

// DecodeOptions tunes Decode; the zero value (or nil) means the defaults.
type DecodeOptions struct {
	// MaxPixels is the largest width*height accepted; 0 means
	// DefaultMaxPixels.
	MaxPixels int64
	// MaxBytes is the largest encoded size accepted; 0 means
	// DefaultMaxBytes.
	MaxBytes int64
	// IgnoreOrientation keeps the stored pixel order of a JPEG even if its
	// EXIF data says it should be rotated. Darknet (stb_image) always
	// ignores EXIF orientation, so this reproduces Darknet exactly for
	// rotated photos; by default darkgo shows the network the upright image.
	IgnoreOrientation bool
}

// Decode reads a JPEG, PNG, GIF (first frame), BMP or WebP image from r with
// the default limits and EXIF orientation applied to JPEGs. format is the
// name the image package registered ("jpeg", "png", "gif", "bmp", "webp").
// The size is checked with image.DecodeConfig before any pixel is decoded.
func Decode(r io.Reader) (img image.Image, format string, err error) {
	return DecodeWithOptions(r, nil)
}

// DecodeWithOptions is Decode with explicit limits and orientation handling.
func DecodeWithOptions(r io.Reader, opt *DecodeOptions) (image.Image, string, error) {
	var o DecodeOptions
	if opt != nil {
		o = *opt
	}
	if o.MaxPixels <= 0 {
		o.MaxPixels = DefaultMaxPixels
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	data, err := io.ReadAll(io.LimitReader(r, o.MaxBytes+1))
	if err != nil {
		return nil, "", fmt.Errorf("preprocess: reading image: %w", err)
	}
	if int64(len(data)) > o.MaxBytes {
		return nil, "", fmt.Errorf("preprocess: encoded image larger than %d bytes: %w", o.MaxBytes, ErrTooLarge)
	}
	return DecodeBytes(data, &o)
}

// DecodeBytes decodes an image held in memory; see DecodeWithOptions.
// opt.MaxBytes is not used.
func DecodeBytes(data []byte, opt *DecodeOptions) (image.Image, string, error) {
	maxPixels := int64(DefaultMaxPixels)
	ignoreOrientation := false
	if opt != nil {
		if opt.MaxPixels > 0 {
			maxPixels = opt.MaxPixels
		}
		ignoreOrientation = opt.IgnoreOrientation
	}
	if len(data) == 0 {
		return nil, "", errors.New("preprocess: empty image data")
	}
	var (
		cfg    image.Config
		format string
		err    error
	)
	if bytes.HasPrefix(data, []byte{0xff, 0xd8}) {
		// JPEG (image/jpeg's signature): internal/jpeg reads the header,
		// accepting the sampling factors stb_image accepts.
		format = "jpeg"
		cfg.Width, cfg.Height, err = ijpeg.DecodeConfig(bytes.NewReader(data))
	} else {
		cfg, format, err = image.DecodeConfig(bytes.NewReader(data))
	}
	if err != nil {
		if kind := jpegUnsupportedCoding(data); kind != "" {
			return nil, "jpeg", fmt.Errorf("preprocess: %s JPEG: not supported (neither by Darknet's stb_image): %w", kind, err)
		}
		return nil, "", fmt.Errorf("preprocess: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, format, fmt.Errorf("preprocess: %s image has invalid size %dx%d", format, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return nil, format, fmt.Errorf("preprocess: %s image is %dx%d, more than %d pixels: %w",
			format, cfg.Width, cfg.Height, maxPixels, ErrTooLarge)
	}
	var img image.Image
	if format == "jpeg" {
		// stb_image's pixels (Darknet's loader), see internal/jpeg.
		img, err = decodeJPEG(data)
	} else {
		img, format, err = image.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return nil, format, fmt.Errorf("preprocess: decoding %s: %w", format, err)
	}
	if b := img.Bounds(); b.Dx() <= 0 || b.Dy() <= 0 {
		return nil, format, fmt.Errorf("preprocess: %s image is empty", format)
	}
	if format == "jpeg" && !ignoreOrientation {
		img = Orient(img, JPEGOrientation(data))
	}
	return img, format, nil
}

// decodeJPEG decodes a JPEG to what stb_image returns for it: Y, Cb, Cr
// planes (converted later, by jpegycc.go's rules), gray, or RGB made here
// for RGB, CMYK and YCCK files.
func decodeJPEG(data []byte) (image.Image, error) {
	p, err := ijpeg.DecodePlanes(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	switch {
	case p.Transform == ijpeg.Gray:
		return p.Gray, nil
	case p.Components != nil:
		return jpegComponentsToRGBA(p), nil
	case p.Transform == ijpeg.YCbCr:
		return p.YCbCr, nil
	}
	return jpegToRGBA(p), nil
}
