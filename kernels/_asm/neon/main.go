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
	pack.write(filepath.Join(*dir, "pack_arm64.s"),
		"// GEMM packing and the stride-2 conv gather on NEON (source: kernels/_asm/neon/pack.go).\n")
}
