package cfgparse

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"gopkg.in/ini.v1"
)

// MaxFileSize bounds the cfg size Parse accepts. The largest cfg in
// Darknet's cfg/ folder is well under 100 KiB; the limit only guards against
// feeding a wrong (e.g. weights) file or hostile input.
const MaxFileSize = 16 << 20

// MaxSections bounds the number of sections. Darknet's largest networks have
// a few hundred layers; the limit keeps hostile input from costing seconds.
const MaxSections = 1 << 16

// MaxOptions bounds the number of key=value lines, for the same reason
// (Darknet's largest cfgs have a few thousand).
const MaxOptions = 1 << 18

// Config is a parsed Darknet cfg file.
type Config struct {
	File   string     // name used in messages
	Net    *Section   // the [net] or [network] section (must come first)
	Layers []*Section // every other section in file order; Layers[i] is layer i

	nwarn      int // parse-time warnings kept
	suppressed int // parse-time warnings dropped beyond maxWarnings
}

// maxWarnings bounds the warnings kept, so that a hostile file of a million
// repeated keys does not turn into a million warnings.
const maxWarnings = 1000

// warn records a parse-time warning about section s.
func (c *Config) warn(s *Section, w Warning) {
	if c.nwarn >= maxWarnings {
		c.suppressed++
		return
	}
	c.nwarn++
	s.parsed = append(s.parsed, w)
}

// ParseFile reads and parses the cfg file at path; path names the file in
// messages.
func ParseFile(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, &Error{File: path, Msg: "read failed: " + err.Error(), Err: err}
	}
	return Parse(path, data)
}

// Warnings returns the warnings for the whole file in file order: fields no
// getter has read (call it after the engine has built the network), repeated
// keys, and lines Darknet itself skips.
func (c *Config) Warnings() []Warning {
	var ws []Warning
	secs := append([]*Section{c.Net}, c.Layers...)
	for _, s := range secs {
		if s == nil {
			continue
		}
		ws = append(ws, s.parsed...)
		for _, o := range s.opts {
			if !o.used && !o.repeat {
				ws = append(ws, Warning{File: s.File, Line: o.line, Section: s.Name(), Key: o.key,
					Msg: fmt.Sprintf("unused field '%s'", o.key)})
			}
		}
	}
	sort.SliceStable(ws, func(i, j int) bool { return ws[i].Line < ws[j].Line })
	if more := c.suppressed + len(ws) - maxWarnings; more > 0 {
		ws = append(ws[:min(len(ws), maxWarnings)], Warning{File: c.File, Msg: fmt.Sprintf("%d more warnings not shown", more)})
	}
	return ws
}

// Line kinds of the pre-scan.
const (
	lineHeader = iota
	lineOption
)

// scanned is one significant line of the cfg, after Darknet's normalisation.
type scanned struct {
	kind     int
	line     int
	text     string // header name without brackets, or the option key
	val      string // option value
	sectionI int    // index of the enclosing section
}

