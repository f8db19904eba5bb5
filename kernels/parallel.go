package kernels

// Parallel runs fn(0), …, fn(parts-1) on the package's worker pool (part 0
// on the calling goroutine) and returns when all have finished. The engine
// uses it for the layers that are not GEMMs, so that one set of parked
// goroutines serves the whole process.
func Parallel(parts int, fn func(part int)) { parallel(parts, fn) }

// Share splits [0, n) into parts nearly equal ranges and returns the range
// of part p.
func Share(n, parts, p int) (lo, hi int) { return share(n, parts, p) }
