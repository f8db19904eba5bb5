package yuv

import (
	"math"
	"sync"

	"github.com/darkgo/darkgo/kernels"
)

// Converter turns Y'CbCr samples of one range and matrix into 8-bit RGB
// and back. The forward conversion is 16.16 fixed point: each channel is
// clamp((cy·(y−y0) + 2^15 + cX·(cb−128) + cZ·(cr−128)) >> 16), one
// definition (kernels.YUVCoef.RGB) for every user — At, RGB, ToRGBA and
// the network's preprocessing, whose vector code computes the same sums —
// so they all get the same bytes.
type Converter struct {
	coef   kernels.YUVCoef
	full   bool
	kr, kb float64
}

var converters [2][3]struct {
	once sync.Once
	c    *Converter
}

// ConverterFor returns the (shared, read-only) converter of a range and
// matrix; unknown matrices are treated as BT.601.
func ConverterFor(fullRange bool, m Matrix) *Converter {
	if m < BT601 || m > BT2020 {
		m = BT601
	}
	r := 0
	if fullRange {
		r = 1
	}
	e := &converters[r][m]
	e.once.Do(func() { e.c = newConverter(fullRange, m) })
	return e.c
}

func newConverter(full bool, m Matrix) *Converter {
	kr, kb := m.kr(), m.kb()
	kg := 1 - kr - kb
	ys, yo, cs := 255.0/219, int32(16), 255.0/224
	if full {
		ys, yo, cs = 1, 0, 1
	}
	t := &Converter{full: full, kr: kr, kb: kb}
	// Five 16.16 fixed-point coefficients; the biases fold in the sample
	// offsets (16 for limited-range luma, 128 for chroma) and the rounding.
	fix := func(v float64) int32 { return int32(math.Round(v * 65536)) }
	cy := fix(ys)
	crR, cbB := fix(2*(1-kr)*cs), fix(2*(1-kb)*cs)
	cbG, crG := fix(-2*kb*(1-kb)/kg*cs), fix(-2*kr*(1-kr)/kg*cs)
	half := int32(1 << 15) // + 0.5: round to nearest at the shift
	t.coef = kernels.YUVCoef{CY: cy, CrR: crR, CbG: cbG, CrG: crG, CbB: cbB,
		BR: half - cy*yo - 128*crR, BG: half - cy*yo - 128*(cbG+crG), BB: half - cy*yo - 128*cbB}
	return t
}

// RGB converts one sample triple.
func (t *Converter) RGB(y, cb, cr uint8) (r, g, b uint8) { return t.coef.RGB(y, cb, cr) }

// Gather converts the pixels at columns c of one image row: luma
// yrow[c.Cols[j]], chroma cb[c.CCols[j]] and cr[c.CCols[j]], into R[j],
// G[j], B[j], giving RGB's bytes. It is the loop of code that converts
// many pixels (a network's input preprocessing): kernels.YUVGather, with
// vector code where the CPU has it.
func (t *Converter) Gather(R, G, B, yrow, cb, cr []uint8, c *kernels.YUVColumns) {
	kernels.YUVGather(R, G, B, yrow, cb, cr, c, &t.coef)
}

// YCbCr converts 8-bit RGB to this range and matrix (rounded, clamped):
// the inverse of RGB up to rounding, used to draw on an Image.
func (t *Converter) YCbCr(r, g, b uint8) (y, cb, cr uint8) {
	R, G, B := float64(r), float64(g), float64(b)
	l := t.kr*R + (1-t.kr-t.kb)*G + t.kb*B
	u := (B - l) / (2 * (1 - t.kb))
	v := (R - l) / (2 * (1 - t.kr))
	if !t.full {
		l = 16 + l*219/255
		u, v = u*224/255, v*224/255
	}
	q := func(x float64) uint8 { return uint8(math.Round(math.Max(0, math.Min(255, x)))) }
	return q(l), q(128 + u), q(128 + v)
}
