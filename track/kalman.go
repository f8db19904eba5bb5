package track

import "math"

// kalman is SORT's constant-velocity filter on the state
// x = [u, v, s, r, u', v', s'] observed through z = [u, v, s, r].
// Matrices are fixed-size arrays: the filter allocates nothing.
type kalman struct {
	x [7]float64
	p [7][7]float64
}

// SORT's noise settings (sort.py, KalmanBoxTracker): measurement noise R is
// diag(1, 1, 10, 10); process noise Q is diag(1, 1, 1, 1, .01, .01, .0001);
// the initial covariance is 10 on the observed part and 10⁴ on the
// unobserved velocities.
var (
	measNoise    = [4]float64{1, 1, 10, 10}
	processNoise = [7]float64{1, 1, 1, 1, 1e-2, 1e-2, 1e-4}
)

func newKalman(z [4]float64) kalman {
	var k kalman
	copy(k.x[:4], z[:])
	for i := range 4 {
		k.p[i][i] = 10
	}
	for i := 4; i < 7; i++ {
		k.p[i][i] = 1e4
	}
	return k
}

// predict advances the state one frame: x = Fx, P = FPFᵀ + Q with F the
// identity plus ones at (0,4), (1,5), (2,6). As SORT, an area about to go
// negative stops shrinking.
func (k *kalman) predict() {
	if k.x[6]+k.x[2] <= 0 {
		k.x[6] = 0
	}
	k.x[0] += k.x[4]
	k.x[1] += k.x[5]
	k.x[2] += k.x[6]
	// FP: rows 0..2 gain rows 4..6.
	p := k.p
	for i := range 3 {
		for j := range 7 {
			p[i][j] += p[i+4][j]
		}
	}
	// (FP)Fᵀ: columns 0..2 gain columns 4..6.
	for i := range 7 {
		for j := range 3 {
			p[i][j] += p[i][j+4]
		}
	}
	for i := range 7 {
		p[i][i] += processNoise[i]
	}
	k.p = p
}

// update folds in the measurement z. It reports false, leaving the filter
// unchanged, when the innovation covariance cannot be inverted (only
// possible after the covariance has degenerated).
func (k *kalman) update(z [4]float64) bool {
	// S = HPHᵀ + R is the observed 4×4 block of P plus R.
	var s [4][4]float64
	for i := range 4 {
		for j := range 4 {
			s[i][j] = k.p[i][j]
		}
		s[i][i] += measNoise[i]
	}
	si, ok := invert4(s)
	if !ok {
		return false
	}
	// K = PHᵀS⁻¹: PHᵀ is the first four columns of P.
	var gain [7][4]float64
	for i := range 7 {
		for j := range 4 {
			var acc float64
			for l := range 4 {
				acc += k.p[i][l] * si[l][j]
			}
			gain[i][j] = acc
		}
	}
	var y [4]float64
	for i := range 4 {
		y[i] = z[i] - k.x[i]
	}
	for i := range 7 {
		for j := range 4 {
			k.x[i] += gain[i][j] * y[j]
		}
	}
	// Joseph form, as filterpy: P = (I-KH)P(I-KH)ᵀ + KRKᵀ, which stays
	// symmetric and positive definite under rounding.
	var ikh [7][7]float64
	for i := range 7 {
		ikh[i][i] = 1
		for j := range 4 {
			ikh[i][j] -= gain[i][j]
		}
	}
	var t [7][7]float64
	for i := range 7 {
		for j := range 7 {
			var acc float64
			for l := range 7 {
				acc += ikh[i][l] * k.p[l][j]
			}
			t[i][j] = acc
		}
	}
	var p [7][7]float64
	for i := range 7 {
		for j := range 7 {
			var acc float64
			for l := range 7 {
				acc += t[i][l] * ikh[j][l]
			}
			for l := range 4 {
				acc += gain[i][l] * measNoise[l] * gain[j][l]
			}
			p[i][j] = acc
		}
	}
	k.p = p
	return true
}

// finite reports whether the state and covariance hold no NaN or Inf.
func (k *kalman) finite() bool {
	for i := range 7 {
		if math.IsNaN(k.x[i]) || math.IsInf(k.x[i], 0) {
			return false
		}
		for j := range 7 {
			if math.IsNaN(k.p[i][j]) || math.IsInf(k.p[i][j], 0) {
				return false
			}
		}
	}
	return true
}

func (k *kalman) box() Box { return boxOf(k.x[0], k.x[1], k.x[2], k.x[3]) }

// invert4 inverts a 4×4 matrix by Gauss-Jordan elimination with partial
// pivoting; false if it is singular (or not finite).
func invert4(a [4][4]float64) ([4][4]float64, bool) {
	var inv [4][4]float64
	for i := range 4 {
		inv[i][i] = 1
	}
	for c := range 4 {
		piv := c
		for r := c + 1; r < 4; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[piv][c]) {
				piv = r
			}
		}
		d := a[piv][c]
		if !(math.Abs(d) > 1e-300) || math.IsInf(d, 0) {
			return inv, false
		}
		a[c], a[piv] = a[piv], a[c]
		inv[c], inv[piv] = inv[piv], inv[c]
		for j := range 4 {
			a[c][j] /= d
			inv[c][j] /= d
		}
		for r := range 4 {
			if r == c || a[r][c] == 0 {
				continue
			}
			f := a[r][c]
			for j := range 4 {
				a[r][j] -= f * a[c][j]
				inv[r][j] -= f * inv[c][j]
			}
		}
	}
	return inv, true
}
