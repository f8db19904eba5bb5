package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestClassifyCLI runs a classifier cfg through the command: Darknet's
// "name: 0.001362" lines must equal `classifier predict -top 5`'s golden
// output for the stb_image pixels, and -json must carry the same classes.
func TestClassifyCLI(t *testing.T) {
	g := goldenDir(t)
	net := filepath.Join(g, "full", "efficientnet_b0")
	names := filepath.Join(t.TempDir(), "c.names")
	var b strings.Builder
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&b, "c%d\n", i)
	}
	os.WriteFile(names, []byte(b.String()), 0o644)
	img := filepath.Join(g, "map", "images", "s1_rot.stb.png")
	want, err := os.ReadFile(filepath.Join(g, "classify", "efficientnet_b0", "s1_rot.stb.png.top5.txt"))
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"-cfg", filepath.Join(net, "model.cfg"), "-weights", filepath.Join(net, "model.weights.gz"), "-names", names, "-dont_show"}
	code, out, errs := runCmd(append(args, "-q", img)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if out != string(want) {
		t.Errorf("got\n%swant (Darknet)\n%s", out, want)
	}
	code, out, errs = runCmd(append(args, "-json", "-top", "3", img, filepath.Join(g, "map", "images", "missing.png"))...)
	if code != 1 {
		t.Fatalf("exit %d with a missing image, want 1: %s", code, errs)
	}
	var res []jsonClassified
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if len(res) != 2 || len(res[0].Top) != 3 || res[0].Top[0].Name != strings.SplitN(string(want), ":", 2)[0] || res[1].Error == "" {
		t.Errorf("unexpected JSON %s", out)
	}
	if code, _, errs := runCmd(append(args, "-top", "0", img)...); code != 2 {
		t.Errorf("-top 0: exit %d (%s), want 2", code, errs)
	}
}
