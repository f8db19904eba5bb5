// Command neon generates darkgo's NEON kernels besides the hand-written
// GEMM microkernel (kernels/asm_arm64.s): activations, the direct 3×3 and
// Winograd loops, pooling, the exact logistic, packing, gathers and vector
// helpers. Go's arm64 assembler has no vector float arithmetic other than
// FMLA/FMLS, so those instructions are emitted as WORDs with the
// instruction in LLVM syntax as the comment; tools/armest/run checks every
// such comment against llvm-mc's disassembly of the word.
//
//	go run ./neon -dir ..    (from kernels/_asm; see kernels/generate.go)
package main

import (
	"flag"
	"path/filepath"
)

// outputs lists the generated files: name, what they hold, the constant
// table's symbol and the emitters.
var outputs = []struct {
	file, what, table string
	emit              []func(*file)
}{
	{"act_arm64.s", "Darknet's activations", "·neonActConsts", []func(*file){activations, biasActs}},
	{"conv3x3_arm64.s", "The direct 3×3 convolution tiles", "·neonConv3x3Consts", []func(*file){conv3x3}},
	{"winograd_arm64.s", "Winograd F(4×4, 3×3) transforms, gather and scatter", "·neonWinoConsts", []func(*file){winograd}},
	{"maxpool_arm64.s", "Max pooling runs", "·neonPoolConsts", []func(*file){pools}},
	{"logistic_arm64.s", "The exact logistic (LogisticExact)", "·neonLogisticConsts", []func(*file){logistic64}},
	{"pack_arm64.s", "GEMM packing and the stride-2 conv gather", "·neonPackConsts", []func(*file){packs}},
	{"depthwise_arm64.s", "The depthwise convolution's row kernel", "·neonDepthwiseConsts", []func(*file){depthwiseRow}},
	{"yuv_arm64.s", "Video frames' Y'CbCr to RGB (YUVGather)", "·neonYUVConsts", []func(*file){yuvGather}},
	{"resize_arm64.s", "The network input's resize (ResizePairs, BlendRows)", "·neonResizeConsts", []func(*file){resizePairs, blendRows}},
	{"stbycc_arm64.s", "A JPEG photo's stb_image chroma upsampling and Y'CbCr to RGB (STBGather)", "·neonSTBConsts", []func(*file){stbGather}},
	{"idct_arm64.s", "stb_image's JPEG IDCT (IDCT8x8STB)", "·neonIDCTConsts", []func(*file){idct}},
	{"vec_arm64.s", "Vector helpers (Add, Axpy, AxpyStride2, Repeat2)", "·neonVecConsts", []func(*file){vecs, repeat2, axpyStride2}},
}

func main() {
	dir := flag.String("dir", "..", "kernels directory to write into")
	flag.Parse()
	for _, o := range outputs {
		f := newFile(o.table)
		for _, emit := range o.emit {
			emit(f)
		}
		f.write(filepath.Join(*dir, o.file), "// "+o.what+" on NEON (generator: kernels/_asm/neon).\n")
	}
}
