package kernels

// ConvGeom describes a 2-D convolution over one CHW image (one group).
// PadH/PadW are the padding im2col applies, which for a Darknet layer is
// l.pad·l.dilation (see ConvOutSize).
type ConvGeom struct {
	Channels, Height, Width int
	KernelH, KernelW        int
	PadH, PadW              int
	StrideH, StrideW        int
	DilationH, DilationW    int
}

// OutH is the output height.
func (g ConvGeom) OutH() int { return ConvOutSize(g.Height, g.KernelH, g.PadH, g.StrideH, g.DilationH) }

// OutW is the output width.
func (g ConvGeom) OutW() int { return ConvOutSize(g.Width, g.KernelW, g.PadW, g.StrideW, g.DilationW) }

// K is the GEMM depth: rows of the im2col matrix, Channels·KernelH·KernelW.
func (g ConvGeom) K() int { return g.Channels * g.KernelH * g.KernelW }

// N is the number of output positions, OutH·OutW.
func (g ConvGeom) N() int { return g.OutH() * g.OutW() }

func (g ConvGeom) valid() bool {
	return g.Channels >= 0 && g.Height >= 0 && g.Width >= 0 && g.KernelH >= 1 && g.KernelW >= 1 &&
		g.PadH >= 0 && g.PadW >= 0 && g.StrideH >= 1 && g.StrideW >= 1 && g.DilationH >= 1 && g.DilationW >= 1
}

// Conv computes out = A·im2col(img) followed by the epilogue, where A
// (M×K, K = g.K(), the layer's weights) was packed by PackA, img holds the
// Channels×Height×Width input and out is M×N (N = g.N()) with leading
// dimension ldc — the CHW output when ldc == N.
//
// The result is bit-for-bit that of Im2col followed by GemmPacked, but the
// K×N column matrix is never built: each block of B is gathered straight
// from the image into the packed layout, which saves writing and re-reading
// K·N floats (9× the input for a 3×3 conv) and the workspace to hold them.
// threads < 1 means Threads(). It panics on inconsistent arguments.
func Conv(pa *PackedA, img []float32, g ConvGeom, out []float32, ldc int, ep Epilogue, threads int) {
	if pa == nil {
		panic("kernels: Conv: nil PackedA")
	}
	if !g.valid() {
		panic("kernels: Conv: bad geometry")
	}
	if g.K() != pa.k {
		panic("kernels: Conv: packed weights have the wrong K for this geometry")
	}
	if len(img) < g.Channels*g.Height*g.Width {
		panic("kernels: Conv: image too short")
	}
	n := g.N()
	checkMat("Conv", "out", out, pa.m, n, ldc)
	if ep.Bias != nil && len(ep.Bias) < pa.m {
		panic("kernels: Conv: bias shorter than M")
	}
	if ep.Act >= numActivations {
		panic("kernels: Conv: unknown activation")
	}
	if threads < 1 {
		threads = Threads()
	}
	beta := float32(0)
	if ep.Accumulate {
		beta = 1
	}
	src := &bSource{img: img, conv: &g, outW: g.OutW(), kArea: g.KernelH * g.KernelW, imSize: g.Height * g.Width}
	run(pa, src, n, beta, out, ldc, ep, threads)
}

// packConvBlock packs rows [p0,p0+kb) and columns [jc,jc+nb) of the
// (virtual) im2col matrix: each row segment is gathered from the image
// into an L1-sized buffer, then split into the NR-column panels.
func packConvBlock(ws *workspace, src *bSource, bp []float32, p0, kb, jc, nb, nr int) {
	if cap(ws.row) < nb {
		ws.row = make([]float32, nb)
	}
	row := ws.row[:nb]
	full := nb / nr * nr
	for p := 0; p < kb; p++ {
		gatherTap(src, row, p0+p, jc)
		scatterRow(bp, row, p, kb, full, nr)
		if full < nb {
			d := bp[full*kb+p*nr : full*kb+p*nr+nr]
			copy(d, row[full:])
			clear(d[nb-full:])
		}
	}
}

// gatherTap writes columns [jc, jc+len(dst)) of row tap of the (virtual)
// im2col matrix into dst: for each output position, the input pixel that
// kernel tap (channel, ky, kx) reads, or 0 outside the image.
func gatherTap(src *bSource, dst []float32, tap, jc int) {
	g := src.conv
	ch, r := tap/src.kArea, tap%src.kArea
	ky, kx := r/g.KernelW, r%g.KernelW
	plane := src.img[ch*src.imSize : (ch+1)*src.imSize]
	y0 := ky*g.DilationH - g.PadH
	x0 := kx*g.DilationW - g.PadW
	end := jc + len(dst)
	for j := jc; j < end; {
		oy, ox := j/src.outW, j%src.outW
		cnt := min(src.outW-ox, end-j)
		var srow []float32
		if y := y0 + oy*g.StrideH; y >= 0 && y < g.Height {
			srow = plane[y*g.Width : (y+1)*g.Width]
		}
		gatherRow(dst[j-jc:j-jc+cnt], srow, x0+ox*g.StrideW, g.StrideW)
		j += cnt
	}
}

// convDirectOK enables gathering conv B blocks row-major for the direct
// kernels (see block). Measured on Zen 3 (interleaved medians, t1): +8-9%
// over packing from the image into panels for 3×3 convs with M ≤ mc
// (52²·128→256, 104²·32→64, 104²·64→128, stride 2), and 10-35% over
// Im2col+GemmPacked.
const convDirectOK = true

// gatherConvRows writes rows [p0,p0+kb), columns [jc,jc+nb) of the
// (virtual) im2col matrix to buf row-major with row stride ldb, zeroing
// columns nb..ldb-1.
func gatherConvRows(src *bSource, buf []float32, ldb, p0, kb, jc, nb int) {
	for p := 0; p < kb; p++ {
		row := buf[p*ldb : (p+1)*ldb]
		gatherTap(src, row[:nb], p0+p, jc)
		clear(row[nb:])
	}
}

// scatterRow copies row[0:full] (full a multiple of nr) into row p of the
// consecutive kb×nr panels of bp.
func scatterRow(bp, row []float32, p, kb, full, nr int) {
	if full == 0 {
		return
	}
	dst, src := bp[p*nr:], row[:full]
	switch nr {
	case 16:
		packRow16(dst, src, kb*16)
	case 48:
		packRow48(dst, src, kb*48)
	case 12:
		packRow12(dst, src, kb*12)
	case 8:
		packRow8(dst, src, kb*8)
	case 4:
		packRow4(dst, src, kb*4)
	default:
		for jr := 0; jr < full; jr += nr {
			copy(bp[jr*kb+p*nr:jr*kb+p*nr+nr], row[jr:jr+nr])
		}
	}
}
