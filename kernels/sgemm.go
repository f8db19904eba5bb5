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
	panel := im.mr + im.nr
	if w, ok := kcPanel[im.name]; ok {
		panel = w
	}
	kc := (cs.L1D * 2 / 3) / (panel * 4)
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

// packRow48Fast, when an arch file sets it, is packRow48 over n whole
// pieces (the avx512 kernel's 48-column B panels).
var packRow48Fast func(dst, row *float32, n, stride int)

// kcPanel overrides MR+NR in the K block's sizing. The AVX-512 kernel
// takes the AVX2 kernel's K blocks: both sum each element with one FMA per
// term in k order within a block and add the blocks in order, so with the
// same blocks they give the same bits, and switching a machine from AVX2
// to AVX-512 changes no result (with its own, smaller blocks, the golden
// test TestDetectMatchesDarknet/yolov4-csp-s-mish fell outside its NMS
// near-tie tolerance). Its 48-column B micro-panel then outgrows L1D and
// is read from L2, 192 bytes per 24 FMAs (16 bytes per cycle), well within
// L2 bandwidth.
var kcPanel = map[string]int{"avx512": 6 + 16}

func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// kBlock splits k into nearly equal blocks of at most kcMax, so a K just
// above kcMax does not leave a thin, inefficient last block.
func kBlock(k, kcMax int) int {
	// Up to a quarter over the L1-derived limit still fits L1 (the limit
	// leaves a third of it free) and saves a second pass over C.
	if k <= kcMax*5/4 {
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
	packAInto(pa, trans, alpha, a, lda, 0, pa.mpad)
	return pa
}

// packAInto fills the row panels of pa.data that cover rows [r0, r1) (r0
// and r1 multiples of MR). Layout: for each K block starting at p0 (length
// kb), the region data[p0*mpad : (p0+kb)*mpad] holds the MR-row panels of
// rows 0..mpad-1 in order, each panel kb×MR with MR consecutive floats per
// p (the microkernel contract), rows past m zero.
func packAInto(pa *PackedA, trans bool, alpha float32, a []float32, lda int, r0, r1 int) {
	mr, m := pa.im.mr, pa.m
	for p0 := 0; p0 < pa.k; p0 += pa.kc {
		kb := min(pa.kc, pa.k-p0)
		base := pa.data[p0*pa.mpad : (p0+kb)*pa.mpad]
		for i0 := r0; i0 < r1; i0 += mr {
			panel := base[i0*kb : (i0+mr)*kb]
			rows := min(mr, m-i0)
			if rows < mr {
				clear(panel)
			}
			if trans {
				// Row p of the stored K×M matrix holds A[i0..][p] contiguously.
				for p := 0; p < kb; p++ {
					src := a[(p0+p)*lda+i0 : (p0+p)*lda+i0+rows]
					dst := panel[p*mr : p*mr+rows]
					for i, v := range src {
						dst[i] = alpha * v
					}
				}
				continue
			}
			if rows == mr && alpha == 1 && packAFull(panel, a, lda, i0, p0, kb, mr) {
				continue
			}
			for i := 0; i < rows; i++ {
				src := a[(i0+i)*lda+p0 : (i0+i)*lda+p0+kb]
				dst := panel[i:]
				for p, v := range src {
					dst[p*mr] = alpha * v
				}
			}
		}
	}
}

// packAFull packs a full MR-row panel for the common MR values, reading
// the MR rows side by side so the panel is written sequentially. It
// reports false for other MR.
func packAFull(panel, a []float32, lda, i0, p0, kb, mr int) bool {
	row := func(i int) []float32 { return a[(i0+i)*lda+p0 : (i0+i)*lda+p0+kb] }
	switch mr {
	case 4:
		r0, r1, r2, r3 := row(0), row(1), row(2), row(3)
		for p := range r0 {
			d := (*[4]float32)(panel[p*4:])
			d[0], d[1], d[2], d[3] = r0[p], r1[p], r2[p], r3[p]
		}
	case 6:
		r0, r1, r2, r3, r4, r5 := row(0), row(1), row(2), row(3), row(4), row(5)
		for p := range r0 {
			d := (*[6]float32)(panel[p*6:])
			d[0], d[1], d[2], d[3], d[4], d[5] = r0[p], r1[p], r2[p], r3[p], r4[p], r5[p]
		}
	case 8:
		r0, r1, r2, r3, r4, r5, r6, r7 := row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7)
		p0 := 0
		if k4 := kb &^ 3; k4 > 0 && packA8Fast != nil {
			_ = panel[k4*8-1]
			packA8Fast(&panel[0], &r0[0], lda, k4)
			p0 = k4
		}
		for p := p0; p < kb; p++ {
			d := (*[8]float32)(panel[p*8:])
			d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7] = r0[p], r1[p], r2[p], r3[p], r4[p], r5[p], r6[p], r7[p]
		}
	default:
		return false
	}
	return true
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
	run(pa, &bSource{b: b, ldb: ldb}, n, beta, c, ldc, ep, threads)
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
	src := &bSource{b: b, ldb: ldb, trans: transB}
	if parts := sgemmRowParts(im, threads, m, n, k); parts > 1 {
		// A is the larger operand: each thread packs the row panels it
		// multiplies, so they stay in its own cache (a panel packed on
		// one core and read on the other costs more than the copy).
		pa := pooledPackedA(im, m, k)
		mpan := pa.mpad / im.mr
		parallel(parts, func(part int) {
			q0, q1 := share(mpan, parts, part)
			packAInto(pa, transA, alpha, a, lda, q0*im.mr, q1*im.mr)
			ws := wsPool.Get().(*workspace)
			block(ws, pa, q0*im.mr, min(q1*im.mr, m), 0, n, src, beta, c, ldc, Epilogue{})
			wsPool.Put(ws)
		})
		putPackedA(pa)
		return
	}
	pa := getPackedA(im, threads, transA, m, k, alpha, a, lda)
	run(pa, src, n, beta, c, ldc, Epilogue{}, threads)
	putPackedA(pa)
}

