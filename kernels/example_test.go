package kernels_test

import (
	"fmt"

	"github.com/darkgo/darkgo/kernels"
)

// A 1×1 convolution with 2 filters over 2 channels of a 1×3 image,
// computed with the weights packed once and a bias+leaky epilogue.
func Example() {
	weights := []float32{
		1, 2, // filter 0
		-1, 0, // filter 1
	}
	pa := kernels.PackA(2, 2, weights, 2)
	input := []float32{
		1, 2, 3, // channel 0
		0, 1, 0, // channel 1
	}
	out := make([]float32, 2*3)
	kernels.GemmPacked(pa, 3, input, 3, out, 3,
		kernels.Epilogue{Bias: []float32{0.5, 0}, Act: kernels.Leaky}, 1)
	fmt.Println(out)
	// Output: [1.5 4.5 3.5 -0.1 -0.2 -0.3]
}
