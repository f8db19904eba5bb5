//go:build purego || !amd64

package kernels

func prefetchArch(b []byte) {}
