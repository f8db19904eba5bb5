package engine

import (
	"slices"

	"github.com/darkgo/darkgo/kernels"
)

// Winograd F(4×4, 3×3) convolution for 3×3, stride 1, pad 1 layers with
// many channels and filters (Lavin & Gray, "Fast Algorithms for
// Convolutional Neural Networks", CVPR 2016).
//
// Each 4×4 block of outputs (a tile) is computed from the 6×6 block of
// input around it: with the input tile d of a channel transformed to
// V = Bᵀ d B and the filter g of that channel to U = G g Gᵀ (both 6×6),
// the tile is Y = Aᵀ [Σ_c U_c ⊙ V_c] A. The channel sum of the 36
// element-wise products is 36 independent GEMMs, one per point ξ of the
// 6×6 grid: M_ξ (filters × tiles) = U_ξ (filters × channels) · V_ξ
// (channels × tiles). That is 36 multiplications per 16 outputs instead of
// 144: the GEMMs do 4× fewer FLOPs than the direct convolution, and the
// transforms (linear in channels·tiles and filters·tiles) cost little once
// there are a few dozen of each. 3×3 stride-1 convolutions are most of the
// work of the tiny YOLOs and the EFM head.
//
// The sums are not Darknet's: the transforms round differently, so outputs
// differ from the direct convolution by a few float32 ulps of the layer's
// scale (≤ 2.4e-6 relative L2 per layer on the golden networks, logged by
// TestGoldenFull), well inside what they allow but not bit for bit.
// Options.Exact turns the path off.
//
// Layout: step 1 (split by channel) gathers each channel into phase planes
// (a slot's scratch, see winoInput) and writes its transformed tiles into
// the shared V, [unit][ξ][channel][tile of the unit]. Step 2 is split into
// units of (a run of tile rows, a block of filters): the unit's 36 GEMMs
// write M, [ξ][filter][tile], into the slot's scratch, and its output
// transform adds the bias,
// applies the activation and stores the tiles' pixels that are inside the
// image.

const (
	winoPoints = 36
	// winoUnitTiles is about how many tiles a unit's GEMMs span (their
	// N): whole tile rows of the image are taken until there are at
	// least this many.
	winoUnitTiles = 96
	// winoBlockFilters is the filter block of a unit (its GEMMs' M) when
	// a layer has more filters than this.
	winoBlockFilters = 96
)

// winoConv is a layer's load-time form for the Winograd path.
type winoConv struct {
	u      []*kernels.PackedA // U_ξ of each filter block: u[block*36+ξ]
	fb     int                // filters per block (the last may have fewer)
	blocks int
	tw, th int // tiles across and down
	rows   int // tile rows per unit
}

// winoTiles returns how many 4×4 output tiles cover the layer's output,
// across and down.
func (c *convolutional) winoTiles() (tw, th int) { return (c.out.W + 3) / 4, (c.out.H + 3) / 4 }

// useWinograd reports whether the layer may take the Winograd path: 3×3,
// stride 1, pad 1, no dilation or groups, at least 32 channels and 32
// filters and at least 16 tiles of which 60% or more are inside the image.
// The transforms cost per channel and per filter, and small images leave
// the GEMMs few columns and many outside pixels. Measured with
// BenchmarkWinograd (Zen 3, one thread, interleaved): with every 3×3 layer
// eligible (DARKGO_WINO_ALL=1), CSPPeleeNet-EFM's 16-filter layers run at
// 0.6-1.2× and its 10×10 ones at 0.3-0.6× of the direct kernel (the whole
// network 0.86×); with these thresholds the accepted layers of the three
// benchmark models run 1.0-1.8× faster.
func (c *convolutional) useWinograd() bool {
	if c.size != 3 || c.strideX != 1 || c.strideY != 1 || c.padding != 1 ||
		c.dilation != 1 || c.groups != 1 || c.in.C < winoMinChannels || c.filters < winoMinFilters {
		return false
	}
	tw, th := c.winoTiles()
	tiles := tw * th
	return tiles >= winoMinTiles && float64(c.out.H*c.out.W) >= winoMinUse*float64(16*tiles)
}

// Thresholds of useWinograd (variables for the tests and benchmarks that
// set them).
var (
	winoMinChannels = 32
	winoMinFilters  = 32
	winoMinTiles    = 16
	winoMinUse      = 0.6
)

// winoMaxExtra bounds the memory the transformed filters of a network
// take beyond the plain ones (36 floats per filter and channel instead of
// 9): 256 MiB, or an eighth of Options.MaxMemory if that is less.
const winoMaxExtra = 256 << 20

