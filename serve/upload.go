package serve

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"io"
	"net/http"
	"strings"

	"github.com/darkgo/darkgo/engine/preprocess"
)

// upload is what a request carried: the image and the small form fields.
type upload struct {
	image    []byte
	filename string
	fields   map[string]string
}

// Limits on the parts of a multipart form besides the image.
const (
	maxFieldBytes = 4 << 10
	maxParts      = 64
)

// readUpload reads the request body, never more than maxBody bytes: a
// multipart/form-data form with the image in field "image" (DeepStack's
// protocol), or, when raw is set, a body that is the image itself. A
// declared Content-Length over the limit is refused before anything is
// read; a chunked body is cut off as soon as it passes it.
func readUpload(w http.ResponseWriter, r *http.Request, maxBody int64, raw bool) (*upload, error) {
	if r.ContentLength > maxBody {
		return nil, tooLarge(maxBody)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	u := &upload{fields: map[string]string{}}
	switch {
	case isMultipart(r):
		if err := u.readMultipart(r, maxBody); err != nil {
			return nil, err
		}
	case raw:
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, bodyError(err, maxBody)
		}
		u.image = b
	default:
		return nil, errorf(http.StatusBadRequest, "expected multipart/form-data with the image in the field \"image\" (got Content-Type %q)", r.Header.Get("Content-Type"))
	}
	if u.image == nil {
		return nil, errorf(http.StatusBadRequest, "no image: send the file in the multipart field \"image\"")
	}
	if len(u.image) == 0 {
		return nil, errorf(http.StatusBadRequest, "the image is empty")
	}
	return u, nil
}

func (u *upload) readMultipart(r *http.Request, maxBody int64) error {
	mr, err := r.MultipartReader()
	if err != nil {
		return errorf(http.StatusBadRequest, "bad multipart form: %v", err)
	}
	for k := 0; ; k++ {
		if k == maxParts {
			return errorf(http.StatusBadRequest, "bad multipart form: more than %d parts", maxParts)
		}
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return bodyError(err, maxBody)
		}
		name := part.FormName()
		switch {
		case name == "image" && u.image == nil:
			b, err := io.ReadAll(part)
			if err != nil {
				return bodyError(err, maxBody)
			}
			if b == nil {
				b = []byte{}
			}
			u.image, u.filename = b, part.FileName()
		case part.FileName() == "" && name != "image":
			b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
			if err != nil {
				return bodyError(err, maxBody)
			}
			if len(b) > maxFieldBytes {
				return errorf(http.StatusBadRequest, "form field %q is longer than %d bytes", name, maxFieldBytes)
			}
			if _, dup := u.fields[name]; !dup {
				u.fields[name] = string(b)
			}
		default:
			// Other files (or a second image) are read past, within the
			// body limit.
			if _, err := io.Copy(io.Discard, part); err != nil {
				return bodyError(err, maxBody)
			}
		}
	}
}

func tooLarge(maxBody int64) error {
	return errorf(http.StatusRequestEntityTooLarge, "request body larger than %d bytes (-max-body)", maxBody)
}

// bodyError classifies a failure to read the body: over the limit (413)
// or a broken or slow upload (400).
func bodyError(err error, maxBody int64) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge(maxBody)
	}
	return errorf(http.StatusBadRequest, "reading the request body: %v", err)
}

// checkImageHeader reads only the image's header: the format must be one
// the decoder knows and the size within maxPixels, so that a file that is
// not an image, or claims a huge size, never takes a place in the queue.
func checkImageHeader(data []byte, maxPixels int64) error {
	c, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return errorf(http.StatusBadRequest, "not an image in a format the server reads (JPEG, PNG, GIF, BMP, WebP)")
		}
		return errorf(http.StatusBadRequest, "cannot read the image header: %v", err)
	}
	if c.Width <= 0 || c.Height <= 0 {
		return errorf(http.StatusBadRequest, "the %s image has no pixels (%dx%d)", format, c.Width, c.Height)
	}
	if int64(c.Width)*int64(c.Height) > maxPixels {
		return imageError(fmt.Errorf("%s image is %dx%d, more than %d pixels: %w", format, c.Width, c.Height, maxPixels, preprocess.ErrTooLarge))
	}
	return nil
}

// formOrQuery is a form field, else the URL query parameter of that name.
func formOrQuery(u *upload, r *http.Request, name string) (string, bool) {
	if v, ok := u.fields[name]; ok {
		return strings.TrimSpace(v), true
	}
	if r.URL.Query().Has(name) {
		return strings.TrimSpace(r.URL.Query().Get(name)), true
	}
	return "", false
}
