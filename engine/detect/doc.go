// Package detect turns the raw outputs of Darknet detection layers into
// boxes, exactly as Darknet's `detector test` does: decoding
// (get_network_boxes), non-maximum suppression (do_nms_sort or
// diounms_sort), and the text and JSON Darknet prints.
//
// # Pipeline
//
// The caller (the engine) describes each detection layer with a typed value
// parsed from the cfg - *Yolo, *Region (YOLOv2) or *GaussianYolo - and pairs
// it with the layer's output as Darknet stores it after forward (Output).
// GetNetworkBoxes decodes all of them into []Detection with boxes relative
// to the original image (undoing the letterbox when the input was
// letterboxed); NMS then suppresses overlaps with the kind the network's
// last layer asks for (nms_kind, beta_nms) and reorders the slice as
// Darknet's qsort does. A detection is reported when any class probability
// is above the threshold: Reported, AppendText (the lines `detector test`
// prints, with -ext_output boxes), Box.Pixels (the rectangle
// draw_detections_v3 draws) and JSONWriter (the -out file) all follow
// Darknet's rules, including "dont_show" class names.
//
// # Agreement with Darknet
//
// Decoding follows src/yolo_layer.c, src/region_layer.c,
// src/gaussian_yolo_layer.c, src/network.c and src/box.c operation for
// operation, with Darknet's mix of float and double arithmetic. Fed the
// golden raw layer outputs, every full/*/dog*/detections.json is reproduced
// box for box: same count, same array order, bbox and objectness within
// 1e-5, the same classes and probabilities, identical pixel and ext_output
// boxes, and no threshold flips (2392, 10602, 2087, 10141 and 26 reported
// detections for yolov3-tiny, yolov4-csp-s-mish (letterboxed, diounms),
// yolov4-tiny, yolov4-tiny-3l (greedynms) and yolov2-tiny at thresh 0.01).
//
// NMS visits only overlapping pairs (an index on box edges; exact because
// every suppression test needs a positive intersection when the threshold is
// not negative) and sorts indices instead of structs; TestNMSMatchesLiteral
// checks it against a literal transcription of Darknet's loops.
//
// Softmax-tree [region] layers (YOLO9000), [detection] (YOLOv1) layers,
// class maps and tracking embeddings are not supported.
package detect
