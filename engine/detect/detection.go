package detect

import (
	"errors"
	"fmt"
)

// Detection is one candidate box, like Darknet's detection struct.
type Detection struct {
	Box Box
	// Objectness is the box's object score; 1 for [region] layers (Darknet's
	// custom_get_region_detections sets it so).
	Objectness float32
	// Prob holds one probability per class: objectness × class score when
	// that exceeds the threshold given to GetNetworkBoxes, else 0. NMS sets
	// suppressed entries to 0.
	Prob []float32
	// Uncertainty is the [Gaussian_yolo] σ of tx, ty, tw, th (0 otherwise).
	Uncertainty [4]float32
}

// Layer describes one detection head: *Yolo, *Region or *GaussianYolo.
type Layer interface {
	// NumClasses is the number of classes the layer predicts.
	NumClasses() int
	// OutputSize is the number of values of the layer's output.
	OutputSize() int
	validate() error
	count(data []float32, thresh float32) int
	decode(dets []Detection, data []float32, imgW, imgH, netW, netH int, thresh float32, letterbox bool)
}

// Output pairs a detection layer with its output: Data is the layer's
// output exactly as Darknet stores it in l.output after forward (for [yolo]
// the activated values; for [region] the transposed, activated layout).
type Output struct {
	Layer Layer
	Data  []float32
}

// GetNetworkBoxes decodes the outputs of a network's detection layers (in
// network order) into candidate boxes like Darknet's get_network_boxes with
// relative=1 and no class map: one Detection per [yolo]/[Gaussian_yolo] cell
// and anchor whose objectness exceeds thresh, cells in row-major order with
// anchors inner; one per [region] cell and anchor (all of them). Boxes are
// relative to the imgW×imgH image; with letterbox set they are corrected for
// the letterboxed network input (correct_yolo_boxes). hierThresh only
// matters for softmax-tree [region] layers, which are not supported, and is
// ignored; it is kept to mirror Darknet's signature.
//
// Like Darknet, every Detection has as many probabilities as the layers
// have classes; layers with different class counts are an error here
// (Darknet only prints a warning and then reads out of bounds).
func GetNetworkBoxes(outs []Output, imgW, imgH, netW, netH int, thresh, hierThresh float32, letterbox bool) ([]Detection, error) {
	_ = hierThresh
	if imgW <= 0 || imgH <= 0 {
		return nil, fmt.Errorf("detect: invalid image size %dx%d", imgW, imgH)
	}
	if netW <= 0 || netH <= 0 {
		return nil, fmt.Errorf("detect: invalid network size %dx%d", netW, netH)
	}
	if len(outs) == 0 {
		return nil, errors.New("detect: no detection layers")
	}
	classes := -1
	total := 0
	counts := make([]int, len(outs))
	for i, o := range outs {
		if o.Layer == nil {
			return nil, fmt.Errorf("detect: output %d has no layer", i)
		}
		if err := o.Layer.validate(); err != nil {
			return nil, fmt.Errorf("detect: output %d: %w", i, err)
		}
		if n := o.Layer.OutputSize(); len(o.Data) != n {
			return nil, fmt.Errorf("detect: output %d has %d values, layer needs %d", i, len(o.Data), n)
		}
		if classes < 0 {
			classes = o.Layer.NumClasses()
		} else if c := o.Layer.NumClasses(); c != classes {
			return nil, fmt.Errorf("detect: output %d has %d classes, output 0 has %d", i, c, classes)
		}
		counts[i] = o.Layer.count(o.Data, thresh)
		total += counts[i]
	}
	dets := make([]Detection, total)
	probs := make([]float32, total*classes)
	for i := range dets {
		dets[i].Prob = probs[i*classes : (i+1)*classes : (i+1)*classes]
	}
	rest := dets
	for i, o := range outs {
		n := counts[i]
		o.Layer.decode(rest[:n], o.Data, imgW, imgH, netW, netH, thresh, letterbox)
		rest = rest[n:]
	}
	return dets, nil
}

// correctYoloBoxes is Darknet's correct_yolo_boxes with relative=1: it maps
// boxes from network-input coordinates back to the image, undoing the
// letterbox when letter is set (otherwise the boxes are unchanged).
func correctYoloBoxes(dets []Detection, w, h, netW, netH int, letter bool) {
	newW, newH := netW, netH
	if letter {
		newW, newH = letterboxSize(w, h, netW, netH)
	}
	deltaW := float32(netW - newW)
	deltaH := float32(netH - newH)
	ratioW := float32(newW) / float32(netW)
	ratioH := float32(newH) / float32(netH)
	invW, invH := 1/ratioW, 1/ratioH
	for i := range dets {
		b := &dets[i].Box
		// Done in double in Darknet: deltaw / 2. / netw promotes.
		b.X = float32((float64(b.X) - float64(deltaW)/2/float64(netW)) / float64(ratioW))
		b.Y = float32((float64(b.Y) - float64(deltaH)/2/float64(netH)) / float64(ratioH))
		b.W *= invW
		b.H *= invH
	}
}

// letterboxSize is the resized image size inside a netW×netH letterbox, as
// letterbox_image and correct_yolo_boxes compute it (the same formula as
// preprocess.LetterboxSize; kept here so detect needs no image decoders).
func letterboxSize(imW, imH, netW, netH int) (int, int) {
	if float32(netW)/float32(imW) < float32(netH)/float32(imH) {
		return netW, imH * netW / imW
	}
	return imW * netH / imH, netH
}