// sgemmRowParts is how many row-panel parts Sgemm splits C into when A
// (packed at every call) is larger than B, or 1 to split as run does.
// Measured on Zen 5, 2 threads (BenchmarkSgemm): 512×169×2304 133 → 289-298
// GFLOP/s, 255×169×512 130 → 249-251.
func sgemmRowParts(im *impl, threads, m, n, k int) int {
	mpan := (m + im.mr - 1) / im.mr
	if threads <= 1 || m*k <= k*n || mpan < 2*threads || m*k < packAParallelMin {
		return 1
	}
	return threads
}

// Temporary packed copies of A for Sgemm are pooled so steady-state calls
// do not allocate.
var packedPool sync.Pool

func getPackedA(im *impl, threads int, trans bool, m, k int, alpha float32, a []float32, lda int) *PackedA {
	pa := pooledPackedA(im, m, k)
	mpad := pa.mpad
	// Sgemm packs A at every call: on several threads, each packs a share
	// of the row panels (one thread packing a 512×2304 A made the 2-thread
	// product slower than the 1-thread one).
	mpan := mpad / im.mr
	if threads <= 1 || m*k < packAParallelMin {
		packAInto(pa, trans, alpha, a, lda, 0, mpad) // no closure to allocate
		return pa
	}
	parts := min(threads, mpan)
	parallel(parts, func(part int) {
		q0, q1 := share(mpan, parts, part)
		packAInto(pa, trans, alpha, a, lda, q0*im.mr, q1*im.mr)
	})
	return pa
}

// pooledPackedA is an unfilled PackedA for an m×k A from the pool.
func pooledPackedA(im *impl, m, k int) *PackedA {
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
	return pa
}

// packAParallelMin is the size of A (elements) from which Sgemm packs it
// on several threads: below it the hand-off costs more than the copy.
const packAParallelMin = 64 << 10

func putPackedA(pa *PackedA) { packedPool.Put(pa) }

