// Package kernels holds darkgo's numeric kernels: single-precision GEMM
// (general and with pre-packed weights plus a fused bias/activation
// epilogue), Darknet-compatible im2col, activations and small vector
// helpers.
//
// # Implementations
//
// The GEMM is blocked, packed and threaded in Go; only a full-tile
// microkernel is written per instruction set (AVX2+FMA and AVX-512 on
// amd64, NEON on arm64) next to a plain-Go "generic" kernel that is always
// built and a straightforward reference used by the tests. One
// implementation is chosen on first use: the fastest the CPU supports, or
// the one named by the DARKGO_KERNELS environment variable
// (generic|avx2|avx512|neon). [Select] changes it and reports an error for
// an implementation this CPU cannot run. The purego build tag leaves the
// assembly out.
//
// # Layout conventions
//
// All matrices are row-major float32 with explicit leading dimensions
// (row strides). For a convolution, A is the weights (M = filters,
// K = channels·size·size), B is the im2col matrix (K×N, N = out_h·out_w)
// and C the output (M×N, CHW).
//
// Misuse (slices too short, negative sizes) panics with a "kernels: "
// message; the functions never print or exit.
package kernels
