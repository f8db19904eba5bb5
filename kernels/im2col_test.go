package kernels

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestIm2col(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for it := 0; it < 400; it++ {
		c, h, w := 1+r.IntN(4), 1+r.IntN(12), 1+r.IntN(12)
		kh, kw := 1+r.IntN(4), 1+r.IntN(4)
		if it%3 == 0 {
			kw = kh
		}
		dh, dw := 1+r.IntN(3), 1+r.IntN(3)
		ph, pw := r.IntN(4), r.IntN(4)
		sh, sw := 1+r.IntN(3), 1+r.IntN(3)
		outH, outW := ConvOutSize(h, kh, ph, sh, dh), ConvOutSize(w, kw, pw, sw, dw)
		data := newBuffer(r, c*h*w, r.IntN(4), true)
		n := c * kh * kw * outH * outW
		got := newBuffer(r, n, r.IntN(4), true)
		want := make([]float32, n)
		data.snapshot()
		Im2col(data.data(), c, h, w, kh, kw, ph, pw, sh, sw, dh, dw, got.data())
		im2colRef(data.data(), c, h, w, kh, kw, ph, pw, sh, sw, dh, dw, want)
		what := fmt.Sprintf("c=%d h=%d w=%d k=%dx%d pad=%d,%d stride=%d,%d dil=%d,%d", c, h, w, kh, kw, ph, pw, sh, sw, dh, dw)
		got.checkGuards(t, what)
		data.checkUntouched(t, what)
		for i := range want {
			if !sameBits(got.data()[i], want[i]) {
				t.Fatalf("%s: col[%d] = %v, want %v", what, i, got.data()[i], want[i])
			}
		}
	}
	// Darknet's "same" 3×3: 5×5 in, 5×5 out, corners see the zero padding.
	img := make([]float32, 25)
	for i := range img {
		img[i] = float32(i + 1)
	}
	col := make([]float32, 9*25)
	Im2col(img, 1, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1, col)
	// Row 0 is tap (ky=0,kx=0): output (0,0) reads (-1,-1) = 0, output (1,1) reads (0,0) = 1.
	if col[0] != 0 || col[6] != 1 || col[4*25+12] != 13 {
		t.Errorf("same-padding layout wrong: %v %v %v", col[0], col[6], col[4*25+12])
	}
	if ConvOutSize(416, 3, 1, 2, 1) != 208 || ConvOutSize(13, 3, 2, 1, 2) != 13 || ConvOutSize(2, 5, 0, 1, 1) != 0 ||
		ConvOutSize(1, 2, 0, 7, 1) != 1 /* C truncation: (1-2)/7+1, as Darknet computes it */ {
		t.Error("ConvOutSize")
	}
}

func TestVectorHelpers(t *testing.T) {
	x := []float32{1, -2, 3}
	y := []float32{0.5, 0.5, 4}
	Add(y, x)
	Axpy(2, x, y)
	if y[0] != 3.5 || y[1] != -5.5 || y[2] != 13 {
		t.Errorf("Add/Axpy: %v", y)
	}
	Max(y, []float32{4, -6, 20})
	Scale(2, y)
	if y[0] != 8 || y[1] != -11 || y[2] != 40 {
		t.Errorf("Max/Scale: %v", y)
	}
	ScaleAdd(0.5, 1, y)
	Mul(y, []float32{1, 2, 0})
	if y[0] != 5 || y[1] != -9 || y[2] != 0 {
		t.Errorf("ScaleAdd/Mul: %v", y)
	}
	if Sum([]float32{1, 2, 3.5}) != 6.5 {
		t.Error("Sum")
	}
	z := []float32{1, 2, 3, 4}
	ActivateChannels(z, []float32{-3, 1}, 2, Leaky)
	if want := []float32{-0.2, -0.1, 4, 5}; fmt.Sprint(z) != fmt.Sprint(want) {
		t.Errorf("ActivateChannels: %v, want %v", z, want)
	}
	Fill(z, 7)
	AddConst(1, z)
	if z[3] != 8 {
		t.Error("Fill/AddConst")
	}
	// Repeat2 over lengths that leave vector blocks and tails.
	for n := 0; n <= 13; n++ {
		src := make([]float32, n)
		for i := range src {
			src[i] = float32(i) - 2.5
		}
		dst := make([]float32, 2*n)
		Repeat2(dst, src, 3)
		for i, v := range src {
			if dst[2*i] != 3*v || dst[2*i+1] != 3*v {
				t.Fatalf("Repeat2 n=%d: %v from %v", n, dst, src)
			}
		}
	}
	// AxpyStride2 over lengths that leave vector blocks and tails, x exactly
	// 2n-1 long (the last pair's odd element is outside it).
	for n := 0; n <= 13; n++ {
		x := make([]float32, max(2*n-1, 0))
		for i := range x {
			x[i] = float32(i) - 4.5
		}
		dst := make([]float32, n)
		for i := range dst {
			dst[i] = float32(i)
		}
		AxpyStride2(0.5, x, dst)
		for i := range dst {
			if want := float32(i) + 0.5*x[2*i]; dst[i] != want {
				t.Fatalf("AxpyStride2 n=%d: dst[%d] = %v, want %v", n, i, dst[i], want)
			}
		}
	}
	func() {
		defer func() {
			if p := recover(); p == nil || !strings.HasPrefix(fmt.Sprint(p), "kernels: ") {
				t.Errorf("AxpyStride2 with a short x: panic %v, want a kernels: message", p)
			}
		}()
		AxpyStride2(1, make([]float32, 4), make([]float32, 3))
	}()
	func() {
		defer func() {
			if recover() == nil {
				t.Error("Repeat2 with a short dst did not panic")
			}
		}()
		Repeat2(make([]float32, 5), make([]float32, 3), 1)
	}()
	defer func() {
		if recover() == nil {
			t.Error("Add with mismatched lengths did not panic")
		}
	}()
	Add(make([]float32, 2), make([]float32, 3))
}
