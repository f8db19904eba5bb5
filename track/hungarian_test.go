package track

import (
	"math"
	"math/rand/v2"
	"testing"
)

// bruteForce is the least total cost over every way of pairing
// min(rows, cols) rows with distinct columns.
func bruteForce(cost []float64, rows, cols int) float64 {
	best := math.Inf(1)
	usedCol := make([]bool, cols)
	var rec func(r, left int, sum float64)
	rec = func(r, left int, sum float64) {
		if left == 0 {
			best = math.Min(best, sum)
			return
		}
		if rows-r < left {
			return
		}
		rec(r+1, left, sum) // row r unassigned (only when rows > cols)
		for c := range cols {
			if !usedCol[c] {
				usedCol[c] = true
				rec(r+1, left-1, sum+cost[r*cols+c])
				usedCol[c] = false
			}
		}
	}
	rec(0, min(rows, cols), 0)
	return best
}

func TestAssignMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 3000 {
		rows, cols := rng.IntN(7), rng.IntN(7)
		cost := make([]float64, rows*cols)
		for i := range cost {
			switch trial % 3 {
			case 0: // continuous
				cost[i] = rng.Float64()*200 - 100
			case 1: // few distinct values: many ties
				cost[i] = float64(rng.IntN(3))
			default: // the tracker's shape: -IoU or 0
				if rng.IntN(2) == 0 {
					cost[i] = -rng.Float64()
				}
			}
		}
		got := Assign(cost, rows, cols)
		if len(got) != rows {
			t.Fatalf("%dx%d: %d results", rows, cols, len(got))
		}
		seen := make(map[int]bool)
		var sum float64
		n := 0
		for r, c := range got {
			if c < 0 {
				continue
			}
			if c >= cols || seen[c] {
				t.Fatalf("%dx%d %v: bad column %d for row %d in %v", rows, cols, cost, c, r, got)
			}
			seen[c] = true
			sum += cost[r*cols+c]
			n++
		}
		if n != min(rows, cols) {
			t.Fatalf("%dx%d: %d pairs, want %d", rows, cols, n, min(rows, cols))
		}
		if want := bruteForce(cost, rows, cols); math.Abs(sum-want) > 1e-9 {
			t.Fatalf("%dx%d %v: Assign %v costs %v, brute force %v", rows, cols, cost, got, sum, want)
		}
	}
}

func TestAssignBadInput(t *testing.T) {
	if Assign([]float64{1, 2, 3}, 2, 2) != nil {
		t.Error("short matrix accepted")
	}
	if Assign([]float64{1, math.NaN(), 3, 4}, 2, 2) != nil {
		t.Error("NaN cost accepted")
	}
	if Assign([]float64{1, math.Inf(-1), 3, 4}, 2, 2) != nil {
		t.Error("-Inf cost accepted")
	}
	if Assign(nil, -1, 0) != nil {
		t.Error("negative size accepted")
	}
	if got := Assign(nil, 3, 0); len(got) != 3 || got[0] != -1 {
		t.Errorf("3x0: %v", got)
	}
}

func TestInvert4(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		var a [4][4]float64
		for i := range 4 {
			for j := range 4 {
				a[i][j] = rng.Float64()*2 - 1
			}
			a[i][i] += 4 // well conditioned
		}
		inv, ok := invert4(a)
		if !ok {
			t.Fatal("invertible matrix reported singular")
		}
		for i := range 4 {
			for j := range 4 {
				var s float64
				for l := range 4 {
					s += a[i][l] * inv[l][j]
				}
				want := 0.0
				if i == j {
					want = 1
				}
				if math.Abs(s-want) > 1e-12 {
					t.Fatalf("A·A⁻¹[%d][%d] = %v", i, j, s)
				}
			}
		}
	}
	if _, ok := invert4([4][4]float64{{1, 2, 0, 0}, {2, 4, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}); ok {
		t.Error("singular matrix inverted")
	}
}