// chooseWinograd picks the layers that take the Winograd path: those
// useWinograd accepts, unless Options.Exact, by decreasing tile count (the
// FLOPs saved per byte of transformed filter) while the extra filter
// memory stays under winoMaxExtra. Big models (yolov4: ~45 M parameters in
// 3×3 layers) would otherwise hold 4× their weights; what is left out are
// the deep, small-image layers with the most filters.
func (n *Net) chooseWinograd() {
	var cands []*convolutional
	for _, l := range n.Layers {
		if c, ok := l.op.(*convolutional); ok {
			c.winograd = false
			if !n.exact && c.useWinograd() {
				cands = append(cands, c)
			}
		}
	}
	tiles := func(c *convolutional) int { tw, th := c.winoTiles(); return tw * th }
	slices.SortStableFunc(cands, func(a, b *convolutional) int { return tiles(b) - tiles(a) })
	left := min(int64(winoMaxExtra), n.maxMemory/8)
	for _, c := range cands {
		extra := int64(27*4) * int64(c.in.C) * int64(c.filters)
		if extra > left {
			continue
		}
		left -= extra
		c.winograd = true
	}
}

// winoG is G of F(4,3): the filter transform U = G g Gᵀ.
var winoG = [6][3]float64{
	{1.0 / 4, 0, 0},
	{-1.0 / 6, -1.0 / 6, -1.0 / 6},
	{-1.0 / 6, 1.0 / 6, -1.0 / 6},
	{1.0 / 24, 1.0 / 12, 1.0 / 6},
	{1.0 / 24, -1.0 / 12, 1.0 / 6},
	{0, 0, 1},
}

// winoFilter returns U = G g Gᵀ of one 3×3 filter g, computed in float64
// and rounded once.
func winoFilter(g []float32) (u [winoPoints]float32) {
	var t [6][3]float64 // G g
	for i := 0; i < 6; i++ {
		for j := 0; j < 3; j++ {
			var s float64
			for k := 0; k < 3; k++ {
				s += winoG[i][k] * float64(g[k*3+j])
			}
			t[i][j] = s
		}
	}
	for i := 0; i < 6; i++ {
		for j := 0; j < 6; j++ {
			var s float64
			for k := 0; k < 3; k++ {
				s += t[i][k] * winoG[j][k]
			}
			u[i*6+j] = float32(s)
		}
	}
	return u
}

func (c *convolutional) prepareWinograd(f *convFast) {
	C, K := c.in.C, c.filters
	w := &winoConv{}
	w.tw, w.th = c.winoTiles()
	w.rows = min(w.th, max(1, (winoUnitTiles+w.tw-1)/w.tw))
	w.fb = K
	if K > winoBlockFilters {
		// Equal blocks, each a multiple of 24 filters (whole panels of
		// every kernel's MR: 4, 6, 8).
		nb := (K + winoBlockFilters - 1) / winoBlockFilters
		w.fb = ((K+nb-1)/nb + 23) / 24 * 24
	}
	w.blocks = (K + w.fb - 1) / w.fb
	// One block at a time: its 36 matrices U_ξ (filters × channels).
	a := make([]float32, winoPoints*w.fb*C)
	for b := 0; b < w.blocks; b++ {
		k0, k1 := b*w.fb, min(K, (b+1)*w.fb)
		m := (k1 - k0) * C
		for k := k0; k < k1; k++ {
			for ch := 0; ch < C; ch++ {
				u := winoFilter(f.weights[(k*C+ch)*9 : (k*C+ch)*9+9])
				for xi, v := range u {
					a[xi*m+(k-k0)*C+ch] = v
				}
			}
		}
		for xi := 0; xi < winoPoints; xi++ {
			w.u = append(w.u, kernels.PackA(k1-k0, C, a[xi*m:(xi+1)*m], C))
		}
	}
	f.wino = w
}

// winoScratch: per slot, step 1's twelve phase planes (see winoInput) or
// step 2's M and the output transform's rows (see winoOutput); shared, V.
func (c *convolutional) winoScratch() (perSlot, shared int) {
	w := c.fast.wino
	t := w.tw * w.th
	in := 12*w.phase() + 4*w.tw + 4
	out := winoPoints*w.fb*w.rows*w.tw + 40*w.rows*w.tw
	return max(in, out), winoPoints * c.in.C * t
}

// phase is the size of one phase plane of winoInput: 4·(th+1) rows of tw.
func (w *winoConv) phase() int { return 4 * (w.th + 1) * w.tw }

