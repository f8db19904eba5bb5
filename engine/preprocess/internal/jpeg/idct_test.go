package jpeg

import (
	"image"
	"math/rand"
	"testing"
)

// refIDCT is stbi__idct_block written out operation by operation, without
// darkgo's row and flat-block shortcuts: the reference idctSTB and
// idctSTBFlat are checked against.
func refIDCT(out []byte, stride int, d *block) {
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
	f2f := func(x float32) int32 { return int32(float64(x)*4096 + 0.5) }
	for _, c := range []struct {
		got  int32
		coef float32
	}{
		{fixC0, 0.5411961}, {fixC1, -1.847759065}, {fixC2, 0.765366865}, {fixC3, 1.175875602},
		{fixC4, 0.298631336}, {fixC5, 2.053119869}, {fixC6, 3.072711026}, {fixC7, 1.501321110},
		{fixC8, -0.899976223}, {fixC9, -2.562915447}, {fixCA, -1.961570560}, {fixCB, -0.390180644},
	} {
		if want := f2f(c.coef); c.got != want {
			t.Errorf("constant for %g = %d, stb_image has %d", c.coef, c.got, want)
		}
	}
}

// randomBlock returns dequantized coefficients shaped like real ones: a
// random number of leading zig-zag positions filled (often only the DC, or
// only the first row or column), with magnitudes from small to the whole
// int16 range stb_image's shorts can hold.
func randomBlock(rng *rand.Rand) block {
	var b block
	n := 1 + rng.Intn(64)
	switch rng.Intn(4) {
	case 0:
		n = 1
	case 1:
		n = 1 + rng.Intn(6)
	}
	scale := []int32{4, 64, 1024, 8192, 32768}[rng.Intn(5)]
	for zig := 0; zig < n; zig++ {
		if rng.Intn(3) == 0 {
			continue
		}
		b[unzig[zig]] = max(rng.Int31n(2*scale)-scale, -32768)
	}
	switch rng.Intn(6) {
	case 0: // only the first row
		for i := 8; i < 64; i++ {
			b[i] = 0
		}
	case 1: // only the first column
		for i := 0; i < 64; i++ {
			if i%8 != 0 {
				b[i] = 0
			}
		}
	}
	return b
}

// TestIDCTMatchesReference: idctSTB (and idctSTBFlat for DC-only blocks)
// write exactly the pixels of the literal stbi__idct_block, into a strided
// destination whose other bytes stay untouched.
func TestIDCTMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	n := 300000
	if testing.Short() {
		n = 50000
	}
	const stride = 11
	for i := 0; i < n; i++ {
		b := randomBlock(rng)
		want := make([]byte, 8*stride)
		got := make([]byte, 8*stride)
		for j := range got {
			got[j] = byte(j)
			want[j] = byte(j)
		}
		in := b
		refIDCT(want, stride, &in)
		in = b
		idctSTB(got, stride, &in)
		if string(got) != string(want) {
			t.Fatalf("block %v:\nidctSTB %v\nstb     %v", b, got, want)
		}
		if [63]int32(b[1:]) == [63]int32{} {
			for j := range got {
				got[j] = byte(j)
			}
			idctSTBFlat(got, stride, b[0])
			if string(got) != string(want) {
				t.Fatalf("flat block DC %d: %v, stb %v", b[0], got, want)
			}
		}
	}
}

// TestDequantizeWrapsLikeShort: reconstructBlock stores each dequantized
// coefficient as stb_image's C short does (the product wraps to 16 bits)
// before the IDCT.
func TestDequantizeWrapsLikeShort(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	d := decoder{nComp: 1, img1: img}
	for i := range d.quant[0] {
		d.quant[0][i] = 300
	}
	var b block
	b[0], b[1], b[8] = 300, -200, 7 // 90000 and -60000 wrap; 2100 does not
	if err := d.reconstructBlock(&b, 0, 0, 0, 2); err != nil {
		t.Fatal(err)
	}
	var want block
	want[0], want[1], want[8] = 90000-65536, -60000+65536, 2100
	exp := make([]byte, 64)
	refIDCT(exp, 8, &want)
	if string(img.Pix) != string(exp) {
		t.Errorf("got %v, want %v", img.Pix, exp)
	}
}

// BenchmarkIDCT runs idctSTB on a fixed set of random coefficient blocks
// shaped like real ones.
func BenchmarkIDCT(b *testing.B) {
	rng := rand.New(rand.NewSource(3))
	blocks := make([]block, 256)
	for i := range blocks {
		blocks[i] = randomBlock(rng)
	}
	dst := make([]byte, 8*64)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		blk := blocks[i%len(blocks)]
		idctSTB(dst, 64, &blk)
	}
}
