package main

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/darkgo/darkgo/engine/preprocess"
)

// imageExts are the file extensions a directory argument is searched for.
var imageExts = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".bmp": true, ".webp": true}

func isImageName(name string) bool { return imageExts[strings.ToLower(filepath.Ext(name))] }

// input is one image to process, or an argument that names none.
type input struct {
	path string // as the user wrote it (or DIR/name for directory entries)
	err  error  // an argument that could not be expanded
}

// expandInputs turns the arguments into images: a file is itself, a
// directory means the image files directly inside it (sorted), anything
// else with *, ? or [ is a glob. A missing file is kept, so that it fails
// with the reason in order; an empty directory or a glob without matches
// is an input error.
func expandInputs(args []string) []input {
	var out []input
	for _, a := range args {
		st, err := os.Stat(a)
		switch {
		case err == nil && st.IsDir():
			ents, err := os.ReadDir(a)
			if err != nil {
				out = append(out, input{path: a, err: err})
				continue
			}
			n := 0
			for _, e := range ents {
				if !e.IsDir() && isImageName(e.Name()) {
					out = append(out, input{path: filepath.Join(a, e.Name())})
					n++
				}
			}
			if n == 0 {
				out = append(out, input{path: a, err: fmt.Errorf("%s: no images in the directory (looked for %s)", a, extList())})
			}
		case err != nil && errors.Is(err, fs.ErrNotExist) && strings.ContainsAny(a, "*?["):
			matches, gerr := filepath.Glob(a)
			if gerr != nil {
				out = append(out, input{path: a, err: fmt.Errorf("%s: %v", a, gerr)})
				continue
			}
			n := 0
			for _, m := range matches {
				if st, err := os.Stat(m); err == nil && !st.IsDir() {
					out = append(out, input{path: m})
					n++
				}
			}
			if n == 0 {
				out = append(out, input{path: a, err: fmt.Errorf("%s: no files match", a)})
			}
		default:
			out = append(out, input{path: a})
		}
	}
	return out
}

func extList() string {
	var e []string
	for k := range imageExts {
		e = append(e, k)
	}
	slices.Sort(e)
	return strings.Join(e, " ")
}

// decoded is an image read from disk and turned into the network input.
type decoded struct {
	idx    int
	path   string
	img    image.Image // upright (EXIF orientation applied)
	format string
	tensor []float32 // network input, CHW
	decode time.Duration
	resize time.Duration
	err    error
}

// decoder reads the images in a goroutine of its own, one image ahead of
// the network, so that JPEG decoding overlaps inference. Results arrive in
// input order.
type decoder struct {
	w, h, c int
	letter  bool
	// darknetPixels keeps a JPEG's stored pixel order whatever its EXIF
	// orientation, as Darknet's stb_image does (for -map and -save_labels,
	// whose label coordinates must refer to the pixels Darknet sees).
	darknetPixels bool
	scratch       preprocess.Scratch
}

func (d *decoder) start(ctx context.Context, inputs []input) <-chan decoded {
	ch := make(chan decoded, 1)
	go func() {
		defer close(ch)
		for i, in := range inputs {
			r := decoded{idx: i, path: in.path, err: in.err}
			if r.err == nil {
				d.load(&r)
			}
			select {
			case ch <- r:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch
}

func (d *decoder) load(r *decoded) {
	t0 := time.Now()
	img, format, err := readImage(r.path, d.darknetPixels)
	if err != nil {
		r.err = err
		return
	}
	t1 := time.Now()
	r.img, r.format = img, format
	r.tensor = make([]float32, d.c*d.h*d.w)
	if err := d.scratch.NetworkInput(r.tensor, img, d.w, d.h, d.c, d.letter); err != nil {
		r.err = fmt.Errorf("%s: %w", r.path, err)
		return
	}
	r.decode, r.resize = t1.Sub(t0), time.Since(t1)
}

// readImage opens and decodes one image file, with errors in the form
// "FILE: reason". darknetPixels ignores the EXIF orientation (see decoder).
func readImage(path string, darknetPixels bool) (image.Image, string, error) {
	f, err := os.Open(path)
	if err != nil {
		// Same shape as the other per-image errors: "FILE: reason".
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, "", fmt.Errorf("%s: is a directory", path)
	}
	img, format, err := preprocess.DecodeWithOptions(f, &preprocess.DecodeOptions{IgnoreOrientation: darknetPixels})
	if err != nil {
		return nil, "", fmt.Errorf("%s: cannot read the image: %w", path, err)
	}
	return img, format, nil
}