func (c *convolutional) bindWinograd(s *Session, in, out []float32, threads int) []step {
	w := c.fast.wino
	C := c.in.C
	T := w.tw * w.th
	v := s.shared[:winoPoints*C*T]
	input := splitSlot(C, threads, func(slot, c0, c1 int) {
		buf := s.work[slot]
		for ch := c0; ch < c1; ch++ {
			c.winoInput(in, v, buf, ch)
		}
	})
	rowUnits := (w.th + w.rows - 1) / w.rows
	ep := kernels.Epilogue{Act: kernels.Linear}
	splits := c.winoSplits(threads)
	gemm := splitSlot(rowUnits*w.blocks*splits, threads, func(slot, u0, u1 int) {
		for u := u0; u < u1; u++ {
			ru, b, sp := u/(w.blocks*splits), u/splits%w.blocks, u%splits
			ty0, ty1, nb, vu := w.unit(C, ru)
			k0, k1 := b*w.fb, min(c.filters, (b+1)*w.fb)
			nf := k1 - k0
			// This unit's filters of the block: whole panels of MR.
			mr, _ := w.u[b*winoPoints].Tile()
			p0, p1 := kernels.Share((nf+mr-1)/mr, splits, sp)
			r0, r1 := p0*mr, min(nf, p1*mr)
			if r0 >= r1 {
				continue
			}
			buf := s.work[slot]
			m := buf[:winoPoints*nf*nb]
			for xi := 0; xi < winoPoints; xi++ {
				kernels.GemmRange(s.kws[slot], w.u[b*winoPoints+xi], nb, v[vu+xi*C*nb:], nb,
					m[xi*nf*nb:], nb, &ep, r0, r1, 0, nb)
			}
			c.winoOutput(m, buf[winoPoints*nf*nb:], out, k0, k1, k0+r0, k0+r1, ty0, ty1)
		}
	})
	return []step{input, gemm}
}

// winoSplits is how many parts each GEMM unit's filters are cut into for
// a session of threads threads: 1, unless the units (row units × filter
// blocks) are fewer than the threads — a small map is one row unit, and
// with one filter block its GEMMs ran on one thread (CSPPeleeNet-EFM's
// 40×40 and 20×20 heads: 1.48 → 1.34 ms from 1 to 2 threads). Each part
// is whole MR panels and rereads V, so no more parts than threads need.
func (c *convolutional) winoSplits(threads int) int {
	w := c.fast.wino
	units := (w.th + w.rows - 1) / w.rows * w.blocks
	if units >= threads {
		return 1
	}
	mr, _ := w.u[0].Tile()
	return max(1, min((threads+units-1)/units, (w.fb+mr-1)/mr))
}

// unit returns the tile rows [ty0,ty1) of row unit ru, its tile count and
// where its part of V starts. V is [unit][ξ][channel][tile of the unit]:
// each GEMM's B is a compact channels × tiles matrix.
func (w *winoConv) unit(C, ru int) (ty0, ty1, nb, v int) {
	ty0 = ru * w.rows
	ty1 = min(w.th, ty0+w.rows)
	return ty0, ty1, (ty1 - ty0) * w.tw, ru * w.rows * w.tw * winoPoints * C
}

