package preprocess_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log"

	"github.com/darkgo/darkgo/engine/preprocess"
)

// Decode an image and build a 416×416 network input the way Darknet's
// detector test does (resize_image; pass true for letter_box=1 nets).
func Example() {
	// Any JPEG/PNG/GIF/BMP/WebP stream works; here a small PNG in memory.
	src := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range src.Pix {
		src.Pix[i] = 255
	}
	src.Set(0, 0, color.RGBA{255, 0, 0, 255})
	var file bytes.Buffer
	if err := png.Encode(&file, src); err != nil {
		log.Fatal(err)
	}

	img, format, err := preprocess.Decode(&file)
	if err != nil {
		log.Fatal(err)
	}
	const w, h, c = 416, 416, 3
	input := make([]float32, c*h*w) // CHW, what the network's first layer reads
	var s preprocess.Scratch        // reuse across images: no allocation in steady state
	if err := s.NetworkInput(input, img, w, h, c, false); err != nil {
		log.Fatal(err)
	}
	fmt.Println(format, img.Bounds().Dx(), img.Bounds().Dy())
	fmt.Printf("R(0,0)=%.0f G(0,0)=%.0f B(415,415)=%.0f\n", input[0], input[h*w], input[2*h*w+h*w-1])
	// Output:
	// png 64 48
	// R(0,0)=1 G(0,0)=0 B(415,415)=1
}
