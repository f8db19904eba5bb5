package detect

import (
	"math"
	"math/rand"
	"slices"
	"testing"
)

// TestSortByClassIsStableSort: the partitioned sort gives the full stable
// sort's permutation, with many zeros, ties, -0, and the general case
// (negative, NaN, infinite probabilities).
func TestSortByClassIsStableSort(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	specials := []float32{0, float32(math.Copysign(0, -1)), -0.25, float32(math.NaN()), float32(math.Inf(1)), 1e-45}
	for it := 0; it < 3000; it++ {
		n := rng.Intn(60)
		dets := make([]Detection, n)
		for i := range dets {
			dets[i].Prob = []float32{0}
			switch r := rng.Intn(10); {
			case r < 6:
			case r < 8:
				dets[i].Prob[0] = float32(rng.Intn(4)) / 4 // ties
			case r < 9:
				dets[i].Prob[0] = rng.Float32()
			default:
				if it%3 == 0 {
					dets[i].Prob[0] = specials[rng.Intn(len(specials))]
				}
			}
		}
		order := make([]int32, n)
		for i := range order {
			order[i] = int32(i)
		}
		rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		want := slices.Clone(order)
		slices.SortStableFunc(want, func(a, b int32) int { return ByProbDesc(dets[a].Prob[0], dets[b].Prob[0]) })
		sortByClass(order, nil, dets, 0)
		if !slices.Equal(order, want) {
			t.Fatalf("probs %v: got %v, want %v", dets, order, want)
		}
	}
}
