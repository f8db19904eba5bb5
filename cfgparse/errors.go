package cfgparse

import (
	"errors"
	"strconv"
	"strings"
)

// ErrUnsupported is wrapped by the error Parse returns for section types
// Darknet knows but darkgo does not implement (the recurrent layers).
var ErrUnsupported = errors.New("unsupported layer type")

// Error is a problem in a cfg file, located as precisely as possible.
type Error struct {
	File    string
	Line    int    // 1-based; 0 if unknown
	Section string // "[route] #57", or "" for file-level errors
	Key     string // may be ""
	Msg     string
	Err     error // wrapped cause (e.g. ErrUnsupported, *strconv.NumError), may be nil
}

// Error formats the location like a compiler: "model.cfg:123: [route] #57:
// layers: <msg>", leaving out the parts that are empty.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(location(e.File, e.Line))
	for _, part := range []string{e.Section, e.Key} {
		if part == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(part)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the cause, so errors.Is(err, ErrUnsupported) works.
func (e *Error) Unwrap() error { return e.Err }

// Warning is a non-fatal remark about a cfg file: an unused field, a
// repeated key, or a line Darknet would also have skipped.
type Warning struct {
	File    string
	Line    int
	Section string
	Key     string
	Msg     string
}

// String formats the warning as "model.cfg:12: [yolo] #2: unused field 'foo'".
func (w Warning) String() string {
	var b strings.Builder
	b.WriteString(location(w.File, w.Line))
	if w.Section != "" {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(w.Section)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(w.Msg)
	return b.String()
}

func location(file string, line int) string {
	switch {
	case file != "" && line > 0:
		return file + ":" + strconv.Itoa(line)
	case line > 0:
		return "line " + strconv.Itoa(line)
	default:
		return file
	}
}
