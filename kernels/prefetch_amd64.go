//go:build !purego

package kernels

// prefetchLines issues PREFETCHT0 for every 64-byte line of [p, p+n)
// (prefetch_amd64.s); prefetches never fault.
//
//go:noescape
func prefetchLines(p *byte, n int)

func prefetchArch(b []byte) { prefetchLines(&b[0], len(b)) }
