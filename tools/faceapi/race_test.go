//go:build race

package faceapi

// The race detector makes the plain-Go forward passes ~25x slower (about 5
// minutes for all samples); they run no goroutines, so under -race one photo
// is enough to keep the tests exercised.
func init() { samples = samples[:1] }
