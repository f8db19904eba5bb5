package kernels

// PrefetchBytes asks the CPU to bring b's cache lines into its caches
// ahead of use (PREFETCHT0 per 64-byte line on amd64; nothing elsewhere).
// The video preprocessing reads a few scattered samples of each row of a
// frame that the kernel has just copied out of a pipe, which is no longer
// in cache: issuing the next row's lines while the current row is
// converted hides the memory latency its gathers would wait for.
func PrefetchBytes(b []byte) {
	if len(b) > 0 {
		prefetchArch(b)
	}
}
