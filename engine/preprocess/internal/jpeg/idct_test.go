package jpeg

import (
	"image"
	"testing"

	"github.com/darkgo/darkgo/kernels"
)

// TestIDCTFlat: idctSTBFlat fills the block with what the IDCT computes
// for a DC-only block, for every DC value a C short can hold.
func TestIDCTFlat(t *testing.T) {
	for dc := int32(-32768); dc < 32768; dc++ {
		var b [64]int32
		b[0] = dc
		want, got := make([]byte, 9*8), make([]byte, 9*8)
		for j := range got {
			got[j], want[j] = byte(j), byte(j)
		}
		kernels.IDCT8x8STB(want, 9, &b)
		idctSTBFlat(got, 9, dc)
		if string(got) != string(want) {
			t.Fatalf("DC %d: %v, IDCT %v", dc, got, want)
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
	var want [64]int32
	want[0], want[1], want[8] = 90000-65536, -60000+65536, 2100
	exp := make([]byte, 64)
	kernels.IDCT8x8STB(exp, 8, &want)
	if string(img.Pix) != string(exp) {
		t.Errorf("got %v, want %v", img.Pix, exp)
	}
}