// Parse parses a Darknet cfg. name is used in messages only.
//
// Lines are read the way Darknet's read_cfg does: every space, tab, CR and LF
// is removed from the line (so "filters = 32" and "fil ters=3 2" both mean
// filters=32), empty lines and lines starting with '#' or ';' are comments,
// a line starting with '[' is a section header (the whole stripped line must
// be "[name]"), and anything else is key=value split at the first '='.
func Parse(name string, data []byte) (*Config, error) {
	if len(data) > MaxFileSize {
		return nil, &Error{File: name, Msg: fmt.Sprintf("file larger than %d bytes: not a cfg", MaxFileSize)}
	}
	// A UTF-8 byte order mark would make Darknet see junk before [net]; it
	// is harmless, so accept it.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))

	cfg := &Config{File: name}
	var lines []scanned
	var secs []*Section
	ordinals := map[string]int{}

	lineNo, nopts := 0, 0
	for len(data) > 0 {
		lineNo++
		raw := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			raw, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if bytes.IndexByte(raw, 0) >= 0 {
			return nil, &Error{File: name, Line: lineNo, Msg: "NUL byte: not a text cfg file"}
		}
		line := stripSpace(raw)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			if len(secs) >= MaxSections {
				return nil, &Error{File: name, Line: lineNo, Msg: fmt.Sprintf("more than %d sections: not a Darknet network", MaxSections)}
			}
			s, err := newSection(name, line, lineNo, len(secs), ordinals)
			if err != nil {
				return nil, err
			}
			secs = append(secs, s)
			lines = append(lines, scanned{kind: lineHeader, line: lineNo, text: s.Header, sectionI: len(secs) - 1})
			continue
		}
		if len(secs) == 0 {
			return nil, &Error{File: name, Line: lineNo, Msg: fmt.Sprintf("%q before the first section: a cfg must start with [net]", clip(line))}
		}
		cur := secs[len(secs)-1]
		eq := strings.IndexByte(line, '=')
		switch {
		case eq < 0:
			// Darknet stores such a line as a key without value, which no
			// getter can return; it is noise, most likely a typo.
			cfg.warn(cur, Warning{File: name, Line: lineNo, Section: cur.Name(), Key: clip(line),
				Msg: fmt.Sprintf("ignored line '%s': no '='", clip(line))})
			continue
		case eq == len(line)-1:
			// Darknet's read_option rejects "key=" ("Config file error").
			cfg.warn(cur, Warning{File: name, Line: lineNo, Section: cur.Name(), Key: clip(line[:eq]),
				Msg: fmt.Sprintf("ignored line '%s': empty value", clip(line))})
			continue
		}
		key, val := line[:eq], line[eq+1:]
		if !iniSafeKey(key) {
			// No Darknet getter reads such a key, so dropping it changes
			// nothing but the wording of the warning.
			cfg.warn(cur, Warning{File: name, Line: lineNo, Section: cur.Name(), Key: clip(key),
				Msg: fmt.Sprintf("ignored field '%s': not an option name", clip(key))})
			continue
		}
		if nopts++; nopts > MaxOptions {
			return nil, &Error{File: name, Line: lineNo, Msg: fmt.Sprintf("more than %d options: not a Darknet network", MaxOptions)}
		}
		lines = append(lines, scanned{kind: lineOption, line: lineNo, text: key, val: val, sectionI: len(secs) - 1})
	}
	if len(secs) == 0 {
		return nil, &Error{File: name, Msg: "no sections: empty cfg"}
	}
	if secs[0].Type != "net" {
		return nil, &Error{File: name, Line: secs[0].Line, Section: secs[0].Name(),
			Msg: "first section must be [net] or [network]"}
	}
	for _, s := range secs[1:] {
		if s.Type == "net" {
			return nil, &Error{File: name, Line: s.Line, Msg: fmt.Sprintf("[%s] must be the first and only network section", s.Header)}
		}
	}

	if err := cfg.fillFromINI(lines, secs); err != nil {
		return nil, err
	}
	cfg.Net = secs[0]
	cfg.Net.Index = -1
	cfg.Layers = secs[1:]
	for i, s := range cfg.Layers {
		s.Index = i
	}
	return cfg, nil
}

func newSection(file, line string, lineNo, n int, ordinals map[string]int) (*Section, error) {
	if line[len(line)-1] != ']' || strings.IndexByte(line[1:len(line)-1], ']') >= 0 {
		return nil, &Error{File: file, Line: lineNo, Msg: fmt.Sprintf("malformed section header %q", clip(line))}
	}
	header := line[1 : len(line)-1]
	typ, ok := sectionTypes[header]
	if !ok {
		return nil, &Error{File: file, Line: lineNo, Msg: fmt.Sprintf("unknown section type [%s]", clip(header))}
	}
	ordinals[typ]++
	s := &Section{File: file, Type: typ, Header: header, Ordinal: ordinals[typ], Index: n - 1, Line: lineNo,
		first: map[string]int{}}
	if n == 0 {
		s.Index = -1
	}
	if unsupportedTypes[typ] {
		return nil, &Error{File: file, Line: lineNo, Section: s.Name(),
			Msg: fmt.Sprintf("unsupported layer type %q (recurrent layers are not implemented)", header), Err: ErrUnsupported}
	}
	return s, nil
}

