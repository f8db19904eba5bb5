package cfgparse

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse. It must never panic or hang, must
// return *Error on failure, must never hit an internal inconsistency between
// the pre-scan and ini.v1, and every successful result must be well formed.
func FuzzParse(f *testing.F) {
	for _, path := range append(goldenCfgs(f), darknetCfgs(f)...) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"", "[net]", "[net]\n[conv]\n", "[net]\na=\"\"\"\nb=`\n[route]\n", "[net]\na=b\\\n[yolo]\n",
		"x=1\n[net]\n", "[net]\n-=1\n\"k\"=2\n`k`=3\n", "[net]\na=1\na=2\n", "\ufeff[network]\r\nw=1\r\n",
		"[net]\n[lstm]\n", "[net]\n[]\n", "[net]\n=\n==\na==b\n", "[net]\n\x85=1\n\u00a0=2\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz.cfg", data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error is %T, not *Error: %v", err, err)
			}
			if strings.Contains(e.Msg, "internal") {
				t.Fatalf("internal inconsistency: %v", err)
			}
			_ = err.Error()
			return
		}
		if cfg.Net == nil || cfg.Net.Type != "net" || cfg.Net.Index != -1 {
			t.Fatalf("bad net section %+v", cfg.Net)
		}
		ord := map[string]int{}
		prevLine := cfg.Net.Line
		for i, s := range cfg.Layers {
			ord[s.Type]++
			if s.Index != i || s.Ordinal != ord[s.Type] || s.Line <= prevLine || s.Type == "net" {
				t.Fatalf("layer %d: index %d ordinal %d line %d type %q", i, s.Index, s.Ordinal, s.Line, s.Type)
			}
			prevLine = s.Line
		}
		for _, s := range append([]*Section{cfg.Net}, cfg.Layers...) {
			for _, k := range s.Keys() {
				if !s.Has(k) || s.KeyLine(k) <= s.Line {
					t.Fatalf("%s: key %q not found or misplaced", s.Name(), k)
				}
				s.Int(k, 0)
				s.Float(k, 0)
				s.Ints(k)
				s.Floats(k)
				_ = s.String(k, "")
				_ = s.Errorf(k, "x").Error()
			}
		}
		for _, w := range cfg.Warnings() {
			if strings.HasPrefix(w.Msg, "unused") {
				t.Fatalf("all keys were read, still %v", w)
			}
			_ = w.String()
		}
	})
}
