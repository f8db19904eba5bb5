package kernels

import "sync"

// Epilogue is applied to each output element after the product:
//
//	C[i][j] = act( (Accumulate ? C[i][j] : 0) + Σ_p A[i][p]·B[p][j] + Bias[i] )
//
// Bias is indexed by row (one value per filter) and may be nil.
type Epilogue struct {
	Bias       []float32
	Act        Activation
	Accumulate bool
}

// PackedA is a matrix A (M×K, the convolution weights) packed once for the
// implementation that was active when PackA was called. It is read-only
// and safe for concurrent use by any number of GemmPacked calls.
type PackedA struct {
	im   *impl
	m, k int
	kc   int       // K block used when packing
	mpad int       // m rounded up to a multiple of MR
	data []float32 // len k*mpad; see packA for the layout
}

// M returns the number of rows of the packed matrix.
func (pa *PackedA) M() int { return pa.m }

// K returns the number of columns of the packed matrix.
func (pa *PackedA) K() int { return pa.k }

// Impl names the implementation the matrix was packed for.
func (pa *PackedA) Impl() string { return pa.im.name }

// blocking holds the cache block sizes for one implementation.
type blocking struct {
	kc, mc, nc int
}

var (
	blockMu    sync.Mutex
	blockCache = map[*impl]blocking{}
)

// blocksFor sizes the blocks from the cache sizes cpuid reports: a packed
// B micro-panel (kc×NR) plus an A micro-panel (kc×MR) should sit in about
// two thirds of L1D, a packed A block (mc×kc) in half of L2, and a packed
// B block (kc×nc) in a share of L3 (or 1 MiB when L3 is unknown).
func blocksFor(im *impl) blocking {
	blockMu.Lock()
	defer blockMu.Unlock()
	if b, ok := blockCache[im]; ok {
		return b
	}
	cs := Caches()
	kc := (cs.L1D * 2 / 3) / ((im.mr + im.nr) * 4)
	kc = clamp(kc&^7, 64, 512)
	mc := (cs.L2 / 2) / (kc * 4)
	mc = clamp(mc/im.mr*im.mr, im.mr, 64*im.mr)
	l3 := cs.L3
	if l3 <= 0 {
		l3 = 1 << 20
	}
	nc := (l3 / 4) / (kc * 4)
	nc = clamp(nc/im.nr*im.nr, 8*im.nr, 4096/im.nr*im.nr)
	b := blocking{kc: kc, mc: mc, nc: nc}
	blockCache[im] = b
	return b
}

func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// kBlocks splits k into nearly equal blocks of at most kcMax, so a K just
// above kcMax does not leave a thin, inefficient last block.
func kBlock(k, kcMax int) int {
	if k <= kcMax {
		return k
	}
	nb := (k + kcMax - 1) / kcMax
	kc := (k + nb - 1) / nb
	return (kc + 7) &^ 7
}

// PackA packs the row-major m×k matrix a (leading dimension lda) for
// GemmPacked, using the active implementation's tile shape. It panics on
// inconsistent arguments (programmer error).
func PackA(m, k int, a []float32, lda int) *PackedA {
	checkMat("PackA", "a", a, m, k, lda)
	return packAWith(current(), false, m, k, 1, a, lda)
}

func packAWith(im *impl, trans bool, m, k int, alpha float32, a []float32, lda int) *PackedA {
	kc := kBlock(k, blocksFor(im).kc)
	mpad := (m + im.mr - 1) / im.mr * im.mr
	pa := &PackedA{im: im, m: m, k: k, kc: kc, mpad: mpad, data: make([]float32, k*mpad)}
	packAInto(pa, trans, alpha, a, lda)
	return pa
}

