package kernels

import "strings"

// Operations. Besides the GEMM microkernel, every hot loop of the engine
// that has assembly is an operation here: a plain-Go reference (always
// built, also for purego, 386 and arm64 until it has NEON code) plus one
// implementation per instruction set. Which one runs follows the GEMM's
// active implementation (DARKGO_KERNELS or the automatic choice): the
// operation's implementation at that level, else the next lower level that
// has one (avx512 -> avx2 -> generic, neon -> generic). The choice is made
// when the implementation is selected, so a call costs one atomic load and
// a switch.

// Operation names, as [Ops] reports them.
const (
	OpSgemm      = "sgemm"      // GEMM microkernel (Sgemm, GemmPacked, Conv)
	OpConv3x3    = "conv3x3"    // Conv3x3: direct 3×3 stride-1 tile
	OpWinograd   = "winograd"   // WinoInput, WinoOutput, WinoGather, WinoScatter
	OpMaxpool    = "maxpool"    // MaxInto, MaxPairs
	OpLogistic   = "logistic"   // LogisticExact
	OpActivation = "activation" // the GEMM epilogue's bias+activation, ActivateChannels
	OpIDCT       = "idct"       // IDCT8x8STB: the JPEG decoder's inverse DCT
	OpYUV        = "yuv"        // YUVGather: video frames' Y'CbCr to RGB for the network input
	OpResize     = "resize"     // ResizePairs: the network input's horizontal downscale
	OpDepthwise  = "depthwise"  // Depthwise: k×k convolution of each channel with its own filter
	OpSTB        = "stb"        // STBGather: JPEG photos' Y'CbCr to RGB (stb_image's) for the network input
)

// isa is an implementation level.
type isa uint8

const (
	isaGeneric isa = iota
	isaAVX2
	isaAVX512
	isaNEON
	numISA
)

var isaNames = [numISA]string{"generic", "avx2", "avx512", "neon"}

func (l isa) String() string { return isaNames[l] }

// isaOf maps an implementation name to its level (generic for unknown
// names, e.g. implementations registered by tests).
func isaOf(name string) isa {
	for l, n := range isaNames {
		if n == name {
			return isa(l)
		}
	}
	return isaGeneric
}

// op identifies an operation.
type op uint8

const (
	opSgemm op = iota
	opConv3x3
	opWinograd
	opMaxpool
	opLogistic
	opActivation
	opIDCT
	opYUV
	opResize
	opDepthwise
	opSTB
	numOps
)

var opNames = [numOps]string{OpSgemm, OpConv3x3, OpWinograd, OpMaxpool, OpLogistic, OpActivation, OpIDCT, OpYUV, OpResize, OpDepthwise, OpSTB}

// lower is the level an operation falls back to when it has no
// implementation at l.
func lower(l isa) isa {
	if l == isaAVX512 {
		return isaAVX2
	}
	return isaGeneric
}

// opsAt resolves every operation's level for an implementation at level
// l: archOps (per architecture) lists the levels each operation has.
func opsAt(l isa) (ops [numOps]isa) {
	for o := range ops {
		v := l
		for v != isaGeneric && !hasLevel(archOps[o], v) {
			v = lower(v)
		}
		ops[o] = v
	}
	ops[opSgemm] = l
	return ops
}

func hasLevel(ls []isa, l isa) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}

// level is the active implementation's level for operation o.
func level(o op) isa { return current().ops[o] }

// OpImpl names the implementation that runs one operation.
type OpImpl struct {
	Op   string // one of the Op* names
	Impl string // "generic" (the Go reference), "avx2", "avx512", "neon"
}

// Ops lists every operation with the implementation the active choice
// runs it on, in a fixed order (sgemm first). For the GEMM, Impl is the
// active implementation's name.
func Ops() []OpImpl {
	r := current()
	s := make([]OpImpl, numOps)
	for o := range s {
		s[o] = OpImpl{Op: opNames[o], Impl: r.ops[o].String()}
	}
	s[opSgemm].Impl = r.name
	return s
}

// OpsString formats [Ops] as "sgemm=avx512 conv3x3=avx512 ...".
func OpsString() string {
	var b strings.Builder
	for i, o := range Ops() {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(o.Op + "=" + o.Impl)
	}
	return b.String()
}

// ImplOf returns the implementation the active choice runs operation
// opName on ("" for an unknown name).
func ImplOf(opName string) string {
	for _, o := range Ops() {
		if o.Op == opName {
			return o.Impl
		}
	}
	return ""
}

// opLevels lists the levels of operation o this machine can run, generic
// first (for the tests, which compare each with the reference).
func opLevels(o op) []isa {
	ls := []isa{isaGeneric}
	for _, l := range archOps[o] {
		if r := lookup(l.String()); r != nil && r.available {
			ls = append(ls, l)
		}
	}
	return ls
}
