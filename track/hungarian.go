package track

import "math"

// Assign solves the rectangular assignment problem: it returns, for each of
// the rows of the rows×cols cost matrix (row-major), the column assigned to
// it, or -1, such that min(rows, cols) pairs are made, no column is used
// twice, and the summed cost is minimal. It is the Hungarian algorithm with
// potentials (Kuhn-Munkres in the shortest-augmenting-path form), O(n²m)
// for n = min(rows, cols), m = max(rows, cols).
//
// Costs must be finite; Assign returns nil when len(cost) != rows*cols or
// a cost is NaN or infinite.
func Assign(cost []float64, rows, cols int) []int {
	if rows < 0 || cols < 0 || len(cost) != rows*cols {
		return nil
	}
	for _, c := range cost {
		if math.IsNaN(c) || math.IsInf(c, 0) {
			return nil
		}
	}
	out := make([]int, rows)
	for i := range out {
		out[i] = -1
	}
	if rows == 0 || cols == 0 {
		return out
	}
	if rows <= cols {
		for j, i := range hungarian(func(i, j int) float64 { return cost[i*cols+j] }, rows, cols) {
			if i >= 0 {
				out[i] = j
			}
		}
		return out
	}
	// More rows than columns: solve the transpose, whose rows are our columns.
	// hungarian gives each of the transpose's columns (our rows) its row
	// (our column).
	copy(out, hungarian(func(i, j int) float64 { return cost[j*cols+i] }, cols, rows))
	return out
}

// hungarian solves an n×m problem with n <= m, where a(i, j) is the cost of
// row i and column j. It returns, for each column, its row or -1.
//
// The invariant is that the potentials u (rows) and v (columns) satisfy
// u[i]+v[j] <= a(i,j) with equality on every assigned pair. Each row is
// added in turn by growing a Dijkstra-like tree of tight edges from it until
// a free column is reached, shifting the potentials by the least slack
// (delta) at each step, then flipping the alternating path. Index 0 is a
// virtual row/column that roots the tree (so arrays are 1-based).
func hungarian(a func(i, j int) float64, n, m int) []int {
	u := make([]float64, n+1)
	v := make([]float64, m+1)
	p := make([]int, m+1)   // p[j]: the row assigned to column j (0 = none)
	way := make([]int, m+1) // way[j]: the previous column on the path to j
	minv := make([]float64, m+1)
	used := make([]bool, m+1)
	for i := 1; i <= n; i++ {
		p[0] = i
		j0 := 0
		for j := range minv {
			minv[j] = math.Inf(1)
			used[j] = false
		}
		for {
			used[j0] = true
			i0 := p[j0]
			delta, j1 := math.Inf(1), -1
			for j := 1; j <= m; j++ {
				if used[j] {
					continue
				}
				if cur := a(i0-1, j-1) - u[i0] - v[j]; cur < minv[j] {
					minv[j], way[j] = cur, j0
				}
				if minv[j] < delta {
					delta, j1 = minv[j], j
				}
			}
			if j1 < 0 {
				// Cannot happen: with n <= m some column is always outside
				// the tree, and finite costs give it a finite slack.
				return columnsOf(p)
			}
			for j := 0; j <= m; j++ {
				if used[j] {
					u[p[j]] += delta
					v[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			j0 = j1
			if p[j0] == 0 {
				break
			}
		}
		// Flip the alternating path back to the root.
		for j0 != 0 {
			j1 := way[j0]
			p[j0] = p[j1]
			j0 = j1
		}
	}
	return columnsOf(p)
}

// columnsOf turns hungarian's 1-based p into 0-based rows per column.
func columnsOf(p []int) []int {
	cols := make([]int, len(p)-1)
	for j := range cols {
		cols[j] = p[j+1] - 1
	}
	return cols
}
