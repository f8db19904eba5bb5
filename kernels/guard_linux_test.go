package kernels

import (
	"math/rand"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// guardedBytes returns n bytes that end exactly at an inaccessible page,
// so any read past the end faults.
func guardedBytes(t *testing.T, n int) []uint8 {
	t.Helper()
	page := unix.Getpagesize()
	size := (n+page-1)/page*page + page
	mem, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	t.Cleanup(func() { unix.Munmap(mem) })
	if err := unix.Mprotect(mem[size-page:], unix.PROT_NONE); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
	return unsafe.Slice(&mem[size-page-n], n)
}

// guardedRandomBytes is guardedBytes filled with random bytes.
func guardedRandomBytes(t *testing.T, rng *rand.Rand, n int) []uint8 {
	t.Helper()
	p := guardedBytes(t, n)
	for i := range p {
		p[i] = uint8(rng.Intn(256))
	}
	return p
}
