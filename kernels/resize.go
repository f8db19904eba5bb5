package kernels

// ResizePairs is the horizontal pass of Darknet's resize_image on 8-bit
// samples when every output column reads an adjacent pair of gathered
// input samples: out[i] = float32(w0[i]·f(g[2i])) + float32(w1[i]·f(g[2i+1]))
// with f(v) = float32(v)/255, each product rounded to float32 before the
// sum, as the reference resize does (so the values are bit-identical).
// A downscale by more than 2 (a video frame into a network input) has
// that layout for all of its columns but the last. len(g) ≥ 2·len(out),
// len(w0), len(w1) ≥ len(out). It is the operation OpResize.
func ResizePairs(out []float32, g []uint8, w0, w1 []float32) {
	resizePairsAt(level(opResize), out, g, w0, w1)
}

func resizePairsAt(l isa, out []float32, g []uint8, w0, w1 []float32) {
	n := len(out)
	g, w0, w1 = g[:2*n], w0[:n], w1[:n]
	done := resizePairsArch(l, out, g, w0, w1)
	resizePairsGo(out[done:], g[2*done:], w0[done:], w1[done:])
}

func resizePairsGo(out []float32, g []uint8, w0, w1 []float32) {
	g, w0, w1 = g[:2*len(out)], w0[:len(out)], w1[:len(out)]
	for i := range out {
		a := float32(g[2*i]) / 255
		b := float32(g[2*i+1]) / 255
		out[i] = float32(w0[i]*a) + float32(w1[i]*b)
	}
}

// BlendRows is the vertical pass of Darknet's resize_image: out[i] =
// float32(w0·a[i]) + float32(w1·b[i]), each product rounded to float32
// before the sum (no fused multiply-add), as the reference resize does.
// len(a), len(b) ≥ len(out). It is part of the operation OpResize.
func BlendRows(out, a, b []float32, w0, w1 float32) {
	blendRowsAt(level(opResize), out, a, b, w0, w1)
}

func blendRowsAt(l isa, out, a, b []float32, w0, w1 float32) {
	n := len(out)
	a, b = a[:n], b[:n]
	done := blendRowsArch(l, out, a, b, w0, w1)
	blendRowsGo(out[done:], a[done:], b[done:], w0, w1)
}

func blendRowsGo(out, a, b []float32, w0, w1 float32) {
	a, b = a[:len(out)], b[:len(out)]
	for i := range out {
		out[i] = float32(w0*a[i]) + float32(w1*b[i])
	}
}
