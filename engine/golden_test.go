package engine

import (
	"compress/gzip"
	"encoding/json"
	"github.com/darkgo/darkgo/internal/golden"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// goldenDir finds ../shared/golden beside the repository root. It is always
// there in CI, so a missing directory fails the test instead of skipping it.
func goldenDir(t testing.TB) string {
	t.Helper()
	return golden.Dir(t)
}

// repoRoot is the directory holding go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	return golden.RepoRoot(t)
}

func readF32(t testing.TB, path string) []float32 {
	t.Helper()
	return golden.ReadF32(t, path)
}

type goldenStats struct {
	Count     int     `json:"count"`
	Min       float64 `json:"min"`
	Max       float64 `json:"max"`
	Mean      float64 `json:"mean"`
	SumAbs    float64 `json:"sum_abs"`
	L2        float64 `json:"l2"`
	Nonfinite int     `json:"nonfinite"`
}

type goldenLayer struct {
	I       int          `json:"i"`
	Type    string       `json:"type"`
	In      []int        `json:"in"`
	Out     []int        `json:"out"`
	Outputs int          `json:"outputs"`
	BFLOPs  float64      `json:"bflops"`
	Params  int          `json:"params"`
	Stats   *goldenStats `json:"stats"`
	File    string       `json:"file"`
}

type goldenNet struct {
	Net struct {
		W, H, C int
	} `json:"net"`
	FusedBN     int           `json:"fused_bn"`
	Layers      []goldenLayer `json:"layers"`
	TotalBFLOPs float64       `json:"total_bflops"`
	TotalParams int           `json:"total_params"`
}

func readGoldenNet(t testing.TB, path string) *goldenNet {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var g goldenNet
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &g
}

// darknetTypeName is the name Darknet's layer-type enum prints for a section
// type, as used in the golden layers.json files.
func darknetTypeName(typ string) string {
	switch typ {
	case "silence":
		return "empty"
	}
	return typ
}

// checkShapes compares the graph with Darknet's per-layer shapes, costs and
// parameter counts.
func checkShapes(t *testing.T, n *Net, g *goldenNet) {
	t.Helper()
	if len(n.Layers) != len(g.Layers) {
		t.Fatalf("%d layers, Darknet has %d", len(n.Layers), len(g.Layers))
	}
	for i, gl := range g.Layers {
		l := n.Layers[i]
		if darknetTypeName(l.Type) != gl.Type {
			t.Errorf("layer %d: type %s, Darknet %s", i, l.Type, gl.Type)
		}
		if len(gl.Out) == 3 && gl.Out[0]*gl.Out[1]*gl.Out[2] != 0 {
			if got := []int{l.Out.C, l.Out.H, l.Out.W}; got[0] != gl.Out[0] || got[1] != gl.Out[1] || got[2] != gl.Out[2] {
				t.Errorf("layer %d %s: out %v, Darknet %v", i, l.Name, got, gl.Out)
			}
		}
		if l.Outputs != gl.Outputs {
			t.Errorf("layer %d %s: outputs %d, Darknet %d", i, l.Name, l.Outputs, gl.Outputs)
		}
		if !closeRel(l.BFLOPs, gl.BFLOPs, 1e-6) {
			t.Errorf("layer %d %s: bflops %.9g, Darknet %.9g", i, l.Name, l.BFLOPs, gl.BFLOPs)
		}
		if l.Params != gl.Params {
			t.Errorf("layer %d %s: params %d, Darknet %d", i, l.Name, l.Params, gl.Params)
		}
	}
}

func closeRel(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(math.Abs(a), math.Abs(b))+1e-12
}

func stats(v []float32) goldenStats {
	s := goldenStats{Count: len(v), Min: math.Inf(1), Max: math.Inf(-1)}
	var sum, sq float64
	for _, x := range v {
		f := float64(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			s.Nonfinite++
			continue
		}
		s.Min, s.Max = math.Min(s.Min, f), math.Max(s.Max, f)
		sum += f
		s.SumAbs += math.Abs(f)
		sq += f * f
	}
	s.Mean = sum / float64(len(v))
	s.L2 = math.Sqrt(sq)
	return s
}

// checkStats compares a layer output's statistics with Darknet's. The
// tolerance is relative to the output's scale (its RMS), because sums of
// many terms computed in a different order differ in the last bits.
func checkStats(t *testing.T, what string, got []float32, want *goldenStats, tol float64) {
	t.Helper()
	s := stats(got)
	if s.Count != want.Count || s.Nonfinite != want.Nonfinite {
		t.Errorf("%s: count %d nonfinite %d, Darknet %d %d", what, s.Count, s.Nonfinite, want.Count, want.Nonfinite)
		return
	}
	scale := want.L2/math.Sqrt(float64(max(want.Count, 1))) + 1e-6
	if !closeRel(s.L2, want.L2, tol) || !closeRel(s.SumAbs, want.SumAbs, tol) ||
		math.Abs(s.Mean-want.Mean) > tol*scale || math.Abs(s.Min-want.Min) > tol*scale*10 || math.Abs(s.Max-want.Max) > tol*scale*10 {
		t.Errorf("%s: stats mean %.7g l2 %.7g sum_abs %.7g min %.7g max %.7g; Darknet %.7g %.7g %.7g %.7g %.7g",
			what, s.Mean, s.L2, s.SumAbs, s.Min, s.Max, want.Mean, want.L2, want.SumAbs, want.Min, want.Max)
	}
}

