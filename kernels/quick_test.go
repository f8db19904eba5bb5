package kernels

import (
	"math/rand/v2"
	"testing"
)

func TestQuickSgemm(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	m, n, k := 13, 17, 19
	a := make([]float32, m*k)
	b := make([]float32, k*n)
	for i := range a {
		a[i] = r.Float32() - 0.5
	}
	for i := range b {
		b[i] = r.Float32() - 0.5
	}
	for _, im := range Implementations() {
		r1 := implMust(t, im.Name)
		c := make([]float32, m*n)
		want := make([]float32, m*n)
		sgemmWith(r1, 2, false, false, m, n, k, 1, a, k, b, n, 0, c, n)
		sgemmRef(false, false, m, n, k, 1, a, k, b, n, 0, want, n)
		for i := range c {
			if d := c[i] - want[i]; d > 1e-4 || d < -1e-4 {
				t.Fatalf("%s: c[%d]=%v want %v", im.Name, i, c[i], want[i])
			}
		}
	}
}

func implMust(t testing.TB, name string) *impl {
	r, err := implByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
