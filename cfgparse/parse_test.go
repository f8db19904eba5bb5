package cfgparse

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

const netHead = "[net]\nwidth=32\nheight=32\nchannels=3\n"

func mustParse(t *testing.T, text string) *Config {
	t.Helper()
	cfg, err := Parse("model.cfg", []byte(text))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return cfg
}

func TestRepeatedSectionsStaySeparate(t *testing.T) {
	cfg := mustParse(t, netHead+`
[convolutional]
filters=16
size=3

[conv]
filters=32
size=1

[maxpool]
size=2

[convolutional]
filters=64
`)
	if len(cfg.Layers) != 4 {
		t.Fatalf("got %d layers, want 4", len(cfg.Layers))
	}
	wantFilters := []int{16, 32, -1, 64}
	wantOrd := []int{1, 2, 1, 3}
	wantType := []string{"convolutional", "convolutional", "maxpool", "convolutional"}
	wantHeader := []string{"convolutional", "conv", "maxpool", "convolutional"}
	wantLine := []int{6, 10, 14, 17}
	for i, s := range cfg.Layers {
		if got := s.Int("filters", -1); got != wantFilters[i] {
			t.Errorf("layer %d filters=%d, want %d", i, got, wantFilters[i])
		}
		if s.Index != i || s.Ordinal != wantOrd[i] || s.Type != wantType[i] || s.Header != wantHeader[i] || s.Line != wantLine[i] {
			t.Errorf("layer %d: index %d ordinal %d type %q header %q line %d; want %d %d %q %q %d",
				i, s.Index, s.Ordinal, s.Type, s.Header, s.Line, i, wantOrd[i], wantType[i], wantHeader[i], wantLine[i])
		}
	}
	if n := cfg.Layers[1].Name(); n != "[convolutional] #2" {
		t.Errorf("Name() = %q", n)
	}
	if cfg.Net.Index != -1 || cfg.Net.Ordinal != 1 || cfg.Net.Line != 1 || cfg.Net.Name() != "[net]" {
		t.Errorf("net section: %+v name %q", cfg.Net, cfg.Net.Name())
	}
}

func TestAliases(t *testing.T) {
	aliases := map[string]string{
		"network": "net", "conv": "convolutional", "conn": "connected", "max": "maxpool",
		"local_avg": "local_avgpool", "avg": "avgpool", "soft": "softmax", "lrn": "normalization",
		"silence": "empty", "reorg3d": "reorg3d", "reorg": "reorg", "Gaussian_yolo": "Gaussian_yolo",
		"implicit": "implicit", "contrastive": "contrastive", "local": "local", "cost": "cost",
		"detection": "detection", "region": "region", "sam": "sam", "scale_channels": "scale_channels",
		"batchnorm": "batchnorm", "activation": "activation", "crop": "crop", "dropout": "dropout",
		"upsample": "upsample", "route": "route", "shortcut": "shortcut", "yolo": "yolo", "empty": "empty",
	}
	for header, want := range aliases {
		text := netHead + "[" + header + "]\n"
		if header == "network" {
			text = "[network]\nwidth=1\n"
		}
		cfg, err := Parse("a.cfg", []byte(text))
		if err != nil {
			t.Errorf("[%s]: %v", header, err)
			continue
		}
		s := cfg.Net
		if header != "network" {
			s = cfg.Layers[0]
		}
		if s.Type != want || s.Header != header {
			t.Errorf("[%s]: type %q header %q, want type %q", header, s.Type, s.Header, want)
		}
	}
}