// packAInto fills pa.data. Layout: for each K block starting at p0 (length
// kb), the region data[p0*mpad : (p0+kb)*mpad] holds the MR-row panels of
// rows 0..mpad-1 in order, each panel kb×MR with MR consecutive floats per
// p (the microkernel contract), rows past m zero.
func packAInto(pa *PackedA, trans bool, alpha float32, a []float32, lda int) {
	mr, m := pa.im.mr, pa.m
	for p0 := 0; p0 < pa.k; p0 += pa.kc {
		kb := min(pa.kc, pa.k-p0)
		base := pa.data[p0*pa.mpad : (p0+kb)*pa.mpad]
		for i0 := 0; i0 < pa.mpad; i0 += mr {
			panel := base[i0*kb : (i0+mr)*kb]
			rows := min(mr, m-i0)
			for p := 0; p < kb; p++ {
				dst := panel[p*mr : p*mr+mr]
				for i := 0; i < rows; i++ {
					var v float32
					if trans {
						v = a[(p0+p)*lda+i0+i]
					} else {
						v = a[(i0+i)*lda+p0+p]
					}
					dst[i] = alpha * v
				}
				for i := rows; i < mr; i++ {
					dst[i] = 0
				}
			}
		}
	}
}

// GemmPacked computes C = A·B followed by the epilogue, where A was packed
// by PackA, B is K×n row-major with leading dimension ldb and C is M×n with
// leading dimension ldc. threads < 1 means Threads(). It panics on
// inconsistent arguments (programmer error).
func GemmPacked(pa *PackedA, n int, b []float32, ldb int, c []float32, ldc int, ep Epilogue, threads int) {
	if pa == nil {
		panic("kernels: GemmPacked: nil PackedA")
	}
	if n < 0 {
		panic("kernels: GemmPacked: negative n")
	}
	checkMat("GemmPacked", "b", b, pa.k, n, ldb)
	checkMat("GemmPacked", "c", c, pa.m, n, ldc)
	if ep.Bias != nil && len(ep.Bias) < pa.m {
		panic("kernels: GemmPacked: bias shorter than M")
	}
	if ep.Act >= numActivations {
		panic("kernels: GemmPacked: unknown activation")
	}
	if threads < 1 {
		threads = Threads()
	}
	beta := float32(0)
	if ep.Accumulate {
		beta = 1
	}
	run(pa, false, n, b, ldb, beta, c, ldc, ep, threads)
}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices,
// where op(A) is M×K (A itself, or the transpose of the K×M matrix a when
// transA), op(B) is K×N (likewise with transB), and lda, ldb, ldc are the
// leading dimensions (row strides) of a, b and c as stored. When beta is 0
// C is not read (NaNs in it are overwritten). It uses Threads() goroutines
// and panics on inconsistent arguments (programmer error).
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemmWith(current(), Threads(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func sgemmWith(im *impl, threads int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic("kernels: Sgemm: negative dimension")
	}
	if transA {
		checkMat("Sgemm", "a", a, k, m, lda)
	} else {
		checkMat("Sgemm", "a", a, m, k, lda)
	}
	if transB {
		checkMat("Sgemm", "b", b, n, k, ldb)
	} else {
		checkMat("Sgemm", "b", b, k, n, ldb)
	}
	checkMat("Sgemm", "c", c, m, n, ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleC(c, ldc, m, 0, n, beta)
		return
	}
	pa := getPackedA(im, transA, m, k, alpha, a, lda)
	run(pa, transB, n, b, ldb, beta, c, ldc, Epilogue{}, threads)
	putPackedA(pa)
}

// Temporary packed copies of A for Sgemm are pooled so steady-state calls
// do not allocate.
var packedPool sync.Pool

func getPackedA(im *impl, trans bool, m, k int, alpha float32, a []float32, lda int) *PackedA {
	kc := kBlock(k, blocksFor(im).kc)
	mpad := (m + im.mr - 1) / im.mr * im.mr
	pa, _ := packedPool.Get().(*PackedA)
	if pa == nil {
		pa = &PackedA{}
	}
	need := k * mpad
	if cap(pa.data) < need {
		pa.data = make([]float32, need)
	}
	*pa = PackedA{im: im, m: m, k: k, kc: kc, mpad: mpad, data: pa.data[:need]}
	packAInto(pa, trans, alpha, a, lda)
	return pa
}

func putPackedA(pa *PackedA) { packedPool.Put(pa) }

// checkMat panics unless s holds a rows×cols matrix with row stride ld.
func checkMat(fn, name string, s []float32, rows, cols, ld int) {
	if rows < 0 || cols < 0 {
		panic("kernels: " + fn + ": negative dimension")
	}
	if ld < max(cols, 1) {
		panic("kernels: " + fn + ": leading dimension of " + name + " smaller than its row length")
	}
	if rows == 0 || cols == 0 {
		return
	}
	if len(s) < (rows-1)*ld+cols {
		panic("kernels: " + fn + ": " + name + " too short")
	}
}

// scaleC sets C[0:m][j0:j1] *= beta, writing zeros (not reading) when beta is 0.
func scaleC(c []float32, ldc, m, j0, j1 int, beta float32) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc+j0 : i*ldc+j1]
		if beta == 0 {
			clear(row)
		} else {
			for j := range row {
				row[j] *= beta
			}
		}
	}
}

