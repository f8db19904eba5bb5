package track_test

import (
	"fmt"

	"github.com/darkgo/darkgo/track"
)

// Two objects walk towards each other across three frames; with MinHits 1
// each has its ID from the first frame, and keeps it.
func ExampleTracker() {
	opts := track.DefaultOptions()
	opts.MinHits = 1
	tr, err := track.New(opts)
	if err != nil {
		panic(err)
	}
	for f := range 3 {
		x := float64(f) * 10
		ids := tr.Update([]track.Detection{
			{Box: track.Box{X: 100 + x, Y: 50, W: 40, H: 80}, Class: 0}, // a person walking right
			{Box: track.Box{X: 400 - x, Y: 60, W: 40, H: 80}, Class: 0}, // one walking left
			{Box: track.Box{X: 250, Y: 300, W: 120, H: 60}, Class: 2},   // a parked car
		})
		fmt.Println("frame", f, "ids", ids)
	}
	// Output:
	// frame 0 ids [1 2 3]
	// frame 1 ids [1 2 3]
	// frame 2 ids [1 2 3]
}
