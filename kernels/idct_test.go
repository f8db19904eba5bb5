package kernels

import (
	"math/rand"
	"testing"
)

// refIDCT is stbi__idct_block written out operation by operation, without
// darkgo's row shortcut: the reference idctSTBGo (and through it the AVX2
// version) is checked against.
func refIDCT(out []byte, stride int, d *[64]int32) {
	var val [64]int32
	f2f := func(x float64) int32 { return int32(x*4096 + 0.5) } // C (int) truncates towards 0
	oneD := func(s0, s1, s2, s3, s4, s5, s6, s7 int32) (x0, x1, x2, x3, t0, t1, t2, t3 int32) {
		var p1, p2, p3, p4, p5 int32
		p2 = s2
		p3 = s6
		p1 = (p2 + p3) * f2f(float64(float32(0.5411961)))
		t2 = p1 + p3*f2f(float64(float32(-1.847759065)))
		t3 = p1 + p2*f2f(float64(float32(0.765366865)))
		p2 = s0
		p3 = s4
		t0 = (p2 + p3) * 4096
		t1 = (p2 - p3) * 4096
		x0 = t0 + t3
		x3 = t0 - t3
		x1 = t1 + t2
		x2 = t1 - t2
		t0 = s7
		t1 = s5
		t2 = s3
		t3 = s1
		p3 = t0 + t2
		p4 = t1 + t3
		p1 = t0 + t3
		p2 = t1 + t2
		p5 = (p3 + p4) * f2f(float64(float32(1.175875602)))
		t0 = t0 * f2f(float64(float32(0.298631336)))
		t1 = t1 * f2f(float64(float32(2.053119869)))
		t2 = t2 * f2f(float64(float32(3.072711026)))
		t3 = t3 * f2f(float64(float32(1.501321110)))
		p1 = p5 + p1*f2f(float64(float32(-0.899976223)))
		p2 = p5 + p2*f2f(float64(float32(-2.562915447)))
		p3 = p3 * f2f(float64(float32(-1.961570560)))
		p4 = p4 * f2f(float64(float32(-0.390180644)))
		t3 += p1 + p4
		t2 += p2 + p3
		t1 += p2 + p4
		t0 += p1 + p3
		return
	}
	clamp := func(x int32) byte {
		if x < 0 {
			return 0
		}
		if x > 255 {
			return 255
		}
		return byte(x)
	}
	for i := 0; i < 8; i++ {
		if d[8+i] == 0 && d[16+i] == 0 && d[24+i] == 0 && d[32+i] == 0 && d[40+i] == 0 && d[48+i] == 0 && d[56+i] == 0 {
			for r := 0; r < 8; r++ {
				val[8*r+i] = d[i] * 4
			}
			continue
		}
		x0, x1, x2, x3, t0, t1, t2, t3 := oneD(d[i], d[8+i], d[16+i], d[24+i], d[32+i], d[40+i], d[48+i], d[56+i])
		x0 += 512
		x1 += 512
		x2 += 512
		x3 += 512
		val[i] = (x0 + t3) >> 10
		val[56+i] = (x0 - t3) >> 10
		val[8+i] = (x1 + t2) >> 10
		val[48+i] = (x1 - t2) >> 10
		val[16+i] = (x2 + t1) >> 10
		val[40+i] = (x2 - t1) >> 10
		val[24+i] = (x3 + t0) >> 10
		val[32+i] = (x3 - t0) >> 10
	}
	for r := 0; r < 8; r++ {
		v := val[8*r : 8*r+8]
		o := out[r*stride:]
		x0, x1, x2, x3, t0, t1, t2, t3 := oneD(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7])
		x0 += 65536 + (128 << 17)
		x1 += 65536 + (128 << 17)
		x2 += 65536 + (128 << 17)
		x3 += 65536 + (128 << 17)
		o[0] = clamp((x0 + t3) >> 17)
		o[7] = clamp((x0 - t3) >> 17)
		o[1] = clamp((x1 + t2) >> 17)
		o[6] = clamp((x1 - t2) >> 17)
		o[2] = clamp((x2 + t1) >> 17)
		o[5] = clamp((x2 - t1) >> 17)
		o[3] = clamp((x3 + t0) >> 17)
		o[4] = clamp((x3 - t0) >> 17)
	}
}