func TestWhitespaceAndComments(t *testing.T) {
	cfg := mustParse(t, "\ufeff# leading comment\r\n; another\r\n  [ n e t ]  \r\nwid th = 4 1 6\r\n\t\r\n"+
		"#filters=1\n[convolutional]\nactivation = lea ky\nmask = 0,1, 2 # inline\nsize=3#x\n")
	if got := cfg.Net.Int("width", 0); got != 416 {
		t.Errorf("width = %d, want 416", got)
	}
	if cfg.Net.Line != 3 {
		t.Errorf("[net] line %d, want 3", cfg.Net.Line)
	}
	c := cfg.Layers[0]
	if got := c.String("activation", ""); got != "leaky" {
		t.Errorf("activation = %q", got)
	}
	if c.Has("filters") {
		t.Error("commented-out key is present")
	}
	if got := c.Ints("mask"); len(got) != 3 || got[2] != 2 {
		t.Errorf("mask = %v", got)
	}
	if got := c.String("mask", ""); got != "0,1,2#inline" {
		t.Errorf("String keeps the raw value, got %q", got)
	}
	if got := c.Int("size", 0); got != 3 {
		t.Errorf("size = %d", got)
	}
	if err := c.Err(); err != nil {
		t.Error(err)
	}
}

// TestValuesSurvive checks that characters gopkg.in/ini.v1 treats specially
// reach the caller byte for byte.
func TestValuesSurvive(t *testing.T) {
	values := []string{
		`"quoted"`, `'single'`, `"""`, `""""""`, `"""x"""y`, "`tick`", "`", "a`b", `back\`, `c:\dir\`,
		`a;b`, `a#b`, `;`, `#`, `a=b`, `==`, `x"""`, `"`, `""`, `''`, `\\\`, `%s%d`, "\u00e9\u4e2d",
		"\xff\xfe", "\v", "a\fb", "\u00a0", "[x]", "]", "-", "0x1p-2",
	}
	var b strings.Builder
	b.WriteString(netHead + "[convolutional]\n")
	for i, v := range values {
		b.WriteString("k" + strconv.Itoa(i) + " = " + v + "\n")
	}
	b.WriteString("[route]\nlayers=-1\n")
	cfg := mustParse(t, b.String())
	if len(cfg.Layers) != 2 {
		t.Fatalf("got %d layers, want 2 (a value swallowed a header?)", len(cfg.Layers))
	}
	for i, v := range values {
		if got := cfg.Layers[0].String("k"+strconv.Itoa(i), "<absent>"); got != v {
			t.Errorf("value %d: got %q, want %q", i, got, v)
		}
	}
	if got := cfg.Layers[1].Ints("layers"); len(got) != 1 || got[0] != -1 {
		t.Errorf("layers = %v", got)
	}
}

func TestKeysSurvive(t *testing.T) {
	keys := []string{"a:b", "a.b", "x]", "DEFAULT", "k\"", "a-b", "--", "\u00e9", "a\\"}
	var b strings.Builder
	b.WriteString(netHead + "[convolutional]\n")
	for _, k := range keys {
		b.WriteString(k + "=1\n")
	}
	cfg := mustParse(t, b.String())
	got := cfg.Layers[0].Keys()
	if strings.Join(got, "|") != strings.Join(keys, "|") {
		t.Errorf("Keys() = %q, want %q", got, keys)
	}
}

func TestRepeatedKeyFirstWins(t *testing.T) {
	cfg := mustParse(t, netHead+"[convolutional]\nfilters=16\nsize=3\nfilters=32\nfilters=16\n")
	c := cfg.Layers[0]
	if got := c.Int("filters", 0); got != 16 {
		t.Errorf("filters = %d, want the first value 16", got)
	}
	if got := c.Keys(); strings.Join(got, ",") != "filters,size" {
		t.Errorf("Keys() = %v", got)
	}
	c.Int("size", 0)
	cfg.Net.Int("width", 0)
	cfg.Net.Int("height", 0)
	cfg.Net.Int("channels", 0)
	ws := cfg.Warnings()
	if len(ws) != 2 {
		t.Fatalf("warnings: %v", ws)
	}
	for i, line := range []int{8, 9} {
		if ws[i].Line != line || ws[i].Key != "filters" || !strings.Contains(ws[i].Msg, "repeated") || !strings.Contains(ws[i].Msg, "line 6") {
			t.Errorf("warning %d: %+v", i, ws[i])
		}
	}
}

