package cfgparse

// sectionTypes maps every section header Darknet's string_to_layer_type
// (AlexeyAB darknet src/parser.c) recognises to its canonical type name.
// Darknet compares the whole whitespace-stripped line with strcmp, so the
// match is exact and case-sensitive: "[Net]" or "[conv] x" are unknown.
// Aliases resolve to one canonical name so that Ordinal counts "[conv]" and
// "[convolutional]" together, exactly as Darknet builds the same layer.
var sectionTypes = map[string]string{
	"net":     "net",
	"network": "net",

	"convolutional": "convolutional",
	"conv":          "convolutional",
	"connected":     "connected",
	"conn":          "connected",
	"local":         "local",

	"maxpool":       "maxpool",
	"max":           "maxpool",
	"local_avgpool": "local_avgpool",
	"local_avg":     "local_avgpool",
	"avgpool":       "avgpool",
	"avg":           "avgpool",

	"softmax":       "softmax",
	"soft":          "softmax",
	"normalization": "normalization",
	"lrn":           "normalization",
	"batchnorm":     "batchnorm",
	"activation":    "activation",
	"dropout":       "dropout",
	"crop":          "crop",
	"cost":          "cost",

	"route":          "route",
	"shortcut":       "shortcut",
	"scale_channels": "scale_channels",
	"sam":            "sam",
	"upsample":       "upsample",
	// [reorg3d] is Darknet's REORG (reorg_layer.c); the plain [reorg] header
	// is REORG_OLD (reorg_old_layer.c), the YOLOv2 passthrough. They order
	// elements differently, so they stay distinct types.
	"reorg3d": "reorg3d",
	"reorg":   "reorg",
	// [silence] is an alias of [empty]: both become Darknet's EMPTY layer.
	"empty":    "empty",
	"silence":  "empty",
	"implicit": "implicit",

	"yolo":          "yolo",
	"Gaussian_yolo": "Gaussian_yolo",
	"region":        "region",
	"detection":     "detection",
	"contrastive":   "contrastive",

	// Recurrent layers parse in Darknet but darkgo does not implement them:
	// Parse rejects them with ErrUnsupported (see unsupportedTypes).
	"rnn":       "rnn",
	"gru":       "gru",
	"lstm":      "lstm",
	"crnn":      "crnn",
	"conv_lstm": "conv_lstm",
	"history":   "history",
}

// unsupportedTypes are canonical types that Darknet accepts but darkgo does
// not: they keep state across time steps, which an inference engine for
// single images has no use for.
var unsupportedTypes = map[string]bool{
	"rnn":       true,
	"gru":       true,
	"lstm":      true,
	"crnn":      true,
	"conv_lstm": true,
	"history":   true,
}

// CanonicalType returns the canonical type name for a section name as
// written between the brackets (e.g. "conv" -> "convolutional") and whether
// Darknet knows the name at all. Recurrent types are known (ok is true) even
// though Parse rejects them.
func CanonicalType(header string) (typ string, ok bool) {
	typ, ok = sectionTypes[header]
	return typ, ok
}
