package detect_test

import (
	"fmt"
	"log"
	"os"

	"github.com/darkgo/darkgo/engine/detect"
)

// Decode the output of a single [yolo] head, suppress overlaps like
// Darknet's detector test, and print what it would print.
func Example() {
	// A 1×1 grid with one anchor and two classes, already activated as
	// forward_yolo_layer leaves it: x, y, w, h, objectness, class scores.
	head := &detect.Yolo{W: 1, H: 1, Classes: 2, Mask: []int{0}, Anchors: []float32{208, 104}}
	out := []float32{0.5, 0.5, 0, 0, 0.9, 0.95, 0.1}

	dets, err := detect.GetNetworkBoxes([]detect.Output{{Layer: head, Data: out}},
		640, 480, 416, 416, 0.25, 0.5, false)
	if err != nil {
		log.Fatal(err)
	}
	dets = detect.NMS(dets, head.Classes, 0.45, head.NMSKind, head.BetaNMS)

	names := []string{"person", "dog"}
	if err := detect.WriteText(os.Stdout, dets, 640, 480, 0.25, names, true); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%+v\n", dets[0].Box.Pixels(640, 480))
	// Output:
	// person: 85%	(left_x:  160   top_y:  180   width:  320   height:  120)
	// {Left:160 Top:180 Right:480 Bottom:300}
}