// maxAbsErr is the largest |got-want| divided by the largest |want|.
func maxAbsErr(got, want []float32) float64 {
	var e, m float64
	for i := range want {
		e = math.Max(e, math.Abs(float64(got[i])-float64(want[i])))
		m = math.Max(m, math.Abs(float64(want[i])))
	}
	return e / math.Max(m, 1e-12)
}

// relL2Err is ||got-want|| / ||want||.
func relL2Err(got, want []float32) float64 {
	var d, w float64
	for i := range want {
		x := float64(got[i]) - float64(want[i])
		d += x * x
		w += float64(want[i]) * float64(want[i])
	}
	return math.Sqrt(d) / math.Max(math.Sqrt(w), 1e-12)
}

func loadGoldenNet(t *testing.T, dir string) *Net {
	t.Helper()
	n, err := BuildFile(filepath.Join(dir, "model.cfg"), nil)
	if err != nil {
		t.Fatal(err)
	}
	wpath := filepath.Join(dir, "model.weights")
	f, err := os.Open(wpath)
	if os.IsNotExist(err) {
		wpath += ".gz"
		f, err = os.Open(wpath)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if strings.HasSuffix(wpath, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := n.LoadWeights(zr, wpath); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := n.LoadWeights(f, wpath); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestGoldenUnit runs every one-layer-type network Darknet produced and
// compares shapes, costs, statistics of every layer and the raw outputs.
func TestGoldenUnit(t *testing.T) {
	root := filepath.Join(goldenDir(t), "unit")
	cases, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 100 {
		t.Fatalf("only %d unit cases in %s", len(cases), root)
	}
	worst := map[string]float64{}
	var mu = make(chan struct{}, 1)
	mu <- struct{}{}
	for _, c := range cases {
		dir := filepath.Join(root, c.Name())
		t.Run(c.Name(), func(t *testing.T) {
			g := readGoldenNet(t, filepath.Join(dir, "layers.json"))
			n := loadGoldenNet(t, dir)
			checkShapes(t, n, g)
			input := readF32(t, filepath.Join(dir, "input.f32"))
			outs, err := n.ForwardReference(input)
			if err != nil {
				t.Fatal(err)
			}
			checkSession(t, n, input, outs, 1, 1e-5)
			checkSession(t, n, input, outs, 3, 1e-5)
			for i, gl := range g.Layers {
				if gl.Stats != nil {
					checkStats(t, n.Layers[i].Name, outs[i], gl.Stats, 1e-4)
				}
				if gl.File == "" {
					continue
				}
				want := readF32(t, filepath.Join(dir, gl.File))
				if len(want) != len(outs[i]) {
					t.Fatalf("layer %d: %d outputs, Darknet dumped %d", i, len(outs[i]), len(want))
				}
				e := maxAbsErr(outs[i], want)
				if e > 1e-4 {
					t.Errorf("layer %d %s: max abs error %.3g of the output's max magnitude (limit 1e-4)", i, n.Layers[i].Name, e)
				}
				family := strings.SplitN(c.Name(), "_", 2)[0]
				<-mu
				worst[family] = math.Max(worst[family], e)
				mu <- struct{}{}
			}
		})
	}
	fams := make([]string, 0, len(worst))
	for f := range worst {
		fams = append(fams, f)
	}
	sort.Strings(fams)
	for _, f := range fams {
		t.Logf("unit family %-12s worst max-abs error %.3g", f, worst[f])
	}
}

// TestGoldenFull runs the six full networks on Darknet's random input and
// compares every layer's statistics and every dumped output.
func TestGoldenFull(t *testing.T) {
	root := filepath.Join(goldenDir(t), "full")
	nets, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range nets {
		dir := filepath.Join(root, c.Name())
		t.Run(c.Name(), func(t *testing.T) {
			if testing.Short() && c.Name() == "yolov4-csp-s-mish" {
				t.Skip("-short: the largest network is run by the full test suite")
			}
			g := readGoldenNet(t, filepath.Join(dir, "layers.json"))
			n := loadGoldenNet(t, dir)
			checkShapes(t, n, g)
			input := readF32(t, filepath.Join(dir, "input.f32"))
			outs, err := n.ForwardReference(input)
			if err != nil {
				t.Fatal(err)
			}
			e := checkSession(t, n, input, outs, 2, 1e-5)
			t.Logf("fast path (%d Winograd layers) vs reference: worst layer relative L2 error %.3g (limit 1e-5)", winogradLayers(n), e)
			for i, gl := range g.Layers {
				if gl.Stats != nil {
					checkStats(t, n.Layers[i].Name, outs[i], gl.Stats, 1e-3)
				}
				if gl.File == "" {
					continue
				}
				want := readF32(t, filepath.Join(dir, gl.File))
				e := relL2Err(outs[i], want)
				t.Logf("layer %d %s: relative L2 error %.3g", i, n.Layers[i].Name, e)
				if e > 1e-4 {
					t.Errorf("layer %d %s: relative L2 error %.3g (limit 1e-4)", i, n.Layers[i].Name, e)
				}
			}
		})
	}
}