// workspace is one goroutine's packing buffer for B and its edge tile.
type workspace struct {
	bp   []float32
	tile [maxTile * maxTile]float32
}

var wsPool = sync.Pool{New: func() any { return new(workspace) }}

// run is the blocked driver shared by Sgemm and GemmPacked. It splits the
// columns of C (or, when there are too few, the rows) across threads.
func run(pa *PackedA, transB bool, n int, b []float32, ldb int, beta float32, c []float32, ldc int, ep Epilogue, threads int) {
	m, k := pa.m, pa.k
	if m == 0 || n == 0 {
		return
	}
	im := pa.im
	if k == 0 {
		scaleC(c, ldc, m, 0, n, beta)
		if ep.Bias != nil || ep.Act != Linear {
			for i := 0; i < m; i++ {
				applyEpilogue(c[i*ldc:i*ldc+n], ep, i)
			}
		}
		return
	}
	// Split N in whole NR panels when there are enough of them, else M in
	// whole MR panels; never more parts than panels.
	npan := (n + im.nr - 1) / im.nr
	mpan := pa.mpad / im.mr
	threads = max(threads, 1)
	splitN := npan >= 2*threads || npan >= mpan
	parts := threads
	if splitN {
		parts = min(parts, npan)
	} else {
		parts = min(parts, mpan)
	}
	parallel(parts, func(part int) {
		var i0, i1, j0, j1 int
		if splitN {
			a0, a1 := share(npan, parts, part)
			i0, i1, j0, j1 = 0, mpan, a0*im.nr, min(a1*im.nr, n)
		} else {
			a0, a1 := share(mpan, parts, part)
			i0, i1, j0, j1 = a0, a1, 0, n
		}
		if j0 >= j1 || i0 >= i1 {
			return
		}
		ws := wsPool.Get().(*workspace)
		block(ws, pa, i0*im.mr, min(i1*im.mr, m), j0, j1, transB, b, ldb, beta, c, ldc, ep)
		wsPool.Put(ws)
	})
}

// share returns the half-open range of part p when n items are split into
// parts nearly equal pieces.
func share(n, parts, p int) (int, int) {
	return n * p / parts, n * (p + 1) / parts
}