// checkMat panics unless s holds a rows×cols matrix with row stride ld.
func checkMat(fn, name string, s []float32, rows, cols, ld int) {
	if rows < 0 || cols < 0 {
		panic("kernels: " + fn + ": negative dimension")
	}
	if rows == 0 || cols == 0 {
		return // an empty matrix: nothing is read or written
	}
	if ld < cols {
		panic("kernels: " + fn + ": leading dimension of " + name + " smaller than its row length")
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
	row  []float32 // one im2col row segment (Conv)
	tile [maxTile * maxTile]float32
}

var wsPool = sync.Pool{New: func() any { return new(workspace) }}

// run is the blocked driver shared by Sgemm and GemmPacked. It splits the
// columns of C (or, when there are too few, the rows) across threads.
// bSource is where the driver gets B from: a row-major (or transposed)
// matrix, or, for Conv, an image whose im2col matrix is never built.
type bSource struct {
	b      []float32
	ldb    int
	trans  bool
	img    []float32
	conv   *ConvGeom // non-nil: pack from img through this geometry
	outW   int       // conv output width (columns per output row)
	kArea  int       // KernelH·KernelW
	imSize int       // Height·Width
}

// pack fills bp with the packed B block rows [p0,p0+kb), columns
// [jc,jc+nb) as consecutive NR-column panels.
func (src *bSource) pack(ws *workspace, bp []float32, p0, kb, jc, nb, nr int) {
	if src.conv != nil {
		packConvBlock(ws, src, bp, p0, kb, jc, nb, nr)
		return
	}
	packBBlock(bp, src.trans, src.b, src.ldb, p0, kb, jc, nb, nr)
}

func run(pa *PackedA, src *bSource, n int, beta float32, c []float32, ldc int, ep Epilogue, threads int) {
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
	// Split N in whole NR panels, or M in whole MR panels when that
	// balances clearly better; never more parts than panels.
	npan := (n + im.nr - 1) / im.nr
	mpan := pa.mpad / im.mr
	threads = max(threads, 1)
	splitN := chooseSplitN(npan, mpan, threads)
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
		block(ws, pa, i0*im.mr, min(i1*im.mr, m), j0, j1, src, beta, c, ldc, ep)
		wsPool.Put(ws)
	})
}

// chooseSplitN decides how to divide C between threads: by column panels
// (each thread packs only its own part of B, all share A) unless the
// column panels divide unevenly and the row panels clearly better — e.g.
// 11 panels of N = 169 on 2 threads leave one thread 6/11 of the work,
// while 86 row panels of M = 512 split 43/43.
func chooseSplitN(npan, mpan, threads int) bool {
	if threads <= 1 {
		return true
	}
	eff := func(p int) float64 {
		if p < threads {
			return float64(p) / float64(threads)
		}
		return float64(p) / float64(threads*((p+threads-1)/threads))
	}
	return eff(npan)+0.02 >= eff(mpan)
}

// share returns the half-open range of part p when n items are split into
// parts nearly equal pieces.
func share(n, parts, p int) (int, int) {
	return n * p / parts, n * (p + 1) / parts
}

