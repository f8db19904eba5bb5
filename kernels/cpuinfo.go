package kernels

import (
	"strconv"
	"strings"

	"github.com/klauspost/cpuid/v2"
)

// Cache sizes in bytes used for GEMM blocking. Values are per core for L1D
// and L2; cpuid reports -1 when it cannot tell, and then conservative
// defaults are used so blocking never depends on a failed detection.
type CacheSizes struct {
	L1D, L2, L3 int
}

// Caches reports the data cache sizes used for blocking.
func Caches() CacheSizes {
	c := CacheSizes{L1D: cpuid.CPU.Cache.L1D, L2: cpuid.CPU.Cache.L2, L3: cpuid.CPU.Cache.L3}
	if c.L1D <= 0 {
		c.L1D = 32 << 10
	}
	if c.L2 <= 0 {
		c.L2 = 256 << 10
	}
	if c.L3 <= 0 {
		c.L3 = 0
	}
	return c
}

// CPUName is the processor's brand string as cpuid reports it (for -v
// output and benchmark reports), or "unknown CPU".
func CPUName() string {
	s := strings.TrimSpace(cpuid.CPU.BrandName)
	if s == "" {
		s = "unknown CPU"
	}
	if cpuid.CPU.Family != 0 || cpuid.CPU.Model != 0 {
		s += " (family " + strconv.Itoa(cpuid.CPU.Family) + ", model " + strconv.Itoa(cpuid.CPU.Model) + ")"
	}
	return s
}