// block computes rows [r0,r1) and columns [j0,j1) of C. r0 is a multiple
// of MR; j0 is a multiple of NR unless it is 0.
func block(ws *workspace, pa *PackedA, r0, r1, j0, j1 int, transB bool, b []float32, ldb int, beta float32, c []float32, ldc int, ep Epilogue) {
	im := pa.im
	mr, nr := im.mr, im.nr
	bl := blocksFor(im)
	k := pa.k
	if beta != 0 && beta != 1 {
		scaleC(c[r0*ldc:], ldc, r1-r0, j0, j1, beta)
	}
	raceWriteC(c, ldc, r0, r1, j0, j1)
	nc := bl.nc
	mc := bl.mc
	for jc := j0; jc < j1; jc += nc {
		nb := min(nc, j1-jc)
		nbPad := (nb + nr - 1) / nr * nr
		for p0 := 0; p0 < k; p0 += pa.kc {
			kb := min(pa.kc, k-p0)
			need := kb * nbPad
			if cap(ws.bp) < need {
				ws.bp = make([]float32, need)
			}
			bp := ws.bp[:need]
			packB(bp, transB, b, ldb, p0, kb, jc, nb, nr)
			acc := 0
			if p0 > 0 || beta != 0 {
				acc = 1
			}
			last := p0+kb >= k
			apBase := pa.data[p0*pa.mpad : (p0+kb)*pa.mpad]
			for ic := r0; ic < r1; ic += mc {
				mb := min(mc, r1-ic)
				for jr := 0; jr < nb; jr += nr {
					nn := min(nr, nb-jr)
					bpan := &bp[jr*kb]
					for ir := 0; ir < mb; ir += mr {
						i := ic + ir
						mm := min(mr, r1-i)
						apan := &apBase[i*kb]
						cOff := i*ldc + jc + jr
						if mm == mr && nn == nr {
							im.kernel(kb, apan, bpan, &c[cOff], ldc, acc)
						} else {
							edgeTile(im, ws, kb, apan, bpan, c, cOff, ldc, mm, nn, acc)
						}
						if last && (ep.Bias != nil || ep.Act != Linear) {
							for ii := 0; ii < mm; ii++ {
								applyEpilogue(c[cOff+ii*ldc:cOff+ii*ldc+nn], ep, i+ii)
							}
						}
					}
				}
			}
		}
	}
}

// edgeTile runs the full-tile kernel into scratch and copies the valid
// mm×nn corner into C, so the assembly never touches memory outside C.
func edgeTile(im *impl, ws *workspace, kb int, apan, bpan *float32, c []float32, cOff, ldc, mm, nn, acc int) {
	mr, nr := im.mr, im.nr
	t := ws.tile[:mr*nr]
	im.kernel(kb, apan, bpan, &t[0], nr, 0)
	for i := 0; i < mm; i++ {
		dst := c[cOff+i*ldc : cOff+i*ldc+nn]
		src := t[i*nr : i*nr+nn]
		if acc != 0 {
			for j := range dst {
				dst[j] += src[j]
			}
		} else {
			copy(dst, src)
		}
	}
}

// packB copies B[p0:p0+kb][j0:j0+nb] into NR-column panels (kb×NR each,
// NR consecutive floats per p), zero-padding the last panel.
func packB(bp []float32, trans bool, b []float32, ldb, p0, kb, j0, nb, nr int) {
	for jr := 0; jr < nb; jr += nr {
		nn := min(nr, nb-jr)
		panel := bp[jr*kb : jr*kb+kb*nr]
		if !trans {
			if nn == nr {
				for p := 0; p < kb; p++ {
					src := b[(p0+p)*ldb+j0+jr : (p0+p)*ldb+j0+jr+nr]
					copy(panel[p*nr:p*nr+nr], src)
				}
			} else {
				for p := 0; p < kb; p++ {
					dst := panel[p*nr : p*nr+nr]
					src := b[(p0+p)*ldb+j0+jr : (p0+p)*ldb+j0+jr+nn]
					copy(dst, src)
					clear(dst[nn:])
				}
			}
			continue
		}
		// B stored N×K: column j of op(B) is row j of b.
		for j := 0; j < nr; j++ {
			if j >= nn {
				for p := 0; p < kb; p++ {
					panel[p*nr+j] = 0
				}
				continue
			}
			src := b[(j0+jr+j)*ldb+p0 : (j0+jr+j)*ldb+p0+kb]
			for p, v := range src {
				panel[p*nr+j] = v
			}
		}
	}
}

// applyEpilogue adds the row's bias and applies the activation to row
// (part of one row of C).
func applyEpilogue(row []float32, ep Epilogue, i int) {
	if ep.Bias != nil {
		bv := ep.Bias[i]
		for j := range row {
			row[j] += bv
		}
	}
	Activate(row, ep.Act)
}