func TestUnusedWarnings(t *testing.T) {
	cfg := mustParse(t, netHead+"[convolutional]\nfilters=16\nsize=3\nfoo=1\n\n[yolo]\nmask=0\nbar=2\n"+
		"noequals\nempty=\n")
	for _, k := range []string{"width", "height", "channels"} {
		cfg.Net.Int(k, 0)
	}
	cfg.Layers[0].Int("filters", 0)
	cfg.Layers[0].Has("size")
	cfg.Layers[1].Ints("mask")
	ws := cfg.Warnings()
	var got []string
	for _, w := range ws {
		got = append(got, w.String())
	}
	want := []string{
		"model.cfg:8: [convolutional] #1: unused field 'foo'",
		"model.cfg:12: [yolo] #1: unused field 'bar'",
		"model.cfg:13: [yolo] #1: ignored line 'noequals': no '='",
		"model.cfg:14: [yolo] #1: ignored line 'empty=': empty value",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if ws[0].Key != "foo" || ws[0].Section != "[convolutional] #1" || ws[0].File != "model.cfg" {
		t.Errorf("warning fields: %+v", ws[0])
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, text string
		line       int
		section    string
		contains   string
		unsupp     bool
	}{
		{"empty", "", 0, "", "no sections", false},
		{"only comments", "# x\n\n; y\n", 0, "", "no sections", false},
		{"text before section", "# c\nwidth=3\n[net]\n", 2, "", "before the first section", false},
		{"first not net", "\n[convolutional]\nfilters=1\n", 2, "[convolutional] #1", "first section must be [net]", false},
		{"second net", netHead + "[convolutional]\n[network]\n", 6, "", "first and only", false},
		{"unknown", netHead + "[convolutional]\n\n[foo]\n", 7, "", "unknown section type [foo]", false},
		{"case matters", netHead + "[Convolutional]\n", 5, "", "unknown section type", false},
		{"deconv unknown", netHead + "[deconvolutional]\n", 5, "", "unknown section", false},
		{"junk after header", netHead + "[route]#x\n", 5, "", "malformed section header", false},
		{"unclosed", netHead + "[route\n", 5, "", "malformed", false},
		{"nul", netHead + "a=\x00\n", 5, "", "NUL", false},
		{"lstm", netHead + "[convolutional]\n[lstm]\noutput=4\n", 6, "[lstm] #1", "unsupported layer type", true},
		{"rnn", netHead + "[rnn]\n", 5, "[rnn] #1", "unsupported layer type", true},
		{"gru", netHead + "[gru]\n", 5, "[gru] #1", "unsupported", true},
		{"crnn", netHead + "[crnn]\n", 5, "[crnn] #1", "unsupported", true},
		{"conv_lstm", netHead + "[conv_lstm]\n", 5, "[conv_lstm] #1", "unsupported", true},
		{"history", netHead + "[history]\n", 5, "[history] #1", "unsupported", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("bad.cfg", []byte(tc.text))
			if err == nil {
				t.Fatal("no error")
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error: %v", err, err)
			}
			if e.Line != tc.line || e.Section != tc.section || e.File != "bad.cfg" || !strings.Contains(e.Msg, tc.contains) {
				t.Errorf("got line %d section %q msg %q; want line %d section %q msg containing %q",
					e.Line, e.Section, e.Msg, tc.line, tc.section, tc.contains)
			}
			if errors.Is(err, ErrUnsupported) != tc.unsupp {
				t.Errorf("errors.Is(ErrUnsupported) = %v", !tc.unsupp)
			}
			if tc.line > 0 && !strings.HasPrefix(err.Error(), "bad.cfg:"+strconv.Itoa(tc.line)+": ") {
				t.Errorf("Error() = %q lacks the file:line prefix", err.Error())
			}
		})
	}
	big := make([]byte, MaxFileSize+1)
	if _, err := Parse("big.cfg", big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversized file: %v", err)
	}
}

