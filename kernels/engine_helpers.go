package kernels

// Entry points for callers that run their own threads (the engine's
// sessions): one rectangle of GemmPacked's or Conv's output computed on the
// calling goroutine, with a workspace the caller keeps. Nothing is
// allocated once the workspace has grown to the largest block, and the
// caller decides how to split the work (it knows the layer shapes and
// keeps its workers warm between layers). The arithmetic is exactly that of
// GemmPacked / Conv: the same blocks, packing and microkernels.

// Workspace is one goroutine's packing buffers for GemmRange and
// ConvRange, and its row buffers for Depthwise. It must not be used by two
// calls at once.
type Workspace struct {
	ws     workspace
	dw     []float32 // Depthwise's zero-bordered input rows (depthwise.go)
	dwHeld []int     // which input row each of them holds
}

// Tile reports the microkernel tile pa was packed for: MR rows of A and NR
// columns of B. Row ranges given to GemmRange and ConvRange start at a
// multiple of MR (unless the range is empty).
func (pa *PackedA) Tile() (mr, nr int) { return pa.im.mr, pa.im.nr }

// GemmRange computes rows [r0,r1) and columns [j0,j1) of GemmPacked(pa, n,
// b, ldb, c, ldc, ep, ·) on the calling goroutine. r0 must be a multiple of
// MR (see Tile). It panics on inconsistent arguments.
func GemmRange(ws *Workspace, pa *PackedA, n int, b []float32, ldb int, c []float32, ldc int, ep *Epilogue, r0, r1, j0, j1 int) {
	checkRange("GemmRange", ws, pa, n, ep, r0, r1, j0, j1)
	checkMat("GemmRange", "b", b, pa.k, n, ldb)
	checkMat("GemmRange", "c", c, pa.m, n, ldc)
	if r0 >= r1 || j0 >= j1 {
		return
	}
	src := bSource{b: b, ldb: ldb}
	rangeBlock(ws, pa, &src, c, ldc, ep, r0, r1, j0, j1)
}

// ConvRange computes rows (filters) [r0,r1) and columns (output positions)
// [j0,j1) of Conv(pa, img, *g, out, ldc, ep, ·) on the calling goroutine.
// r0 must be a multiple of MR (see Tile). It panics on inconsistent
// arguments.
func ConvRange(ws *Workspace, pa *PackedA, img []float32, g *ConvGeom, out []float32, ldc int, ep *Epilogue, r0, r1, j0, j1 int) {
	if !g.valid() {
		panic("kernels: ConvRange: bad geometry")
	}
	if g.K() != pa.k {
		panic("kernels: ConvRange: packed weights have the wrong K for this geometry")
	}
	if len(img) < g.Channels*g.Height*g.Width {
		panic("kernels: ConvRange: image too short")
	}
	n := g.N()
	checkRange("ConvRange", ws, pa, n, ep, r0, r1, j0, j1)
	checkMat("ConvRange", "out", out, pa.m, n, ldc)
	if r0 >= r1 || j0 >= j1 {
		return
	}
	src := bSource{img: img, conv: g, outW: g.OutW(), kArea: g.KernelH * g.KernelW, imSize: g.Height * g.Width}
	rangeBlock(ws, pa, &src, out, ldc, ep, r0, r1, j0, j1)
}

func checkRange(fn string, ws *Workspace, pa *PackedA, n int, ep *Epilogue, r0, r1, j0, j1 int) {
	if ws == nil || pa == nil || ep == nil {
		panic("kernels: " + fn + ": nil workspace, PackedA or Epilogue")
	}
	if r0 < 0 || r1 > pa.m || j0 < 0 || j1 > n || (r0 < r1 && r0%pa.im.mr != 0) {
		panic("kernels: " + fn + ": bad range")
	}
	if ep.Bias != nil && len(ep.Bias) < pa.m {
		panic("kernels: " + fn + ": bias shorter than M")
	}
	if ep.Act >= numActivations {
		panic("kernels: " + fn + ": unknown activation")
	}
}

func rangeBlock(ws *Workspace, pa *PackedA, src *bSource, c []float32, ldc int, ep *Epilogue, r0, r1, j0, j1 int) {
	if pa.k == 0 {
		// As run: C = epilogue(0 or C).
		beta := float32(0)
		if ep.Accumulate {
			beta = 1
		}
		scaleC(c[r0*ldc:], ldc, r1-r0, j0, j1, beta)
		if ep.Bias != nil || ep.Act != Linear {
			for i := r0; i < r1; i++ {
				applyEpilogue(c[i*ldc+j0:i*ldc+j1], *ep, i)
			}
		}
		return
	}
	beta := float32(0)
	if ep.Accumulate {
		beta = 1
	}
	block(&ws.ws, pa, r0, r1, j0, j1, src, beta, c, ldc, *ep)
}