// block computes rows [r0,r1) and columns [j0,j1) of C. r0 is a multiple
// of MR; j0 is a multiple of NR unless it is 0.
func block(ws *workspace, pa *PackedA, r0, r1, j0, j1 int, src *bSource, beta float32, c []float32, ldc int, ep Epilogue) {
	im := pa.im
	nr := im.nr
	bl := blocksFor(im)
	k := pa.k
	if beta != 0 && beta != 1 {
		scaleC(c[r0*ldc:], ldc, r1-r0, j0, j1, beta)
	}
	raceWriteC(c, ldc, r0, r1, j0, j1)
	t := tiler{im: im, ws: ws, c: c, ldc: ldc, ep: ep}
	nc := ncFor(bl, im, pa.kc, min(bl.mc, r1-r0))
	direct := useDirect(im, src, r1-r0, pa.kc, bl)
	convDirect := convDirectOK && im.direct != nil && src.conv != nil && r1-r0 <= bl.mc && pa.kc >= 64
	for jc := j0; jc < j1; jc += nc {
		nb := min(nc, j1-jc)
		for p0 := 0; p0 < k; p0 += pa.kc {
			t.kb = min(pa.kc, k-p0)
			t.acc = 0
			if p0 > 0 || beta != 0 {
				t.acc = 1
			}
			t.last = p0+t.kb >= k
			t.ap = pa.data[p0*pa.mpad : (p0+t.kb)*pa.mpad]
			// Pack the kb×nb block of B once, reading B row by row (which
			// the hardware prefetchers follow), then walk mc-row blocks of
			// the packed A over it. nb is sized so the block stays in L2.
			if direct {
				// The microkernel reads the full panels of B where they
				// are; only a partial last panel is packed.
				full := nb / nr * nr
				if full > 0 {
					raceReadB(src.b, src.ldb, p0, p0+t.kb, jc, jc+full)
				}
				var bp []float32
				if full < nb {
					bp = ws.bpBuf(t.kb * nr)
					packBPanel(bp, false, src.b, src.ldb, p0, t.kb, jc+full, nb-full, nr)
				}
				for ic := r0; ic < r1; ic += bl.mc {
					ie := min(ic+bl.mc, r1)
					for jr := 0; jr < full; jr += nr {
						t.rowsDirect(src.b[p0*src.ldb+jc+jr:], src.ldb, ic, ie, jc+jr, nr)
					}
					if full < nb {
						t.rows(bp, ic, ie, jc+full, nb-full)
					}
				}
				continue
			}
			if convDirect {
				// Gather the im2col rows of this block into a row-major
				// buffer and let the direct kernel read them there: no
				// scatter into panels (padding columns are zero).
				ldb := directStride(nb, nr)
				buf := ws.bpBuf(t.kb * ldb)
				gatherConvRows(src, buf, ldb, p0, t.kb, jc, nb)
				for ic := r0; ic < r1; ic += bl.mc {
					ie := min(ic+bl.mc, r1)
					for jr := 0; jr < nb; jr += nr {
						t.rowsDirect(buf[jr:], ldb, ic, ie, jc+jr, min(nr, nb-jr))
					}
				}
				continue
			}
			nbPad := (nb + nr - 1) / nr * nr
			bp := ws.bpBuf(t.kb * nbPad)
			src.pack(ws, bp, p0, t.kb, jc, nb, nr)
			for ic := r0; ic < r1; ic += bl.mc {
				ie := min(ic+bl.mc, r1)
				for jr := 0; jr < nb; jr += nr {
					t.rows(bp[jr*t.kb:], ic, ie, jc+jr, min(nr, nb-jr))
				}
			}
		}
	}
}

// ncFor sizes the column block of B. The classic layout keeps the packed
// A block (rows×kc) in L2 and the B block in L3; but when the A block is
// small (a conv layer with few filters) a B block of half the L2 fits next
// to it and is then read by the microkernel from L2 instead of L3.
// Measured on Zen 3 (interleaved, median of 5): L2/2 wins by ~25% for
// 64×10816×288; the L3-sized block wins by 10-25% once the A block passes
// a quarter of L2 (256×676×1152, 512×169×2304, 1024²).
func ncFor(bl blocking, im *impl, kc, rows int) int {
	l2 := Caches().L2
	if rows*kc*4 > l2/4 {
		return bl.nc
	}
	nc := (l2 / 2) / (max(kc, 1) * 4)
	return clamp(nc/im.nr*im.nr, 4*im.nr, bl.nc)
}

func (ws *workspace) bpBuf(n int) []float32 {
	if cap(ws.bp) < n {
		ws.bp = make([]float32, n)
	}
	return ws.bp[:n]
}

// tiler runs the microkernel over the row panels of one K block.
type tiler struct {
	im      *impl
	ws      *workspace
	c       []float32
	ldc     int
	ep      Epilogue
	ap      []float32 // packed A for this K block (all row panels)
	kb, acc int
	last    bool // this K block completes C: apply the epilogue
}

