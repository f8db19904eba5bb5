//go:build purego || !(amd64 || arm64)

package kernels

// peakLoops is empty without assembly: there is no vector FMA loop whose
// peak a benchmark could state.
var peakLoops = map[string]struct {
	fn    func(n int)
	flops int
}{}