// winoInput transforms channel ch of the input: V[ξ][ch][t] = (Bᵀ d B)_ξ
// for every tile t, d the tile's 6×6 input (with the zero border).
//
// So that both passes are element-wise over long runs (the vector kernel
// kernels.WinoInput), the input is first gathered into six phase planes: with P
// the bordered image and Y = 4a+k (k < 4), Q_j[k][a][tx] = P[Y][4tx+j].
// The horizontal pass (d B) maps Q_0..Q_5 to H_0..H_5 over all rows at
// once; in H_j, the six rows of tile row ty are H_j[k][ty] (k < 4) and
// H_j[k-4][ty+1] (k = 4, 5), runs of tiles in V's order, so the vertical
// pass (Bᵀ ·) of column j is one call over all tiles.
func (c *convolutional) winoInput(in, v, buf []float32, ch int) {
	w := c.fast.wino
	h, wd := c.in.H, c.in.W
	tw := w.tw
	C := c.in.C
	ph := w.phase()
	rows := ph / tw // 4·(th+1)
	var q, hh [6][]float32
	for j := range q {
		q[j] = buf[j*ph : (j+1)*ph]
		hh[j] = buf[(6+j)*ph : (7+j)*ph]
	}
	src := in[ch*h*wd : (ch+1)*h*wd]
	// The row with its border: P's row, and zeros to 4·tw+4 for the
	// gather's reads past the last tile.
	prow := buf[12*ph : 12*ph+4*tw+4]
	clear(prow)
	for Y := 0; Y < rows; Y++ {
		a, k := Y/4, Y%4
		o := (k*(w.th+1) + a) * tw
		y := Y - 1
		if y < 0 || y >= h {
			for j := range q {
				clear(q[j][o : o+tw])
			}
			continue
		}
		copy(prow[1:], src[y*wd:(y+1)*wd])
		var dst [6][]float32
		for j := range dst {
			dst[j] = q[j][o : o+tw]
		}
		kernels.WinoGather(prow, &dst, tw)
	}
	kernels.WinoInput(&q, &hh, ph)
	band := (w.th + 1) * tw
	for ru := 0; ru*w.rows < w.th; ru++ {
		ty0, _, nb, vu := w.unit(C, ru)
		t0 := ty0 * tw
		for j := 0; j < 6; j++ {
			hj := hh[j][t0:]
			src := [6][]float32{hj[:nb], hj[band : band+nb], hj[2*band : 2*band+nb], hj[3*band : 3*band+nb], hj[tw : tw+nb], hj[band+tw : band+tw+nb]}
			var dst [6][]float32
			for i := range dst {
				o := vu + ((6*i+j)*C+ch)*nb
				dst[i] = v[o : o+nb]
			}
			kernels.WinoInput(&src, &dst, nb)
		}
	}
}

// winoOutput transforms M (a unit's [ξ][filter kb..ke][tile of rows
// ty0..ty1]) into the output tiles of filters k0..k1 (within kb..ke: the
// rows of M the unit computed), then adds the bias and applies the
// activation to the output rows the unit covers. Per filter, the column
// pass (Aᵀ ·) maps M's 36 rows to S[j][i] and the row pass (· A) maps
// those to Y[i][j], the output pixels (4ty+i, 4tx+j) of every tile, which
// are then stored into the output rows. tmp holds S and Y (40 rows).
func (c *convolutional) winoOutput(m, tmp, out []float32, kb, ke, k0, k1, ty0, ty1 int) {
	w := c.fast.wino
	oh, ow := c.out.H, c.out.W
	plane := oh * ow
	tw := w.tw
	nf, nb := ke-kb, (ty1-ty0)*tw
	stride := nf * nb
	y0, y1 := 4*ty0, min(oh, 4*ty1)
	row := func(r int) []float32 { return tmp[r*nb : (r+1)*nb] }
	for k := k0; k < k1; k++ {
		mk := m[(k-kb)*nb:]
		for j := 0; j < 6; j++ {
			var src [6][]float32
			for i := range src {
				src[i] = mk[(6*i+j)*stride : (6*i+j)*stride+nb]
			}
			dst := [4][]float32{row(4 * j), row(4*j + 1), row(4*j + 2), row(4*j + 3)}
			kernels.WinoOutput(&src, &dst, nb)
		}
		for i := 0; i < 4; i++ {
			src := [6][]float32{row(i), row(4 + i), row(8 + i), row(12 + i), row(16 + i), row(20 + i)}
			dst := [4][]float32{row(24 + 4*i), row(25 + 4*i), row(26 + 4*i), row(27 + 4*i)}
			kernels.WinoOutput(&src, &dst, nb)
		}
		dst := out[k*plane : (k+1)*plane]
		for i := 0; i < 4; i++ {
			p0, p1, p2, p3 := row(24+4*i), row(25+4*i), row(26+4*i), row(27+4*i)
			for ty := ty0; ty < ty1; ty++ {
				oy := 4*ty + i
				if oy >= oh {
					break
				}
				o := dst[oy*ow : (oy+1)*ow]
				t0 := (ty - ty0) * tw
				full := min(tw, ow/4) // tiles entirely inside the row
				kernels.WinoScatter(&[4][]float32{p0[t0 : t0+full], p1[t0 : t0+full], p2[t0 : t0+full], p3[t0 : t0+full]}, o, full)
				for tx := full; tx < tw; tx++ {
					for jx, p := range [4][]float32{p0, p1, p2, p3} {
						if x := 4*tx + jx; x < ow {
							o[x] = p[t0+tx]
						}
					}
				}
			}
		}
		kernels.ActivateChannels(dst[y0*ow:y1*ow], c.fast.bias[k:k+1], (y1-y0)*ow, c.fast.act)
	}
}
