// Package golden gives tests the repository root and Darknet's golden
// reference data, which sits beside the repository at ../shared/golden
// (always present in CI: a test that cannot find it fails rather than
// skips).
package golden

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot is the directory holding go.mod, found from the test's working
// directory (its package directory).
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("cannot find the repository root (go.mod)")
		}
		dir = parent
	}
}

// Dir is ../shared/golden beside the repository root.
func Dir(t testing.TB) string {
	t.Helper()
	g := filepath.Join(RepoRoot(t), "..", "shared", "golden")
	if _, err := os.Stat(filepath.Join(g, "README.md")); err != nil {
		t.Fatalf("golden data not found at %s: %v (it must sit beside the repository)", g, err)
	}
	return g
}

// ReadF32 reads a raw little-endian float32 file.
func ReadF32(t testing.TB, path string) []float32 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b)%4 != 0 {
		t.Fatalf("%s: %d bytes is not a whole number of float32", path, len(b))
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}
