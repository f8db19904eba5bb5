package detect

// CFloat formats v like glibc's printf("%.<prec>f", v), including its
// spellings "-nan", "nan", "inf" and "-inf", for tools that reproduce
// Darknet's printed numbers (detector map, -save_labels).
func CFloat(v float64, prec int) string { return cFloat(v, prec) }
