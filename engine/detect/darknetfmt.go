package detect

// Helpers for tools that reproduce Darknet's printed and sorted results.

// CFloat formats v like glibc's printf("%.<prec>f", v), including its
// spellings "-nan", "nan", "inf" and "-inf", for tools that reproduce
// Darknet's printed numbers (detector map, -save_labels).
func CFloat(v float64, prec int) string { return cFloat(v, prec) }

// ByProbDesc orders probabilities highest first, as Darknet's qsort
// comparators (nms_comparator_v3, detections_comparator) do from the float
// difference; equal values compare 0, so a stable sort keeps their order.
func ByProbDesc(a, b float32) int {
	d := a - b
	switch {
	case d < 0:
		return 1
	case d > 0:
		return -1
	}
	return 0
}
