// Command neon generates darkgo's NEON kernels besides the hand-written
// GEMM microkernel (kernels/asm_arm64.s): activations, packing and gathers.
// Go's arm64 assembler has no vector float arithmetic other than
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

func main() {
	dir := flag.String("dir", "..", "kernels directory to write into")
	flag.Parse()

	act := newFile("·neonActConsts")
	activations(act)
	biasActs(act)
	act.write(filepath.Join(*dir, "act_arm64.s"),
		"// Darknet's activations on NEON (source: kernels/_asm/neon/act.go).\n")

	pack := newFile("·neonPackConsts")
	packs(pack)
	pool := newFile("·neonPoolConsts")
	pools(pool)
	pool.write(filepath.Join(*dir, "maxpool_arm64.s"),
		"// Max pooling runs on NEON (source: kernels/_asm/neon/pool.go).\n")

	wino := newFile("·neonWinoConsts")
	winograd(wino)
	wino.write(filepath.Join(*dir, "winograd_arm64.s"),
		"// Winograd F(4×4, 3×3) transforms, gather and scatter on NEON (source: kernels/_asm/neon/winograd.go).\n")

	conv := newFile("·neonConv3x3Consts")
	conv3x3(conv)
	conv.write(filepath.Join(*dir, "conv3x3_arm64.s"),
		"// The direct 3×3 convolution tile on NEON (source: kernels/_asm/neon/conv3x3.go).\n")

	logi := newFile("·neonLogisticConsts")
	logistic64(logi)
	logi.write(filepath.Join(*dir, "logistic_arm64.s"),
		"// The exact logistic (LogisticExact) on NEON (source: kernels/_asm/neon/logistic.go).\n")

	vec := newFile("·neonVecConsts")
	vecs(vec)
	repeat2(vec)
	vec.write(filepath.Join(*dir, "vec_arm64.s"),
		"// Vector helpers (Add, Axpy, Repeat2) on NEON (source: kernels/_asm/neon/vec.go).\n")

	pack.write(filepath.Join(*dir, "pack_arm64.s"),
		"// GEMM packing and the stride-2 conv gather on NEON (source: kernels/_asm/neon/pack.go).\n")
}