// iniOptions make gopkg.in/ini.v1 a faithful reader of the normalised text
// fillFromINI gives it: repeated sections stay separate
// (AllowNonUniqueSections), repeated keys keep every value
// (AllowShadows+AllowDuplicateShadowValues), '#' and ';' inside values and a
// trailing backslash are data (IgnoreInlineComment, IgnoreContinuation),
// quotes are kept (PreserveSurroundedQuote), and only '=' separates key and
// value (ini's default also splits at ':').
var iniOptions = ini.LoadOptions{
	AllowNonUniqueSections:     true,
	AllowShadows:               true,
	AllowDuplicateShadowValues: true,
	IgnoreInlineComment:        true,
	IgnoreContinuation:         true,
	PreserveSurroundedQuote:    true,
	KeyValueDelimiters:         "=",
}

// iniSafeKey reports whether ini.v1 reads key back unchanged when written
// unquoted: it treats a leading quote or backtick as key quoting, "-" as an
// auto-increment key, and trims Unicode space.
func iniSafeKey(k string) bool {
	return k != "" && k != "-" && k[0] != '"' && k[0] != '`' && strings.TrimSpace(k) == k
}

// fillFromINI parses the normalised lines with ini.v1 and stores the options
// in secs. Every value is wrapped in ini's """ quotes: ini returns the text
// between the opening """ and the LAST """ on the line, which is exactly the
// value whatever it contains (quotes, backslashes, '#', ';'). The scan's own
// copy is used only to attach line numbers and to verify ini's result.
func (cfg *Config) fillFromINI(lines []scanned, secs []*Section) error {
	file := cfg.File
	var b strings.Builder
	for _, l := range lines {
		switch l.kind {
		case lineHeader:
			b.WriteString("[" + l.text + "]\n")
		case lineOption:
			b.WriteString(l.text + `="""` + l.val + `"""` + "\n")
		}
	}
	f, err := ini.LoadSources(iniOptions, []byte(b.String()))
	if err != nil {
		return &Error{File: file, Msg: "ini parser: " + err.Error(), Err: err}
	}
	isecs := f.Sections()
	if len(isecs) == 0 || len(isecs)-1 != len(secs) {
		return &Error{File: file, Msg: fmt.Sprintf("internal: ini parser found %d sections, expected %d", len(isecs)-1, len(secs))}
	}
	isecs = isecs[1:] // ini's implicit DEFAULT section is always first (and empty here)

	// Repeated keys come back from ini grouped as a key with shadows; hand
	// them out in file order (ValueWithShadows copies, so call it once per
	// key: a file of one key repeated a million times must stay linear).
	type shadowed struct {
		vals  []string
		taken int
	}
	values := map[*ini.Key]*shadowed{}
	for _, l := range lines {
		if l.kind != lineOption {
			continue
		}
		s, is := secs[l.sectionI], isecs[l.sectionI]
		k, err := is.GetKey(l.text)
		if err != nil {
			return &Error{File: file, Line: l.line, Section: s.Name(), Key: l.text,
				Msg: "internal: ini parser lost the key"}
		}
		sv := values[k]
		if sv == nil {
			sv = &shadowed{vals: k.ValueWithShadows()}
			values[k] = sv
		}
		if sv.taken >= len(sv.vals) || sv.vals[sv.taken] != l.val {
			return &Error{File: file, Line: l.line, Section: s.Name(), Key: l.text,
				Msg: "internal: ini parser did not return the value as written"}
		}
		sv.taken++
		if i, dup := s.first[l.text]; dup {
			s.opts = append(s.opts, option{key: l.text, val: l.val, line: l.line, repeat: true})
			cfg.warn(s, Warning{File: file, Line: l.line, Section: s.Name(), Key: l.text,
				Msg: fmt.Sprintf("repeated field '%s' ignored: Darknet uses the first value (line %d)", l.text, s.opts[i].line)})
			continue
		}
		s.first[l.text] = len(s.opts)
		s.opts = append(s.opts, option{key: l.text, val: l.val, line: l.line})
	}
	return nil
}

// stripSpace removes every space, tab, CR and LF, as Darknet's strip() does
// to each cfg line.
func stripSpace(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

// clip shortens text quoted in messages, since it comes from untrusted input.
func clip(s string) string {
	const max = 60
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
