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
)

// mapInputs are the images and optional names a -map argument names.
type mapInputs struct {
	images  []string
	names   string // names= of a .data file ("" if none)
	classes int    // classes= of a .data file (0 if none)
}

// maxListBytes bounds a .data or list file read into memory.
const maxListBytes = 256 << 20

// dataKeys are the keys that make a file a Darknet .data file rather than a
// list of images.
var dataKeys = map[string]bool{"valid": true, "names": true, "classes": true, "train": true, "backup": true, "eval": true, "difficult": true, "results": true}

// resolveMapInputs reads -map's argument: a directory (its images, sorted),
// a Darknet .data file (valid= names the image list, names= the class
// names), an image list (one path per line, as Darknet's valid= file) or a
// single image.
func resolveMapInputs(spec string) (*mapInputs, error) {
	st, err := os.Stat(spec)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		mi := &mapInputs{}
		for _, in := range expandInputs([]string{spec}) {
			if in.err != nil {
				return nil, in.err
			}
			mi.images = append(mi.images, in.path)
		}
		return mi, nil
	}
	if isImageName(spec) {
		return &mapInputs{images: []string{spec}}, nil
	}
	if st.Size() > maxListBytes {
		return nil, fmt.Errorf("%s: %d bytes is too large for a .data or list file", spec, st.Size())
	}
	data, err := os.ReadFile(spec)
	if err != nil {
		return nil, err
	}
	opts, isData := parseDataFile(data)
	if !isData {
		images, err := readImageList(spec, data)
		if err != nil {
			return nil, err
		}
		return &mapInputs{images: images}, nil
	}
	mi := &mapInputs{}
	valid, ok := opts["valid"]
	if !ok {
		return nil, fmt.Errorf("%s: no valid= line (the file listing the validation images)", spec)
	}
	if _, ok := opts["difficult"]; ok {
		return nil, fmt.Errorf("%s: difficult= (VOC difficult objects) is not supported by darkgo's -map", spec)
	}
	if v, ok := opts["classes"]; ok {
		if mi.classes, err = strconv.Atoi(v); err != nil || mi.classes <= 0 {
			return nil, fmt.Errorf("%s: classes=%s: want a positive integer", spec, v)
		}
	}
	if v, ok := opts["names"]; ok {
		mi.names = relativeTo(spec, v)
	}
	listPath := relativeTo(spec, valid)
	st, err = os.Stat(listPath)
	if err != nil {
		return nil, fmt.Errorf("%s: valid=%s: %w", spec, valid, err)
	}
	if st.Size() > maxListBytes {
		return nil, fmt.Errorf("%s: %d bytes is too large for an image list", listPath, st.Size())
	}
	list, err := os.ReadFile(listPath)
	if err != nil {
		return nil, err
	}
	if mi.images, err = readImageList(listPath, list); err != nil {
		return nil, err
	}
	return mi, nil
}

// parseDataFile reads Darknet's key=value .data format (read_data_cfg:
// '#' and ';' start comments). It reports whether the file looks like one:
// at least one known key and no line that is neither a comment nor
// key=value.
func parseDataFile(data []byte) (map[string]string, bool) {
	opts := map[string]string{}
	known := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), maxListBytes)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, false
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		opts[k] = v
		known = known || dataKeys[k]
	}
	return opts, known
}

// readImageList reads a Darknet image list: one path per line (blank lines
// skipped, surrounding white space and CR removed).
func readImageList(name string, data []byte) ([]string, error) {
	var images []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), maxListBytes)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			images = append(images, relativeTo(name, line))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(images) == 0 {
		return nil, fmt.Errorf("%s: lists no images", name)
	}
	return images, nil
}

// relativeTo resolves a path written in file: Darknet opens it relative to
// the working directory, so that is tried first; when nothing is there but
// the path exists relative to file's directory, that is used instead.
func relativeTo(file, path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return path
	}
	alt := filepath.Join(filepath.Dir(file), path)
	if _, err := os.Stat(alt); err == nil {
		return alt
	}
	return path
}
