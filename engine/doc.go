// Package engine runs Darknet networks: it builds the layer graph of a
// Darknet .cfg, loads its .weights, and computes what Darknet computes —
// the same shapes, BFLOPs, parameter counts and outputs — on the CPU, in
// pure Go plus the assembly kernels of package kernels.
//
// # Using it
//
// Load a model once and share it:
//
//	net, err := engine.LoadFiles("yolov4-tiny.cfg", "yolov4-tiny.weights",
//		&engine.Options{Names: names})
//	if err != nil { ... }            // errors name the file, line and layer
//	dets, err := net.Detect(ctx, img, nil) // img is any image.Image
//	for _, d := range dets {
//		fmt.Println(d.Name, d.Confidence, d.Rect)
//	}
//
// A *Net is immutable once loaded and safe for concurrent use: Detect and
// Forward take a Session (activation arena and workspace) from a pool
// kept by the Net, so a server can call them from many goroutines. For a
// hot loop, own a Session (Net.NewSession) and call Session.Forward: in
// steady state it allocates nothing.
//
// Detect reproduces Darknet's "detector test": the image is resized with
// Darknet's resize_image (or letterboxed when the cfg says letter_box=1),
// every [yolo], [Gaussian_yolo] and [region] layer is decoded like
// get_network_boxes, and NMS runs with the last layer's nms_kind. Raw
// outputs are available through Forward and Session.Output.
//
// # How it is built
//
// Each layer type lives in its own file (convolutional.go, route.go,
// yolo.go, ...) and registers a builder for its section name. A builder
// reads its options with Darknet's defaults (src/parser.c), computes the
// output shape, Darknet's l.bflops and the parameter count, and returns an
// op with a plain reference forward. ForwardReference runs those: slow,
// obviously correct, and the ground truth every fast path is tested
// against.
//
// The fast path is prepared at load: batch-norm is folded into the
// convolutions, weights are packed for the GEMM microkernels, and a memory
// plan places every activation in one arena. Identity layers and the CSP
// split (a [route] with groups/group_id) are views of their input, a
// concatenating [route] has its inputs write straight into its output, and
// buffers whose lifetimes do not overlap share memory (Net.Memory reports
// the planned size next to Darknet's one-buffer-per-layer sum).
//
// # Fidelity
//
// The tests run Darknet's own outputs (../shared/golden, produced by
// AlexeyAB darknet): 112 one-layer networks, 6 full networks layer by
// layer, detections on dog.jpg, and the shapes and BFLOPs of the cfgs in
// Darknet's cfg/ folder. Where Darknet has a quirk (maxpool padding, the
// x86 maxpool edge behaviour, route shapes, shortcut channel mismatch),
// darkgo reproduces it; where Darknet's CPU code is simply broken (relu6
// returns 0), darkgo computes the function and says so.
//
// # Security considerations
//
// cfg, weights and image files may come from untrusted sources. Every size
// a cfg asks for is checked before anything is allocated: dimensions are
// bounded, and the parameters plus activations must fit Options.MaxMemory
// (8 GiB by default). A weights file that is too short or too long is an
// error naming the first layer it cannot fill. Images larger than the
// decoder's pixel limit are rejected from their header. None of these
// paths panic.
package engine
