package cfgparse

import (
	"encoding/json"
	"errors"
	"github.com/darkgo/darkgo/internal/golden"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// repoRoot walks up from the package directory to the directory holding
// go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	return golden.RepoRoot(t)
}

// goldenDir returns ../shared/golden relative to the repository root; the
// golden data is required, so its absence fails the test.
func goldenDir(t testing.TB) string {
	t.Helper()
	return golden.Dir(t)
}

// goldenCfgs lists every model.cfg of the golden unit and full cases.
func goldenCfgs(t testing.TB) []string {
	t.Helper()
	d := goldenDir(t)
	var files []string
	for _, pat := range []string{"unit/*/model.cfg", "full/*/model.cfg"} {
		m, err := filepath.Glob(filepath.Join(d, pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 50 {
		t.Fatalf("only %d golden cfgs found in %s", len(files), d)
	}
	return files
}

// darknetCfgs lists Darknet's own cfg folder if another helper has copied it
// to testdata/darknetcfg; it is optional.
func darknetCfgs(t testing.TB) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(repoRoot(t), "testdata", "darknetcfg", "*.cfg"))
	return m
}

type goldenLayers struct {
	Net struct {
		W, H, C int
	} `json:"net"`
	Layers []struct {
		I    int    `json:"i"`
		Type string `json:"type"`
	} `json:"layers"`
}

var headerRE = regexp.MustCompile(`(?m)^[ \t]*\[`)

// TestGoldenCfgs parses every golden cfg and checks the sections against
// darknet's own layers.json: same number of layers, same types in order.
func TestGoldenCfgs(t *testing.T) {
	for _, path := range goldenCfgs(t) {
		dir := filepath.Dir(path)
		name := filepath.Base(filepath.Dir(dir)) + "/" + filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := Parse("model.cfg", data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if want := len(headerRE.FindAll(data, -1)); len(cfg.Layers)+1 != want {
				t.Errorf("got %d sections, the text has %d headers", len(cfg.Layers)+1, want)
			}
			var gl goldenLayers
			raw, err := os.ReadFile(filepath.Join(dir, "layers.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(raw, &gl); err != nil {
				t.Fatal(err)
			}
			if len(gl.Layers) != len(cfg.Layers) {
				t.Fatalf("got %d layers, darknet built %d", len(cfg.Layers), len(gl.Layers))
			}
			for i, l := range gl.Layers {
				s := cfg.Layers[i]
				if s.Type != l.Type || s.Index != l.I {
					t.Errorf("layer %d: got %s index %d, darknet %s index %d", i, s.Type, s.Index, l.Type, l.I)
				}
			}
			if w, h, c := cfg.Net.Int("width", 0), cfg.Net.Int("height", 0), cfg.Net.Int("channels", 0); w != gl.Net.W || h != gl.Net.H || c != gl.Net.C {
				t.Errorf("net %dx%dx%d, darknet %dx%dx%d", w, h, c, gl.Net.W, gl.Net.H, gl.Net.C)
			}
			if err := cfg.Net.Err(); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestDarknetCfgFolder parses Darknet's cfg folder when present. Every file
// must parse, except recurrent networks (ErrUnsupported); where the golden
// shapes/ has darknet's layer list for the file, the types must match.
func TestDarknetCfgFolder(t *testing.T) {
	files := darknetCfgs(t)
	if len(files) == 0 {
		t.Log("testdata/darknetcfg not present; nothing to check")
		return
	}
	shapes := filepath.Join(goldenDir(t), "shapes")
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			cfg, err := ParseFile(path)
			if errors.Is(err, ErrUnsupported) {
				t.Logf("unsupported: %v", err)
				return
			}
			if err != nil {
				t.Fatalf("ParseFile: %v", err)
			}
			base := strings.TrimSuffix(filepath.Base(path), ".cfg")
			raw, err := os.ReadFile(filepath.Join(shapes, base+".json"))
			if err != nil {
				return // darknet could not build it (or it is not in shapes/)
			}
			var gl goldenLayers
			if err := json.Unmarshal(raw, &gl); err != nil {
				t.Fatal(err)
			}
			if len(gl.Layers) != len(cfg.Layers) {
				t.Fatalf("got %d layers, darknet built %d", len(cfg.Layers), len(gl.Layers))
			}
			for i, l := range gl.Layers {
				if cfg.Layers[i].Type != l.Type {
					t.Errorf("layer %d: got %s, darknet %s", i, cfg.Layers[i].Type, l.Type)
				}
			}
		})
	}
}