func TestErrorFormat(t *testing.T) {
	e := &Error{File: "model.cfg", Line: 123, Section: "[route] #57", Key: "layers", Msg: "bad"}
	if got := e.Error(); got != "model.cfg:123: [route] #57: layers: bad" {
		t.Errorf("got %q", got)
	}
	e = &Error{File: "model.cfg", Msg: "no sections"}
	if got := e.Error(); got != "model.cfg: no sections" {
		t.Errorf("got %q", got)
	}
	e = &Error{Msg: "x"}
	if got := e.Error(); got != "x" {
		t.Errorf("got %q", got)
	}
}

func TestGetters(t *testing.T) {
	cfg := mustParse(t, netHead+`[yolo]
i1=42
i2=-7
i3=+5
i4=1.0
i5=2.
i6=1.5
i7=3x
i8=0x10
i9=99999999999999999999
f1=0.1
f2=1e-3
f3=.5
f4=abc
f5=inf
l1=1, 2,-3
l2=1,,2
l3=1,2,
l4=10,13,  16,30 # comment
l5=1.5,2
s1=leaky
`)
	s := cfg.Layers[0]
	ints := []struct {
		key  string
		want int
		ok   bool
	}{{"i1", 42, true}, {"i2", -7, true}, {"i3", 5, true}, {"i4", 1, true}, {"i5", 2, true},
		{"i6", -1, false}, {"i7", -1, false}, {"i8", -1, false}, {"i9", -1, false}, {"absent", -1, true}}
	for _, tc := range ints {
		s.err = nil
		got := s.Int(tc.key, -1)
		if got != tc.want || (s.Err() == nil) != tc.ok {
			t.Errorf("Int(%s) = %d err %v; want %d ok=%v", tc.key, got, s.Err(), tc.want, tc.ok)
		}
		if !tc.ok {
			var e *Error
			if !errors.As(s.Err(), &e) || e.Key != tc.key || e.Line != s.KeyLine(tc.key) || e.Section != "[yolo] #1" {
				t.Errorf("Int(%s) error not located: %#v", tc.key, s.Err())
			}
		}
	}
	s.err = nil
	if got := s.Float("f1", 0); got != float64(float32(0.1)) {
		t.Errorf("Float(f1) = %v, want float32 precision %v", got, float64(float32(0.1)))
	}
	if got := s.Float("f2", 0); got != float64(float32(0.001)) {
		t.Errorf("Float(f2) = %v", got)
	}
	if got := s.Float("f3", 0); got != 0.5 {
		t.Errorf("Float(f3) = %v", got)
	}
	if err := s.Err(); err != nil {
		t.Error(err)
	}
	if got := s.Float("f4", 7); got != 7 || s.Err() == nil {
		t.Errorf("Float(f4) = %v err %v", got, s.Err())
	}
	first := s.Err()
	if got := s.Float("f5", 7); got != 7 || s.Err() != first {
		t.Errorf("Float(inf) = %v; Err must stay the first error", got)
	}
	s.err = nil
	if got := s.Ints("l1"); len(got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != -3 {
		t.Errorf("Ints(l1) = %v", got)
	}
	if got := s.Floats("l4"); len(got) != 4 || got[3] != 30 {
		t.Errorf("Floats(l4) = %v", got)
	}
	if s.Ints("absent") != nil || s.Floats("absent") != nil || s.Err() != nil {
		t.Error("absent lists must be nil without error")
	}
	for _, k := range []string{"l2", "l3", "l5"} {
		s.err = nil
		if got := s.Ints(k); got != nil || s.Err() == nil {
			t.Errorf("Ints(%s) = %v err %v; want an error", k, got, s.Err())
		}
	}
	s.err = nil
	if got := s.Floats("l5"); len(got) != 2 || got[0] != 1.5 {
		t.Errorf("Floats(l5) = %v", got)
	}
	if got := s.String("s1", ""); got != "leaky" {
		t.Errorf("String = %q", got)
	}
	if got := s.String("absent", "def"); got != "def" {
		t.Errorf("String default = %q", got)
	}
	if s.KeyLine("i1") != 6 || s.KeyLine("absent") != 0 {
		t.Errorf("KeyLine: %d %d", s.KeyLine("i1"), s.KeyLine("absent"))
	}
	e := s.Errorf("s1", "bad activation %q", "leaky")
	if e.Line != s.KeyLine("s1") || e.Key != "s1" || e.Error() != `model.cfg:25: [yolo] #1: s1: bad activation "leaky"` {
		t.Errorf("Errorf: %v", e)
	}
	e = s.Errorf("", "whole section")
	if e.Line != s.Line || e.Error() != "model.cfg:5: [yolo] #1: whole section" {
		t.Errorf("Errorf(\"\"): %v", e)
	}
	if e := s.Errorf("x", "wrapped: %w", ErrUnsupported); !errors.Is(e, ErrUnsupported) {
		t.Error("Errorf with %w must wrap")
	}
	if math.IsNaN(s.Float("absent", math.NaN())) == false {
		t.Error("Float default not returned")
	}
}

func TestIndexOrdinalLong(t *testing.T) {
	var b strings.Builder
	b.WriteString(netHead)
	for i := 0; i < 60; i++ {
		b.WriteString("[route]\nlayers=-1\n[shortcut]\nfrom=-2\n")
	}
	cfg := mustParse(t, b.String())
	s := cfg.Layers[112]
	if s.Index != 112 || s.Ordinal != 57 || s.Name() != "[route] #57" || s.Line != 5+112*2 {
		t.Errorf("got index %d ordinal %d name %q line %d", s.Index, s.Ordinal, s.Name(), s.Line)
	}
}

// TestLargeInputsStayFast guards against quadratic behaviour on inputs near
// MaxFileSize: one key repeated, many sections, one huge line.
func TestLargeInputsStayFast(t *testing.T) {
	if testing.Short() {
		t.Skip("large inputs")
	}
	n := (MaxFileSize - 100) / 4
	inputs := []struct{ name, text, err string }{
		{"repeated key", "[net]\n" + strings.Repeat("a=1\n", MaxOptions), ""},
		{"too many keys", "[net]\n" + strings.Repeat("a=1\n", n), "more than 262144 options"},
		{"sections", "[net]\n" + strings.Repeat("[max]\n", (MaxFileSize-100)/6), "more than 65536 sections"},
		{"max sections", "[net]\n" + strings.Repeat("[max]\n", MaxSections-1), ""},
		{"long line", "[net]\na=" + strings.Repeat("x", MaxFileSize-100) + "\n", ""},
		{"many keys", "[net]\n" + manyKeys(MaxFileSize/16), ""},
	}
	for _, tc := range inputs {
		start := time.Now()
		_, err := Parse("big.cfg", []byte(tc.text))
		if (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
		}
		d := time.Since(start)
		t.Logf("%s: %v", tc.name, d)
		if d > 20*time.Second {
			t.Errorf("%s: Parse took %v", tc.name, d)
		}
	}
}

func manyKeys(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteString("k" + strconv.Itoa(i) + "=1\n")
	}
	return b.String()
}

func TestWarningsBounded(t *testing.T) {
	cfg := mustParse(t, netHead+"[convolutional]\n"+strings.Repeat("a=1\n", 3000))
	ws := cfg.Warnings()
	if len(ws) != maxWarnings+1 || !strings.Contains(ws[maxWarnings].Msg, "more warnings not shown") {
		t.Fatalf("%d warnings, last %v", len(ws), ws[len(ws)-1])
	}
	// 3 unused net keys + 1 unused a + 2999 repeats = 3003 in all.
	if !strings.HasPrefix(ws[maxWarnings].Msg, "2003 more") {
		t.Errorf("summary %q", ws[maxWarnings].Msg)
	}
}
