package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/darkgo/darkgo/internal/golden"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// goldenDir finds ../shared/golden beside the repository root. It is always
// there in CI, so a missing directory fails the test instead of skipping it.
func goldenDir(t testing.TB) string {
	t.Helper()
	return golden.Dir(t)
}

// runCmd runs the command and returns its status and outputs.
func runCmd(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func readF32(t *testing.T, path string) []float32 {
	t.Helper()
	return golden.ReadF32(t, path)
}

type goldenShapes struct {
	Net struct {
		W, H, C int
	} `json:"net"`
	Layers []struct {
		I       int     `json:"i"`
		Out     []int   `json:"out"`
		Outputs int     `json:"outputs"`
		BFLOPs  float64 `json:"bflops"`
		Params  int     `json:"params"`
	} `json:"layers"`
	TotalBFLOPs float64 `json:"total_bflops"`
	TotalParams int     `json:"total_params"`
}

func closeRel(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(math.Abs(a), math.Abs(b))+1e-12
}

// TestSummaryJSONFull checks -summary -json on the six full networks
// against the shapes.json Darknet printed for the same cfg.
func TestSummaryJSONFull(t *testing.T) {
	root := filepath.Join(goldenDir(t), "full")
	nets, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(nets) != 6 {
		t.Fatalf("%d full networks in %s, want 6", len(nets), root)
	}
	for _, d := range nets {
		t.Run(d.Name(), func(t *testing.T) {
			dir := filepath.Join(root, d.Name())
			b, err := os.ReadFile(filepath.Join(dir, "shapes.json"))
			if err != nil {
				t.Fatal(err)
			}
			var g goldenShapes
			if err := json.Unmarshal(b, &g); err != nil {
				t.Fatal(err)
			}
			code, out, stderr := runCmd("-cfg", filepath.Join(dir, "model.cfg"), "-summary", "-json",
				"-size", fmt.Sprintf("%dx%d", g.Net.W, g.Net.H))
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var s summaryJSON
			if err := json.Unmarshal([]byte(out), &s); err != nil {
				t.Fatalf("output is not the summary JSON: %v\n%s", err, out)
			}
			if s.Input != [3]int{g.Net.C, g.Net.H, g.Net.W} {
				t.Errorf("input %v, Darknet %v", s.Input, g.Net)
			}
			if !closeRel(float64(s.BFLOPs), g.TotalBFLOPs, 1e-6) || s.Params != g.TotalParams {
				t.Errorf("totals %.9g BFLOPs %d params, Darknet %.9g %d", float64(s.BFLOPs), s.Params, g.TotalBFLOPs, g.TotalParams)
			}
			if len(s.Layers) != len(g.Layers) {
				t.Fatalf("%d layers, Darknet %d", len(s.Layers), len(g.Layers))
			}
			for i, gl := range g.Layers {
				l := s.Layers[i]
				if l.Index != i || l.Outputs != gl.Outputs || l.Params != gl.Params || !closeRel(float64(l.BFLOPs), gl.BFLOPs, 1e-6) {
					t.Errorf("layer %d: %+v, Darknet %+v", i, l, gl)
				}
				if gl.Out[0]*gl.Out[1]*gl.Out[2] != 0 && l.Out != [3]int(gl.Out) {
					t.Errorf("layer %d: out %v, Darknet %v", i, l.Out, gl.Out)
				}
			}
		})
	}
}

// TestSummaryTable checks the human-readable table: one line per layer
// and the totals line.
func TestSummaryTable(t *testing.T) {
	dir := filepath.Join(goldenDir(t), "unit", "yolo_basic")
	code, out, stderr := runCmd("-cfg", filepath.Join(dir, "model.cfg"), "-summary")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 {
		t.Fatalf("want header, 3 layers and totals, got:\n%s", out)
	}
	for i, want := range []string{"convolutional", "convolutional", "yolo"} {
		f := strings.Fields(lines[i+1])
		if f[0] != fmt.Sprint(i) || f[1] != want {
			t.Errorf("line %d: %q, want layer %d %s", i+1, lines[i+1], i, want)
		}
	}
	if !strings.Contains(lines[1], "32 x 32 x 16") || !strings.Contains(lines[3], "classes 2 mask 3,4,5") {
		t.Errorf("unexpected layer lines:\n%s", out)
	}
	if !strings.Contains(lines[4], "3 layers") || !strings.Contains(lines[4], "853 parameters") {
		t.Errorf("totals line %q", lines[4])
	}
	// -size changes every shape.
	code, out, _ = runCmd("-cfg", filepath.Join(dir, "model.cfg"), "-summary", "-size", "128x96")
	if code != 0 || !strings.Contains(out, "64 x 48 x 16") {
		t.Errorf("-size 128x96: exit %d\n%s", code, out)
	}
}

// TestDumpUnit runs the dump mode on Darknet's unit networks with their
// weights and compares every dumped output with Darknet's.
func TestDumpUnit(t *testing.T) {
	for _, c := range []string{"yolo_basic", "yolo_sxy2_newcoords", "region_v2", "softmax_groups", "connected_bn"} {
		t.Run(c, func(t *testing.T) {
			dir := filepath.Join(goldenDir(t), "unit", c)
			outDir := t.TempDir()
			code, out, stderr := runCmd("-cfg", filepath.Join(dir, "model.cfg"), "-weights", filepath.Join(dir, "model.weights"),
				"-input-tensor", filepath.Join(dir, "input.f32"), "-dump", outDir)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			want, err := filepath.Glob(filepath.Join(dir, "out_*.f32"))
			if err != nil || len(want) == 0 {
				t.Fatalf("no Darknet dumps in %s", dir)
			}
			got, _ := filepath.Glob(filepath.Join(outDir, "out_*.f32"))
			if len(got) != len(want) {
				t.Errorf("wrote %d files, Darknet dumped %d:\n%s", len(got), len(want), out)
			}
			for _, w := range want {
				name := filepath.Base(w)
				if !strings.Contains(out, name) {
					t.Errorf("stdout does not list %s:\n%s", name, out)
				}
				ref := readF32(t, w)
				v := readF32(t, filepath.Join(outDir, name))
				if len(v) != len(ref) {
					t.Fatalf("%s: %d values, Darknet %d", name, len(v), len(ref))
				}
				var e, m float64
				for i := range ref {
					e = math.Max(e, math.Abs(float64(v[i])-float64(ref[i])))
					m = math.Max(m, math.Abs(float64(ref[i])))
				}
				if e > 1e-4*m {
					t.Errorf("%s: max abs error %.3g with max magnitude %.3g", name, e, m)
				}
			}
		})
	}
}

// TestDumpSynthetic runs a cfg without weights: the synthetic weights
// depend only on the seed.
func TestDumpSynthetic(t *testing.T) {
	dir := filepath.Join(goldenDir(t), "unit", "yolo_basic")
	dump := func(seed string) []float32 {
		outDir := t.TempDir()
		code, _, stderr := runCmd("-cfg", filepath.Join(dir, "model.cfg"), "-input-tensor", filepath.Join(dir, "input.f32"),
			"-dump", outDir, "-seed", seed)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		return readF32(t, filepath.Join(outDir, "out_2.f32"))
	}
	a, b, c := dump("7"), dump("7"), dump("8")
	if len(a) != 32*32*21 {
		t.Fatalf("%d values", len(a))
	}
	same := func(x, y []float32) bool {
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	if !same(a, b) {
		t.Error("same seed, different outputs")
	}
	if same(a, c) {
		t.Error("different seeds, same outputs")
	}
}

// TestErrors checks exit statuses and that errors name the file and reason.
func TestErrors(t *testing.T) {
	unit := filepath.Join(goldenDir(t), "unit", "yolo_basic")
	cfg := filepath.Join(unit, "model.cfg")
	tmp := t.TempDir()
	short := filepath.Join(tmp, "short.f32")
	if err := os.WriteFile(short, make([]byte, 12), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(tmp, "bad.cfg")
	if err := os.WriteFile(bad, []byte("[net]\nwidth=8\nheight=8\nchannels=3\n[convolutional]\nfilters=4\nsize=3\nactivation=leaky\n[yolo]\nclasses=2\nmask=0\nnum=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		code int
		msg  []string // substrings of stderr
	}{
		{nil, 2, []string{"no images given"}},
		{[]string{"-nosuchflag"}, 2, []string{"nosuchflag"}},
		{[]string{"-cfg", cfg}, 2, []string{"no images given"}},
		{[]string{"-cfg", cfg, "-summary", "extra"}, 2, []string{"unexpected argument"}},
		{[]string{"-cfg", cfg, "-summary", "-size", "12"}, 2, []string{"-size", "WxH"}},
		{[]string{"-cfg", cfg, "-summary", "-size", "0x32"}, 2, []string{"-size"}},
		{[]string{"-cfg", cfg, "-summary", "-dump", tmp}, 2, []string{"-dump does not apply to -summary"}},
		{[]string{"-cfg", cfg, "-dump", tmp}, 2, []string{"-input-tensor and -dump"}},
		{[]string{"-cfg", filepath.Join(tmp, "missing.cfg"), "-summary"}, 1, []string{"missing.cfg"}},
		{[]string{"-cfg", bad, "-summary"}, 1, []string{"bad.cfg", "[yolo]", "filters="}},
		{[]string{"-cfg", cfg, "-input-tensor", short, "-dump", tmp}, 1, []string{"short.f32", "12 bytes", "49152"}},
		{[]string{"-cfg", cfg, "-input-tensor", filepath.Join(tmp, "none.f32"), "-dump", tmp}, 1, []string{"none.f32"}},
		{[]string{"-cfg", cfg, "-weights", short, "-input-tensor", filepath.Join(unit, "input.f32"), "-dump", tmp}, 1, []string{"short.f32"}},
	} {
		code, _, stderr := runCmd(c.args...)
		if code != c.code {
			t.Errorf("%q: exit %d, want %d (stderr %q)", c.args, code, c.code, stderr)
		}
		for _, m := range c.msg {
			if !strings.Contains(stderr, m) {
				t.Errorf("%q: stderr %q does not mention %q", c.args, stderr, m)
			}
		}
	}
	if code, out, _ := runCmd("-h"); code != 0 || out != "" {
		t.Errorf("-h: exit %d, stdout %q", code, out)
	}
}
