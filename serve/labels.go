package serve

import (
	"slices"

	"github.com/darkgo/darkgo/cfg"
)

// cocoOfficial maps the six names in which Darknet's data/coco.names
// differs from COCO's own category names to COCO's, which DeepStack,
// CodeProject.AI and Frigate's labelmap use. Frigate stops reading
// predictions at the first label its labelmap does not know, so an 80-class
// Darknet model must answer "motorcycle", not "motorbike", on the DeepStack
// routes.
var cocoOfficial = map[string]string{
	"motorbike":   "motorcycle",
	"aeroplane":   "airplane",
	"sofa":        "couch",
	"pottedplant": "potted plant",
	"diningtable": "dining table",
	"tvmonitor":   "tv",
}

// visionNames are the class names the DeepStack routes answer with: COCO's
// official names for a model named with Darknet's coco.names, else the
// model's own names (a custom model's "sofa" stays "sofa").
func visionNames(names []string) []string {
	if !slices.Equal(names, cfg.COCONames()) {
		return names
	}
	out := slices.Clone(names)
	for i, n := range out {
		if o, ok := cocoOfficial[n]; ok {
			out[i] = o
		}
	}
	return out
}
