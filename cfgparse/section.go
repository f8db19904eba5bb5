package cfgparse

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Section is one [header] block of a cfg file: the [net] section or one
// layer. Its getters follow Darknet's option_find: the FIRST occurrence of a
// key wins (later repeats are reported by Config.Warnings), and every lookup
// marks the key as used, which is how unused fields are found.
//
// A Section is not safe for concurrent use: getters record use and errors.
type Section struct {
	File    string
	Type    string // canonical type name, aliases resolved ("conv" -> "convolutional")
	Header  string // the name as written between [ ]
	Ordinal int    // 1-based count among sections of the same Type
	Index   int    // layer index; -1 for the net section
	Line    int    // 1-based line of the [header]

	opts   []option       // every key=value line in file order, repeats included
	first  map[string]int // key -> index in opts of its first occurrence
	err    error          // first error recorded by a getter
	parsed []Warning      // parse-time warnings about this section
}

type option struct {
	key, val string
	line     int
	used     bool
	repeat   bool // a later occurrence of a key; Darknet never reads it
}

// Name returns the name used in messages: "[route] #57", or "[net]".
func (s *Section) Name() string {
	if s.Type == "net" {
		return "[net]"
	}
	return "[" + s.Type + "] #" + strconv.Itoa(s.Ordinal)
}

// lookup returns the first value of key and marks it used.
func (s *Section) lookup(key string) (opt *option, ok bool) {
	i, ok := s.first[key]
	if !ok {
		return nil, false
	}
	opt = &s.opts[i]
	opt.used = true
	return opt, true
}

// Has reports whether key is present. Like every Darknet lookup it marks the
// key as used.
func (s *Section) Has(key string) bool {
	_, ok := s.lookup(key)
	return ok
}

// String returns the value of key verbatim (whitespace already removed, as
// Darknet does), or def if the key is absent.
func (s *Section) String(key string, def string) string {
	if o, ok := s.lookup(key); ok {
		return o.val
	}
	return def
}

// Int returns the integer value of key, or def if absent. Text that is not
// an integer records an error (see Err) and returns def. Darknet uses atoi,
// which silently reads "3x" as 3; we accept only what atoi reads exactly:
// an optionally signed decimal integer, also written as "1.0" or "1.", and
// an inline "#comment" after the number.
func (s *Section) Int(key string, def int) int {
	o, ok := s.lookup(key)
	if !ok {
		return def
	}
	v, err := parseInt(o.val)
	if err != nil {
		s.record(o, "invalid integer %q", err)
		return def
	}
	return v
}

// Float returns the value of key parsed with float32 precision (Darknet
// stores options in C floats via atof), or def if absent. Bad text records
// an error and returns def.
func (s *Section) Float(key string, def float64) float64 {
	o, ok := s.lookup(key)
	if !ok {
		return def
	}
	v, err := parseFloat(o.val)
	if err != nil {
		s.record(o, "invalid number %q", err)
		return def
	}
	return v
}

// Ints returns the comma separated integers of key ("1,2,-3"), or nil if
// the key is absent. An empty element ("1,,2" or a trailing comma), which
// Darknet's atoi would read as 0, is an error: for route layers= that 0
// would silently mean layer 0.
func (s *Section) Ints(key string) []int {
	return parseList(s, key, parseInt, "invalid integer list %q")
}

// Floats returns the comma separated numbers of key (float32 precision), or
// nil if the key is absent.
func (s *Section) Floats(key string) []float64 {
	return parseList(s, key, parseFloat, "invalid number list %q")
}

// parseList reads key as a comma separated list of numbers, recording the
// first bad element (with its position) as the section's error.
func parseList[T int | float64](s *Section, key string, parse func(string) (T, error), msg string) []T {
	o, ok := s.lookup(key)
	if !ok {
		return nil
	}
	fields, err := splitList(o.val)
	if err != nil {
		s.record(o, "invalid list %q", err)
		return nil
	}
	out := make([]T, len(fields))
	for i, f := range fields {
		v, err := parse(f)
		if err != nil {
			s.record(o, msg, fmt.Errorf("element %d: %w", i+1, err))
			return nil
		}
		out[i] = v
	}
	return out
}

// KeyLine returns the line of the (first) occurrence of key, or 0 if the key
// is absent. It does not mark the key as used.
func (s *Section) KeyLine(key string) int {
	if i, ok := s.first[key]; ok {
		return s.opts[i].line
	}
	return 0
}

// Keys returns the distinct keys of the section in file order.
func (s *Section) Keys() []string {
	keys := make([]string, 0, len(s.first))
	for _, o := range s.opts {
		if !o.repeat {
			keys = append(keys, o.key)
		}
	}
	return keys
}

// Errorf returns an error located at key (at the section header if key is
// "" or absent). It does not record the error in Err.
func (s *Section) Errorf(key string, format string, args ...any) *Error {
	line := s.Line
	if l := s.KeyLine(key); l > 0 {
		line = l
	}
	e := &Error{File: s.File, Line: line, Section: s.Name(), Key: key, Msg: fmt.Sprintf(format, args...)}
	// Keep %w causes reachable through errors.Is/As.
	if w := errors.Unwrap(fmt.Errorf(format, args...)); w != nil {
		e.Err = w
	}
	return e
}

// Err returns the first error recorded by a getter, or nil.
func (s *Section) Err() error { return s.err }

func (s *Section) record(o *option, format string, cause error) {
	if s.err != nil {
		return
	}
	msg := fmt.Sprintf(format, o.val)
	var ne *strconv.NumError
	if errors.As(cause, &ne) {
		msg += ": " + ne.Err.Error()
	} else {
		msg += ": " + cause.Error()
	}
	s.err = &Error{File: s.File, Line: o.line, Section: s.Name(), Key: o.key, Msg: msg, Err: cause}
}

// stripComment drops an inline "#comment" from a numeric value. Darknet's
// list parsers (mask=, anchors=, steps=) explicitly stop at '#', and atoi/atof
// stop at it for single numbers, so "mask = 0,1,2  # small" is valid there.
func stripComment(v string) string {
	if i := strings.IndexByte(v, '#'); i >= 0 {
		return v[:i]
	}
	return v
}

var errEmpty = errors.New("empty value")

func splitList(v string) ([]string, error) {
	v = stripComment(v)
	if v == "" {
		return nil, errEmpty
	}
	fields := strings.Split(v, ",")
	for i, f := range fields {
		if f == "" {
			return nil, fmt.Errorf("element %d is empty", i+1)
		}
	}
	return fields, nil
}

func parseInt(v string) (int, error) {
	v = stripComment(v)
	if v == "" {
		return 0, errEmpty
	}
	n, err := strconv.Atoi(v)
	if err == nil {
		return n, nil
	}
	// "1.0" / "1." : atoi reads the integer part and the rest is zeros, so
	// the value Darknet sees is exact.
	if dot := strings.IndexByte(v, '.'); dot > 0 && strings.Trim(v[dot+1:], "0") == "" {
		if n, err2 := strconv.Atoi(v[:dot]); err2 == nil {
			return n, nil
		}
	}
	return 0, err
}

func parseFloat(v string) (float64, error) {
	v = stripComment(v)
	if v == "" {
		return 0, errEmpty
	}
	f, err := strconv.ParseFloat(v, 32)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errors.New("not a finite number")
	}
	return f, nil
}