func TestIDCTConstants(t *testing.T) {
	// stbi__f2f(x) = (int)(x*4096 + 0.5): x is a float literal, the
	// arithmetic double, the conversion truncates towards zero.
	f2f := func(x float32) int32 { return int32(float64(x)*4096 + 0.5) }
	for _, c := range []struct {
		got  int32
		coef float32
	}{
		{idctC0, 0.5411961}, {idctC1, -1.847759065}, {idctC2, 0.765366865}, {idctC3, 1.175875602},
		{idctC4, 0.298631336}, {idctC5, 2.053119869}, {idctC6, 3.072711026}, {idctC7, 1.501321110},
		{idctC8, -0.899976223}, {idctC9, -2.562915447}, {idctCA, -1.961570560}, {idctCB, -0.390180644},
	} {
		if want := f2f(c.coef); c.got != want {
			t.Errorf("constant for %g = %d, stb_image has %d", c.coef, c.got, want)
		}
	}
}

// randomCoefficients returns a block shaped like dequantized JPEG
// coefficients (often only the DC, the first few zig-zag terms, the first
// row or column), with magnitudes up to the whole int16 range (the
// contract: stb_image's coefficients are C shorts; the intermediate int32
// sums can then still wrap, and both versions must wrap alike).
func randomCoefficients(rng *rand.Rand) [64]int32 {
	var b [64]int32
	n := 1 + rng.Intn(64)
	switch rng.Intn(4) {
	case 0:
		n = 1
	case 1:
		n = 1 + rng.Intn(10)
	}
	scale := []int64{4, 64, 1024, 8192, 32768}[rng.Intn(5)]
	for i := 0; i < n; i++ {
		if rng.Intn(3) == 0 {
			continue
		}
		// Low indices first: roughly the zig-zag region.
		r, c := rng.Intn(1+i/8+1)%8, rng.Intn(8)%(1+i%8)
		b[8*r+c] = int32(max(rng.Int63n(2*scale)-scale, -32768))
	}
	switch rng.Intn(6) {
	case 0:
		for i := 8; i < 64; i++ {
			b[i] = 0
		}
	case 1:
		for i := range b {
			if i%8 != 0 {
				b[i] = 0
			}
		}
	}
	return b
}

func BenchmarkIDCT8x8STB(b *testing.B) {
	rng := rand.New(rand.NewSource(3))
	blocks := make([][64]int32, 256)
	for i := range blocks {
		blocks[i] = randomCoefficients(rng)
	}
	dst := make([]byte, 8*64)
	for _, l := range opLevels(opIDCT) {
		b.Run(l.String(), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				idctAt(l, dst, 64, &blocks[i%len(blocks)])
			}
		})
	}
}

// TestIDCT8x8STBGo: idctSTBGo (with its DC-only row shortcut) writes
// exactly the literal stbi__idct_block's bytes.
func TestIDCT8x8STBGo(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	n := 300000
	if testing.Short() {
		n = 50000
	}
	for i := 0; i < n; i++ {
		b := randomCoefficients(rng)
		want, got := make([]byte, 64), make([]byte, 64)
		in := b
		refIDCT(want, 8, &in)
		idctSTBGo(got, 8, &in)
		if string(got) != string(want) {
			t.Fatalf("block %v:\nGo  %v\nstb %v", b, got, want)
		}
	}
}

// TestIDCTLevels: every level writes exactly idctSTBGo's bytes, into a
// strided destination whose other bytes stay untouched, and leaves the
// coefficients unchanged: blocks shaped like JPEG's (randomCoefficients)
// and blocks of 64 values anywhere in the int16 range, so that the int32
// sums wrap.
func TestIDCTLevels(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	n := 200000
	if testing.Short() {
		n = 30000
	}
	for _, l := range opLevels(opIDCT) {
		for i := 0; i < n; i++ {
			b := randomCoefficients(rng)
			if i%8 == 0 {
				for j := range b {
					b[j] = int32(rng.Intn(65536) - 32768)
					if i%16 == 0 {
						b[j] = []int32{-32768, 32767, 0, -1}[rng.Intn(4)]
					}
				}
			}
			stride := 8 + rng.Intn(9)
			off := rng.Intn(4)
			want := make([]byte, off+7*stride+8+3)
			got := make([]byte, len(want))
			for j := range got {
				got[j], want[j] = byte(j*7), byte(j*7)
			}
			in := b
			idctSTBGo(want[off:], stride, &in)
			idctAt(l, got[off:], stride, &in)
			if in != b {
				t.Fatalf("%v: coefficients changed", l)
			}
			if string(got) != string(want) {
				t.Fatalf("%v: block %v, stride %d:\n got %v\nwant %v", l, b, stride, got, want)
			}
		}
	}
}
