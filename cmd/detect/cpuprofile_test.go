package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProfileEnv: DARKGO_CPUPROFILE and DARKGO_TRACE write their files; a
// path that cannot be created is reported and the run goes on.
func TestProfileEnv(t *testing.T) {
	dir := t.TempDir()
	prof, tr := filepath.Join(dir, "cpu.prof"), filepath.Join(dir, "run.trace")
	t.Setenv("DARKGO_CPUPROFILE", prof)
	t.Setenv("DARKGO_TRACE", tr)
	var stderr bytes.Buffer
	stop := startCPUProfile(&stderr)
	x := 0
	for i := range 1 << 20 {
		x += i
	}
	stop()
	for _, p := range []string{prof, tr} {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v (size %v)", p, err, st)
		}
	}
	if stderr.Len() != 0 || x == 0 {
		t.Errorf("stderr %q", stderr.String())
	}
	t.Setenv("DARKGO_CPUPROFILE", filepath.Join(dir, "missing", "cpu.prof"))
	t.Setenv("DARKGO_TRACE", "")
	startCPUProfile(&stderr)()
	if !strings.Contains(stderr.String(), "DARKGO_CPUPROFILE: open ") {
		t.Errorf("stderr %q, want the file error", stderr.String())
	}
}
