//go:build !purego

package kernels

// The optional kernels only amd64's assembly provides (asm_amd64.go
// registers them); here so that no other build carries them unused.

// registerDirect adds the optional unpacked-B kernel to a registered
// implementation.
func registerDirect(name string, k directFunc) {
	regMu.Lock()
	defer regMu.Unlock()
	for _, r := range registry {
		if r.name == name {
			r.direct = k
			return
		}
	}
	panic("kernels: registerDirect before register for " + name)
}

// registerNarrow adds a narrow kernel of width nr (< NR) to a registered
// implementation; register them by increasing width.
func registerNarrow(name string, nr int, k kernelFunc) {
	regMu.Lock()
	defer regMu.Unlock()
	for _, r := range registry {
		if r.name == name {
			if nr <= 0 || nr >= r.nr || k == nil {
				panic("kernels: bad narrow kernel for " + name)
			}
			r.narrow = append(r.narrow, narrowKernel{nr, k})
			return
		}
	}
	panic("kernels: registerNarrow before register for " + name)
}
