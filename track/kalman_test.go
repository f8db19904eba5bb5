package track

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The reference below is the textbook Kalman filter with explicit F, H, Q, R
// and dense matrix products, as filterpy computes it, with SORT's (sort.py)
// noise settings written out; kalman's predict and update take shortcuts
// (F's structure, H's selection) that must give the same numbers.

type mat [][]float64

func newMat(r, c int) mat {
	m := make(mat, r)
	for i := range m {
		m[i] = make([]float64, c)
	}
	return m
}

func (a mat) mul(b mat) mat {
	out := newMat(len(a), len(b[0]))
	for i := range a {
		for j := range b[0] {
			for k := range b {
				out[i][j] += a[i][k] * b[k][j]
			}
		}
	}
	return out
}

func (a mat) t() mat {
	out := newMat(len(a[0]), len(a))
	for i := range a {
		for j := range a[0] {
			out[j][i] = a[i][j]
		}
	}
	return out
}

func (a mat) add(b mat, sign float64) mat {
	out := newMat(len(a), len(a[0]))
	for i := range a {
		for j := range a[0] {
			out[i][j] = a[i][j] + sign*b[i][j]
		}
	}
	return out
}

func diag(v ...float64) mat {
	m := newMat(len(v), len(v))
	for i, x := range v {
		m[i][i] = x
	}
	return m
}

type refKalman struct{ x, p mat } // x is 7×1

func (k *refKalman) predict() {
	f := diag(1, 1, 1, 1, 1, 1, 1)
	f[0][4], f[1][5], f[2][6] = 1, 1, 1
	if k.x[6][0]+k.x[2][0] <= 0 {
		k.x[6][0] = 0
	}
	k.x = f.mul(k.x)
	k.p = f.mul(k.p).mul(f.t()).add(diag(1, 1, 1, 1, 1e-2, 1e-2, 1e-4), 1) // sort.py's Q
}

func (k *refKalman) update(z [4]float64) {
	h := newMat(4, 7)
	for i := range 4 {
		h[i][i] = 1
	}
	r := diag(1, 1, 10, 10) // sort.py's R
	s := h.mul(k.p).mul(h.t()).add(r, 1)
	var s4 [4][4]float64
	for i := range 4 {
		copy(s4[i][:], s[i])
	}
	si4, _ := invert4(s4) // invert4 itself is checked in TestInvert4
	si := newMat(4, 4)
	for i := range 4 {
		copy(si[i], si4[i][:])
	}
	gain := k.p.mul(h.t()).mul(si)
	zm := newMat(4, 1)
	for i := range 4 {
		zm[i][0] = z[i]
	}
	k.x = k.x.add(gain.mul(zm.add(h.mul(k.x), -1)), 1)
	ikh := diag(1, 1, 1, 1, 1, 1, 1).add(gain.mul(h), -1)
	k.p = ikh.mul(k.p).mul(ikh.t()).add(gain.mul(r).mul(gain.t()), 1)
}

func TestKalmanMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 20 {
		z0 := [4]float64{rng.Float64() * 500, rng.Float64() * 500, 100 + rng.Float64()*5000, 0.3 + rng.Float64()*2}
		k := newKalman(z0)
		ref := refKalman{x: newMat(7, 1), p: diag(10, 10, 10, 10, 1e4, 1e4, 1e4)}
		for i := range 4 {
			ref.x[i][0] = z0[i]
		}
		z := z0
		for step := range 40 {
			k.predict()
			ref.predict()
			if rng.IntN(4) != 0 { // some frames without a measurement
				for i := range z {
					z[i] += rng.NormFloat64() * []float64{5, 5, 200, 0.05}[i]
				}
				k.update(z)
				ref.update(z)
			}
			for i := range 7 {
				if d := math.Abs(k.x[i] - ref.x[i][0]); d > 1e-9*(1+math.Abs(ref.x[i][0])) {
					t.Fatalf("trial %d step %d: x[%d] = %v, reference %v", trial, step, i, k.x[i], ref.x[i][0])
				}
				for j := range 7 {
					if d := math.Abs(k.p[i][j] - ref.p[i][j]); d > 1e-9*(1+math.Abs(ref.p[i][j])) {
						t.Fatalf("trial %d step %d: P[%d][%d] = %v, reference %v", trial, step, i, j, k.p[i][j], ref.p[i][j])
					}
				}
			}
		}
	}
}
