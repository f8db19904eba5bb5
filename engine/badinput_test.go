package engine

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/darkgo/darkgo/cfgparse"
	"github.com/darkgo/darkgo/weights"
)

const badBase = `[net]
width=32
height=32
channels=3
[convolutional]
filters=8
size=3
pad=1
activation=leaky
`

// TestBadCfgs checks absurd or inconsistent cfgs are rejected with an error
// naming the place, before anything large is allocated.
func TestBadCfgs(t *testing.T) {
	for _, c := range []struct{ name, text, want string }{
		{"huge width", strings.Replace(badBase, "width=32", "width=100000000", 1), "[net]"},
		{"negative filters", badBase + "[convolutional]\nfilters=-3\nsize=1\n", "filters"},
		{"route to a later layer", badBase + "[route]\nlayers=900\n", "layers"},
		{"route to itself", badBase + "[route]\nlayers=1\n", "layers"},
		{"route too far back", badBase + "[route]\nlayers=-5\n", "layers"},
		{"empty route", badBase + "[route]\nlayers=\n", "route"},
		{"shortcut to a later layer", badBase + "[shortcut]\nfrom=7\n", "from"},
		{"zero size", badBase + "[convolutional]\nfilters=4\nsize=0\n", "size"},
		{"bad groups", badBase + "[convolutional]\nfilters=4\nsize=1\ngroups=3\n", "groups"},
		{"output empty", badBase + "[convolutional]\nfilters=4\nsize=64\n", "empty"},
		{"unknown activation", badBase + "[convolutional]\nfilters=4\nsize=1\nactivation=leakyy\n", "leakyy"},
		{"yolo filters mismatch", badBase + "[yolo]\nclasses=80\nmask=0,1,2\nnum=3\nanchors=1,2,3,4,5,6\n", "yolo"},
		{"no input size", "[net]\nchannels=3\n[convolutional]\nfilters=1\n", "[net]"},
		{"budget", strings.Replace(strings.Replace(badBase, "width=32", "width=30000", 1), "height=32", "height=30000", 1) +
			"[convolutional]\nfilters=2048\nsize=1\n", "memory"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := cfgparse.Parse("bad.cfg", []byte(c.text))
			if err == nil {
				_, err = Build(cfg, nil)
			}
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			if !strings.Contains(msg, "bad.cfg") || !strings.Contains(msg, c.want) {
				t.Errorf("error %q should name bad.cfg and mention %q", msg, c.want)
			}
		})
	}
}

// TestBadWeights checks short, long and empty weights files are errors
// naming the layer.
func TestBadWeights(t *testing.T) {
	cfg, err := cfgparse.Parse("ok.cfg", []byte(badBase))
	if err != nil {
		t.Fatal(err)
	}
	full := func(extra int) []byte {
		var buf bytes.Buffer
		data := make([]float32, 8+8*27+extra)
		if err := weights.Write(&buf, weights.DefaultHeader(), []weights.Layer{{Tensors: []weights.Tensor{{Name: "all", Data: data}}}}); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	ok := full(0)
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "header"},
		{"short", ok[:len(ok)-4], "[convolutional] #1"},
		{"long", full(3), "trailing"},
	} {
		t.Run(c.name, func(t *testing.T) {
			n, err := Build(cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = n.LoadWeights(bytes.NewReader(c.data), "x.weights")
			if err == nil || !strings.Contains(err.Error(), "x.weights") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v should name x.weights and mention %q", err, c.want)
			}
		})
	}
	n, _ := Build(cfg, nil)
	if err := n.LoadWeights(bytes.NewReader(ok), "x.weights"); err != nil {
		t.Errorf("exact file rejected: %v", err)
	}
	if _, err := n.Forward(t.Context(), make([]float32, 5)); err == nil {
		t.Error("an input of the wrong size was accepted")
	}
}

// FuzzBuild builds arbitrary cfg text: whatever the parser accepts, Build
// must answer with a network or an error, never a panic, and a network it
// builds must load synthetic weights and run within the budget.
func FuzzBuild(f *testing.F) {
	dirs, _ := filepath.Glob(filepath.Join(goldenDir(f), "unit", "*", "model.cfg"))
	for _, p := range dirs {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(badBase + "[route]\nlayers=-1,-2\ngroups=2\ngroup_id=1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := cfgparse.Parse("fuzz.cfg", data)
		if err != nil {
			return
		}
		n, err := Build(cfg, &Options{MaxMemory: 64 << 20})
		if err != nil {
			var le *LayerError
			var ce *cfgparse.Error
			if !errors.As(err, &le) && !errors.As(err, &ce) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		if n.BFLOPs() > 0.05 {
			return // too slow to run inside a fuzz loop
		}
		if err := n.SyntheticWeights(1); err != nil {
			return
		}
		input := make([]float32, n.Input.Size())
		for i := range input {
			input[i] = float32(i%17) / 17
		}
		outs, err := n.Forward(t.Context(), input)
		if err != nil {
			t.Fatal(err)
		}
		// Differential check: the fast path must agree with the reference.
		ref, err := n.ForwardReference(input)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range outs {
			want := ref[o.Index]
			finite := true
			for _, v := range want {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					finite = false
					break
				}
			}
			if e := relL2Err(o.Data, want); finite && e > 1e-4 {
				t.Fatalf("layer %d %s: fast path differs from the reference (relative L2 %.3g)", o.Index, n.Layers[o.Index].Name, e)
			}
		}
	})
}