// rows multiplies the packed B micro-panel bp (columns col..col+nn) by the
// row panels covering rows [i0,i1) (i0 a multiple of MR).
func (t *tiler) rows(bp []float32, i0, i1, col, nn int) {
	im := t.im
	mr, nr := im.mr, im.nr
	epi := t.last && (t.ep.Bias != nil || t.ep.Act != Linear)
	for i := i0; i < i1; i += mr {
		mm := min(mr, i1-i)
		apan := &t.ap[i*t.kb]
		cOff := i*t.ldc + col
		if mm == mr && nn == nr {
			im.kernel(t.kb, apan, &bp[0], &t.c[cOff], t.ldc, t.acc)
		} else {
			edgeTile(im, t.ws, t.kb, apan, &bp[0], t.c, cOff, t.ldc, mm, nn, t.acc)
		}
	}
	if epi {
		// The strip was just written and is still in L1.
		epilogueBlock(t.c, t.ldc, i0, i1-i0, col, nn, t.ep)
	}
}

// useDirect decides whether the microkernel reads B in place rather than
// from packed panels. Skipping the packing pass pays when each B panel
// serves one block of rows (rows ≤ mc: the conv layers with up to a few
// hundred filters) and K blocks are long enough to amortise fetching B
// rows at a stride. Measured on Zen 3 (interleaved medians): +10-33% for
// 64×10816×288 and 128×2704×576, equal for 256×676×1152 and 255×169×512,
// but -7% once rows span several A blocks (512×169×2304), -27% for K = 27,
// and far worse when B's row stride is a multiple of 1 KiB (all rows of a
// panel then share a few L1 sets).
func useDirect(im *impl, src *bSource, rows, kc int, bl blocking) bool {
	return im.direct != nil && src.conv == nil && !src.trans &&
		rows <= bl.mc && kc >= 64 && (src.ldb*4)%1024 != 0
}

// rowsDirect is rows for a panel of B read in place: b starts at row p0,
// column col of B, and nn ≤ NR columns of it are wanted (the kernel reads
// NR, so b must hold NR readable columns per row).
func (t *tiler) rowsDirect(b []float32, ldb, i0, i1, col, nn int) {
	im := t.im
	mr, nr := im.mr, im.nr
	epi := t.last && (t.ep.Bias != nil || t.ep.Act != Linear)
	_ = b[(t.kb-1)*ldb+nr-1] // the kernel reads b[p*ldb+j], p < kb, j < NR
	for i := i0; i < i1; i += mr {
		mm := min(mr, i1-i)
		apan := &t.ap[i*t.kb]
		cOff := i*t.ldc + col
		if mm == mr && nn == nr {
			im.direct(t.kb, apan, &b[0], &t.c[cOff], ldb, t.ldc, t.acc)
			continue
		}
		tile := t.ws.tile[:mr*nr]
		im.direct(t.kb, apan, &b[0], &tile[0], ldb, nr, 0)
		for ii := 0; ii < mm; ii++ {
			dst := t.c[cOff+ii*t.ldc : cOff+ii*t.ldc+nn]
			src := tile[ii*nr : ii*nr+nn]
			if t.acc != 0 {
				for j := range dst {
					dst[j] += src[j]
				}
			} else {
				copy(dst, src)
			}
		}
	}
	if epi {
		epilogueBlock(t.c, t.ldc, i0, i1-i0, col, nn, t.ep)
	}
}

// directStride is the row stride of a gathered B block nb columns wide:
// whole NR panels (so the kernel can read the last one), avoiding
// multiples of 1 KiB, which map every row to the same few L1 sets.
func directStride(nb, nr int) int {
	ld := (nb + nr - 1) / nr * nr
	if (ld*4)%1024 == 0 {
		ld += nr
	}
	return ld
}

