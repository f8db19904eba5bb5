package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/darkgo/darkgo/engine/detect"
	"github.com/darkgo/darkgo/engine/detect/mapeval"
)

// YOLO label files: one "class cx cy w h" line per object, relative to the
// image, in a .txt file Darknet finds from the image path.

// labelDirReplacements are the directory renames Darknet's
// replace_image_to_label applies, in its order, each to the first
// occurrence only (src/utils.c).
var labelDirReplacements = [][2]string{
	{"/images/train2017/", "/labels/train2017/"},
	{"/images/val2017/", "/labels/val2017/"},
	{"/JPEGImages/", "/labels/"},
	{`\images\train2017\`, `\labels\train2017\`},
	{`\images\val2017\`, `\labels\val2017\`},
	{`\images\train2014\`, `\labels\train2014\`},
	{`\images\val2014\`, `\labels\val2014\`},
	{"/images/train2014/", "/labels/train2014/"},
	{"/images/val2014/", "/labels/val2014/"},
	{`\JPEGImages\`, `\labels\`},
}

// labelExts are the image extensions Darknet turns into .txt, case as
// listed (".Jpg" is not among them).
var labelExts = []string{".jpg", ".JPG", ".jpeg", ".JPEG", ".png", ".PNG", ".bmp", ".BMP", ".ppm", ".PPM", ".tiff", ".TIFF"}

// labelPath is where Darknet looks for an image's labels: the COCO and VOC
// directory renames, spaces and tabs trimmed, then the image extension
// replaced by .txt - only where the extension's first occurrence in the path
// is at its very end, as Darknet's find_replace_extension checks. darkgo
// adds one thing: an extension Darknet does not list (.webp, .gif, .Jpg)
// is replaced by .txt too, where Darknet would give up and read the image
// itself as labels.
func labelPath(image string) string {
	p := image
	for _, r := range labelDirReplacements {
		p = strings.Replace(p, r[0], r[1], 1)
	}
	p = strings.Trim(p, " \t")
	for _, ext := range labelExts {
		if i := strings.Index(p, ext); i >= 0 && i+len(ext) == len(p) {
			p = p[:i] + ".txt"
		}
	}
	if !strings.HasSuffix(p, ".txt") {
		if ext := filepath.Ext(p); ext != "" && isImageName(p) {
			p = strings.TrimSuffix(p, ext) + ".txt"
		}
	}
	return p
}

// maxLabelBytes bounds a label file: a million objects' lines are well
// under it, and a wrong file (an image) is refused before parsing.
const maxLabelBytes = 64 << 20

// readLabels reads a YOLO label file as Darknet's read_boxes does: groups
// of "int float float float float" separated by any white space, up to the
// first group that does not parse. A missing file means no objects
// (Darknet says so and goes on); exists reports which case it was.
func readLabels(path string) (truths []mapeval.Truth, exists bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > maxLabelBytes {
		return nil, true, fmt.Errorf("%s: %d bytes is too large for a label file", path, st.Size())
	}
	sc := bufio.NewScanner(bufio.NewReader(f))
	sc.Buffer(make([]byte, 64<<10), maxLabelBytes)
	sc.Split(bufio.ScanWords)
	var fields [5]string
	for {
		n := 0
		for n < 5 && sc.Scan() {
			fields[n] = sc.Text()
			n++
		}
		if n < 5 {
			break
		}
		class, err := strconv.Atoi(fields[0])
		if err != nil {
			break
		}
		var v [4]float32
		ok := true
		for i := range v {
			x, err := strconv.ParseFloat(fields[i+1], 32)
			if err != nil {
				ok = false
				break
			}
			v[i] = float32(x)
		}
		if !ok {
			break
		}
		truths = append(truths, mapeval.Truth{Class: class, Box: detect.Box{X: v[0], Y: v[1], W: v[2], H: v[3]}})
	}
	if err := sc.Err(); err != nil {
		return nil, true, fmt.Errorf("%s: %w", path, err)
	}
	return truths, true, nil
}

// labelLines formats detections as Darknet's -save_labels writes them: per
// box, the class with the highest probability above thresh (the first on
// ties), as "class cx cy w h" with %2.4f (C rounding) relative values.
func labelLines(dets []detect.Detection, thresh float32) []byte {
	var b bytes.Buffer
	for i := range dets {
		d := &dets[i]
		class, prob := -1, float32(0)
		for c, p := range d.Prob {
			if p > thresh && p > prob {
				class, prob = c, p
			}
		}
		if class < 0 {
			continue
		}
		fmt.Fprintf(&b, "%d %s %s %s %s\n", class, cFixed4(d.Box.X), cFixed4(d.Box.Y), cFixed4(d.Box.W), cFixed4(d.Box.H))
	}
	return b.Bytes()
}

// cFixed4 is C's "%2.4f" of a float (promoted to double).
func cFixed4(v float32) string { return detect.CFloat(float64(v), 4) }

// saveLabels writes the label file of image (labelPath), refusing to
// replace an existing file unless overwrite is set. It returns the path
// written.
func saveLabels(image string, dets []detect.Detection, thresh float32, overwrite bool) (string, error) {
	path := labelPath(image)
	if path == image {
		return "", fmt.Errorf("%s: cannot name a label file for it (no image extension)", image)
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if !overwrite {
		flags |= os.O_EXCL
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("%s: label file exists (use -overwrite_labels to replace it)", path)
	}
	if err != nil {
		return "", err
	}
	if _, err := f.Write(labelLines(dets, thresh)); err != nil {
		f.Close()
		return "", err
	}
	return path, f.Close()
}

// checkNoLabels refuses -save_labels (without -overwrite_labels) before
// any work when label files already exist for some inputs.
func checkNoLabels(inputs []input) error {
	var exist []string
	for _, in := range inputs {
		if in.err != nil {
			continue
		}
		if lp := labelPath(in.path); lp != in.path {
			if _, err := os.Lstat(lp); err == nil {
				exist = append(exist, lp)
			}
		}
	}
	if len(exist) == 0 {
		return nil
	}
	return usagef("-save_labels: %d label %s already exist (%s); add -overwrite_labels to replace them",
		len(exist), plural(len(exist), "file", "files"), abbreviate(exist, 3))
}
