package kernels

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
)

// kernelFunc is the full-tile microkernel contract shared by every ISA
// (shared by the amd64 and arm64 assembly):
//
//	c[i*ldc+j]  = Σ_p a[p*MR+i]*b[p*NR+j]   if accumulate == 0
//	c[i*ldc+j] += Σ_p a[p*MR+i]*b[p*NR+j]   otherwise
//
// for i < MR, j < NR; k may be 0 (then c is zeroed or left unchanged).
// a is a packed MR-row panel, b a packed NR-column panel.
type kernelFunc func(k int, a, b, c *float32, ldc int, accumulate int)

// directFunc is an optional variant of kernelFunc that reads B in place
// (row p of the tile's columns at b[p*ldb], ldb in elements) instead of
// from a packed panel, letting the driver skip packing a row-major B.
type directFunc func(k int, a, b, c *float32, ldb, ldc int, accumulate int)

// impl is one registered GEMM implementation.
type impl struct {
	name      string
	mr, nr    int
	kernel    kernelFunc
	direct    directFunc     // may be nil
	narrow    []narrowKernel // optional, by increasing width
	available bool           // the CPU (and OS) can run it
	rank      int            // preference when choosing automatically; higher wins
	ops       [numOps]isa    // the level each operation runs at (ops.go)
}

// Implementation describes a registered GEMM implementation.
type Implementation struct {
	Name      string // "generic", "avx2", "avx512", "neon"
	MR, NR    int    // microkernel tile: rows of A, columns of B
	Available bool   // this machine can run it
}

var (
	regMu    sync.Mutex
	registry []*impl

	active     atomic.Pointer[impl]
	activeOnce sync.Once
)

// EnvVar names the environment variable that overrides the automatic choice.
const EnvVar = "DARKGO_KERNELS"

// preference ranks the known implementations for the automatic choice:
// the widest vector unit wins. avx512 was verified (go test ./kernels,
// the golden networks) and measured on an AMD EPYC Zen 5, where its GEMM
// runs at 1.9-2.0x the AVX2 kernel's speed.
var preference = map[string]int{"generic": 0, "neon": 10, "avx2": 20, "avx512": 30}

// register adds an implementation; it is called from init functions of the
// ISA files (asm_<arch>.go) and of the generic kernel. Registering a name
// twice replaces the earlier entry, so tests and arch files cannot create
// ambiguous choices.
//
//	register("neon", 8, 8, sgemmKernelNEON, cpu.ARM64.HasASIMD)
func register(name string, mr, nr int, k kernelFunc, available bool) {
	if mr <= 0 || nr <= 0 || mr > maxTile || nr > maxTile || k == nil {
		panic("kernels: bad registration of " + name)
	}
	regMu.Lock()
	defer regMu.Unlock()
	im := &impl{name: name, mr: mr, nr: nr, kernel: k, available: available, rank: preference[name], ops: opsAt(isaOf(name))}
	for i, r := range registry {
		if r.name == name {
			registry[i] = im
			return
		}
	}
	registry = append(registry, im)
}

// narrowKernel computes the first nr columns of a tile from a full-width
// packed B panel (kernelFunc's contract otherwise), for a last, partial
// panel: the same sums per element as the full kernel, less work.
type narrowKernel struct {
	nr int
	k  kernelFunc
}

// maxTile bounds MR and NR so edge tiles fit a fixed-size scratch buffer.
const maxTile = 64

func lookup(name string) *impl {
	regMu.Lock()
	defer regMu.Unlock()
	for _, r := range registry {
		if r.name == name {
			return r
		}
	}
	return nil
}

// best returns the highest-ranked available implementation.
func best() *impl {
	regMu.Lock()
	defer regMu.Unlock()
	var b *impl
	for _, r := range registry {
		if r.available && (b == nil || r.rank > b.rank) {
			b = r
		}
	}
	return b
}

// resolve maps a requested name ("" or "auto" = automatic) to an
// implementation, or explains why it cannot be used here.
func resolve(name string) (*impl, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" || name == "auto" {
		return best(), nil
	}
	r := lookup(name)
	if r == nil {
		return nil, fmt.Errorf("kernels: unknown implementation %q (known: %s)", name, strings.Join(names(false), ", "))
	}
	if !r.available {
		return nil, fmt.Errorf("kernels: implementation %q is not supported by this CPU (%s); available: %s",
			name, CPUName(), strings.Join(names(true), ", "))
	}
	return r, nil
}

func names(onlyAvailable bool) []string {
	regMu.Lock()
	defer regMu.Unlock()
	var s []string
	for _, r := range registry {
		if r.available || !onlyAvailable {
			s = append(s, r.name)
		}
	}
	return s
}

// current returns the active implementation, choosing it on first use:
// the DARKGO_KERNELS override if it names a usable implementation,
// otherwise the best one this CPU supports.
func current() *impl {
	if p := active.Load(); p != nil {
		return p
	}
	activeOnce.Do(func() {
		r, err := resolve(os.Getenv(EnvVar))
		if err != nil || r == nil {
			r = best()
		}
		active.CompareAndSwap(nil, r)
	})
	return active.Load()
}

// Select chooses the implementation used by later calls: "generic",
// "avx2", "avx512", "neon", or "" / "auto" for the automatic choice, in
// which case the DARKGO_KERNELS environment variable (if set) is honoured.
// Asking for an implementation this CPU cannot run returns an error and
// leaves the current choice unchanged. Select is safe for concurrent use,
// but calls already running keep the implementation they started with.
func Select(name string) error {
	if n := strings.TrimSpace(name); n == "" || strings.EqualFold(n, "auto") {
		name = os.Getenv(EnvVar)
		if strings.TrimSpace(name) != "" {
			r, err := resolve(name)
			if err != nil {
				return fmt.Errorf("%s=%s: %w", EnvVar, name, err)
			}
			active.Store(r)
			return nil
		}
	}
	r, err := resolve(name)
	if err != nil {
		return err
	}
	active.Store(r)
	return nil
}

// Name reports the active implementation's name.
func Name() string { return current().name }

// Impl describes the active implementation.
func Impl() Implementation { return current().public() }

// Implementations lists every implementation this machine can run, in
// registration order. Tests and benchmarks iterate over it.
func Implementations() []Implementation {
	regMu.Lock()
	defer regMu.Unlock()
	var s []Implementation
	for _, r := range registry {
		if r.available {
			s = append(s, r.public())
		}
	}
	return s
}

// AllImplementations lists every implementation compiled into this binary,
// including those the CPU cannot run (Available false).
func AllImplementations() []Implementation {
	regMu.Lock()
	defer regMu.Unlock()
	s := make([]Implementation, 0, len(registry))
	for _, r := range registry {
		s = append(s, r.public())
	}
	return s
}

func (r *impl) public() Implementation {
	return Implementation{Name: r.name, MR: r.mr, NR: r.nr, Available: r.available}
}

// implByName returns a runnable implementation (for tests and benchmarks).
func implByName(name string) (*impl, error) { return resolve(name) }