// edgeTile runs the full-tile kernel (or the narrowest narrow kernel that
// covers nn columns) into scratch and copies the valid mm×nn corner into
// C, so the assembly never touches memory outside C. A tile of full rows
// exactly as wide as a narrow kernel (a GEMM with N = 16 or 32: the
// Winograd GEMMs of a 13×13 map have 16 tiles) is that kernel's own
// output: it runs on C in place. Same bits: either way the products are
// summed from zero and then added to C (the kernels' accumulate is
// c += sum, as the copy below does).
func edgeTile(im *impl, ws *workspace, kb int, apan, bpan *float32, c []float32, cOff, ldc, mm, nn, acc int) {
	mr, nr := im.mr, im.nr
	t := ws.tile[:mr*nr]
	kern := im.kernel
	for _, n := range im.narrow {
		if nn <= n.nr {
			if nn == n.nr && mm == mr {
				_ = c[cOff+(mr-1)*ldc+nn-1] // the kernel writes rows < MR, columns < nn
				n.k(kb, apan, bpan, &c[cOff], ldc, acc)
				return
			}
			kern = n.k
			break
		}
	}
	kern(kb, apan, bpan, &t[0], nr, 0)
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

// packBBlock packs B[p0:p0+kb][jc:jc+nb] into consecutive NR-column
// panels. The full panels are filled row by row of B (sequential reads);
// the last, partial panel and the transposed case panel by panel.
func packBBlock(bp []float32, trans bool, b []float32, ldb, p0, kb, jc, nb, nr int) {
	full := nb / nr * nr
	if trans || full == 0 || !packBRows(bp, b, ldb, p0, kb, jc, full, nr) {
		full = 0
	}
	for jr := full; jr < nb; jr += nr {
		packBPanel(bp[jr*kb:], trans, b, ldb, p0, kb, jc+jr, min(nr, nb-jr), nr)
	}
}

// packBRows packs full panels of the common widths row by row with
// inline 16-byte moves. It reports false for other widths. Each width has
// its own small loop so the compiler keeps everything in registers.
func packBRows(bp, b []float32, ldb, p0, kb, jc, full, nr int) bool {
	switch nr {
	case 16:
		for p := 0; p < kb; p++ {
			packRow16(bp[p*16:], b[(p0+p)*ldb+jc:][:full], kb*16)
		}
	case 48:
		for p := 0; p < kb; p++ {
			packRow48(bp[p*48:], b[(p0+p)*ldb+jc:][:full], kb*48)
		}
	case 12:
		for p := 0; p < kb; p++ {
			packRow12(bp[p*12:], b[(p0+p)*ldb+jc:][:full], kb*12)
		}
	case 8:
		for p := 0; p < kb; p++ {
			packRow8(bp[p*8:], b[(p0+p)*ldb+jc:][:full], kb*8)
		}
	case 4:
		for p := 0; p < kb; p++ {
			packRow4(bp[p*4:], b[(p0+p)*ldb+jc:][:full], kb*4)
		}
	default:
		return false
	}
	return true
}

// Optional assembly for the packing loops (set by an arch file's init):
// packRow12Fast is packRow12 over n whole pieces, packA8Fast packs an
// 8-row panel over a multiple of 4 columns (see packAFull).
var (
	packRow12Fast func(dst, row *float32, n, stride int)
	packA8Fast    func(panel, a *float32, lda, k int)
)

// packRow<NR> copies row (a multiple of NR long) in NR-wide pieces to
// dst[0:], dst[stride:], dst[2·stride:], ... (one piece per panel).
func packRow16(dst, row []float32, stride int) {
	for len(row) >= 16 {
		copy16(dst, row)
		row = row[16:]
		if len(row) == 0 {
			return
		}
		dst = dst[stride:]
	}
}

func packRow48(dst, row []float32, stride int) {
	if n := len(row) / 48; n > 0 && packRow48Fast != nil {
		_ = dst[(n-1)*stride+47] // the assembly writes inside this bound
		packRow48Fast(&dst[0], &row[0], n, stride)
		return
	}
	for len(row) >= 48 {
		copy48(dst, row)
		row = row[48:]
		if len(row) == 0 {
			return
		}
		dst = dst[stride:]
	}
}

func packRow12(dst, row []float32, stride int) {
	if n := len(row) / 12; n > 0 && packRow12Fast != nil {
		_ = dst[(n-1)*stride+11] // the assembly writes inside this bound
		packRow12Fast(&dst[0], &row[0], n, stride)
		return
	}
	for len(row) >= 12 {
		copy12(dst, row)
		row = row[12:]
		if len(row) == 0 {
			return
		}
		dst = dst[stride:]
	}
}

func packRow8(dst, row []float32, stride int) {
	for len(row) >= 8 {
		copy8(dst, row)
		row = row[8:]
		if len(row) == 0 {
			return
		}
		dst = dst[stride:]
	}
}

func packRow4(dst, row []float32, stride int) {
	for len(row) >= 4 {
		copy4(dst, row)
		row = row[4:]
		if len(row) == 0 {
			return
		}
		dst = dst[stride:]
	}
}

// copy4..copy48 copy that many floats as 16-byte moves. A whole-array
// assignment of more than 16 bytes would become a memmove call (the
// compiler must allow for overlap); 16-byte pieces are a load and a store.
func copy4(d, s []float32) { *(*[4]float32)(d) = *(*[4]float32)(s) }

func copy8(d, s []float32) {
	d, s = d[:8], s[:8]
	copy4(d, s)
	copy4(d[4:], s[4:])
}

func copy12(d, s []float32) {
	d, s = d[:12], s[:12]
	copy4(d, s)
	copy4(d[4:], s[4:])
	copy4(d[8:], s[8:])
}

func copy16(d, s []float32) {
	d, s = d[:16], s[:16]
	copy4(d, s)
	copy4(d[4:], s[4:])
	copy4(d[8:], s[8:])
	copy4(d[12:], s[12:])
}

func copy48(d, s []float32) {
	d, s = d[:48], s[:48]
	copy16(d, s)
	copy16(d[16:], s[16:])
	copy16(d[32:], s[32:])
}

// packBPanel copies B[p0:p0+kb][col:col+nn] into one NR-column panel
// (kb×NR, NR consecutive floats per p), zero-padding columns nn..NR-1.
// Full panels of the common widths use inline 16-byte moves rather than a
// memmove call per row.
func packBPanel(dst []float32, trans bool, b []float32, ldb, p0, kb, col, nn, nr int) {
	dst = dst[:kb*nr]
	if trans {
		// B stored N×K: column j of op(B) is row j of b.
		if nn < nr {
			clear(dst)
		}
		for j := 0; j < nn; j++ {
			src := b[(col+j)*ldb+p0 : (col+j)*ldb+p0+kb]
			d := dst[j:]
			for p, v := range src {
				d[p*nr] = v
			}
		}
		return
	}
	off := p0*ldb + col
	if nn == nr {
		switch nr {
		case 16:
			for p := 0; p < kb; p++ {
				copy16(dst[p*16:], b[off+p*ldb:])
			}
			return
		case 48:
			for p := 0; p < kb; p++ {
				copy48(dst[p*48:], b[off+p*ldb:])
			}
			return
		case 12:
			for p := 0; p < kb; p++ {
				copy12(dst[p*12:], b[off+p*ldb:])
			}
			return
		case 8:
			for p := 0; p < kb; p++ {
				copy8(dst[p*8:], b[off+p*ldb:])
			}
			return
		case 4:
			for p := 0; p < kb; p++ {
				copy4(dst[p*4:], b[off+p*ldb:])
			}
			return
		}
	}
	for p := 0; p < kb; p++ {
		d := dst[p*nr : p*nr+nr]
		copy(d, b[off+p*ldb:off+p*ldb+nn])
		clear(d[nn:])
	}
}

// applyEpilogue adds the row's bias and applies the activation to row
// (part of one row of C).
func applyEpilogue(row []float32, ep Epilogue, i int) {
	b := noBias
	if ep.Bias != nil {
		b = ep.Bias[i]
	}
	biasAct(row, b, ep.Act)
}
