package cfgparse

import (
	"strings"
	"testing"
)

// TestCorpusNumbers reads every numeric-looking value of every golden and
// Darknet cfg through the numeric getters: the strict number rules must
// accept everything Darknet's own cfgs contain.
func TestCorpusNumbers(t *testing.T) {
	files := append(goldenCfgs(t), darknetCfgs(t)...)
	checked := 0
	for _, path := range files {
		cfg, err := ParseFile(path)
		if err != nil {
			continue // TestGoldenCfgs / TestDarknetCfgFolder report these
		}
		for _, s := range append([]*Section{cfg.Net}, cfg.Layers...) {
			for _, k := range s.Keys() {
				v := s.String(k, "")
				if !strings.ContainsAny(v[:1], "0123456789+-.") {
					continue
				}
				checked++
				if s.Floats(k) == nil {
					t.Errorf("%s: %v", path, s.Err())
					s.err = nil
					continue
				}
				if !strings.ContainsAny(stripComment(v), ".eE") && s.Ints(k) == nil {
					t.Errorf("%s: %v", path, s.Err())
					s.err = nil
				}
			}
		}
	}
	if checked < 1000 {
		t.Errorf("only %d numeric values checked", checked)
	}
	t.Logf("%d numeric values in %d files", checked, len(files))
}
