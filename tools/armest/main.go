// Command armest estimates darkgo's speed on Arm cores it cannot run on:
// it builds the arm64 kernels test binary, disassembles the inner loop of
// every NEON kernel with llvm-objdump, runs llvm-mca on it for
// Neoverse-N1 (LLVM's model for Cortex-A76-class cores) and Cortex-A72,
// and prints each kernel's rate (FLOP, elements or bytes per cycle) and
// its share of the FMA pipes' peak. It then turns the per-layer work of a
// network (detect -profile of the arm64 build under qemu-aarch64, for the
// algorithm each layer takes there, and detect -summary for the FLOPs) and
// those rates into a frames-per-second estimate for a Raspberry Pi 5 and a
// Raspberry Pi 4, printing the method and its assumptions with it.
//
//	tools/armest/run [-cfg cfg/csppeleenet-efm.cfg] [-kernels-only]
//
// It also checks that every WORD-encoded instruction in kernels/*_arm64.s
// decodes (llvm-mc) to the instruction its comment names.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// kernel is one NEON kernel whose inner loop is measured.
type kernel struct {
	name    string  // Go name; the symbol is kernels.NAME.abi0
	loop    int     // which backward branch (in address order) closes the loop; -1: a straight-line kernel, rated as back-to-back calls
	work    float64 // work per loop iteration
	unit    string  // "FLOP", "elem" (floats produced) or "B" (bytes moved)
	compute bool    // FMA-bound: reported as a share of the FMA peak
	what    string
}

var kernels = []kernel{
	{"fmaPeakNEON", 0, 24 * 8, "FLOP", true, "peak probe: 24 independent FMLAs"},
	{"sgemmKernelNEON", 0, 2 * 8 * 12 * 2, "FLOP", true, "GEMM 8×12 microkernel, 2 k steps"},
	{"conv3x3NEON", 0, 9 * 24 * 4 * 2, "FLOP", true, "direct 3×3 tile 4×24, one channel (9 taps)"},
	{"conv3x3PairNEON", 0, 9 * 24 * 4 * 2, "FLOP", true, "direct 3×3 tile 8×12 (Conv3x3x8), one channel"},
	{"winoInputNEON", 0, 8 * 6, "elem", false, "Winograd Bᵀd, 8 columns × 6 rows"},
	{"winoOutputNEON", 0, 8 * 4, "elem", false, "Winograd Aᵀm, 8 columns × 4 rows"},
	{"winoGatherNEON", 0, 4 * 6, "elem", false, "Winograd tile gather, 4 tiles"},
	{"winoScatterNEON", 0, 4 * 4, "elem", false, "Winograd tile scatter, 4 tiles"},
	{"logisticNEON", 0, 8, "elem", false, "exact logistic ([yolo] heads)"},
	{"maxIntoNEON", 0, 16, "elem", false, "maxpool / Maxout window step"},
	{"maxPairsNEON", 0, 8, "elem", false, "2×2/2 maxpool (8 outputs)"},
	{"biasLeakyRowsNEON", 0, 8, "elem", false, "GEMM epilogue bias+leaky"},
	{"actLogisticNEON", 0, 8, "elem", false, "logistic"},
	{"actSwishNEON", 0, 8, "elem", false, "swish"},
	{"actMishNEON", 0, 8, "elem", false, "mish"},
	{"actTanhNEON", 0, 8, "elem", false, "tanh"},
	{"addNEON", 0, 16, "elem", false, "shortcut sums (Add)"},
	// A quad load per FMLA: the load pipes, not the FMA pipes, bound it.
	{"dwRowNEON", 0, 9 * 16 * 2, "FLOP", false, "depthwise 3×3 row (load-bound), 16 outputs"},
	{"axpyNEON", 0, 16, "elem", false, "Axpy"},
	{"repeat2NEON", 0, 16, "elem", false, "2× upsample row (16 outputs)"},
	{"axpyStride2NEON", 0, 8, "elem", false, "AxpyStride2"},
	{"packRow12NEON", 0, 48, "B", false, "B packing, one 12-float piece"},
	{"gatherStride2NEON", 0, 8, "elem", false, "stride-2 conv gather"},
	{"packA8NEON", 0, 32, "elem", false, "A packing, 8 rows × 4"},
	{"yuvGatherNEON", 0, 8, "elem", false, "video Y'CbCr → RGB, 8 gathered pixels"},
	{"stbGatherNEON", 0, 16, "elem", false, "photo stb Y'CbCr → RGB, one 16-pixel TBL block"},
	{"stbGatherWideNEON", 0, 16, "elem", false, "the same, two 64-byte windows a row (TBL + TBX)"},
	{"resizePairsNEON", 0, 16, "elem", false, "resize horizontal pass, 16 outputs"},
	{"blendRowsNEON", 0, 16, "elem", false, "resize vertical pass, 16 outputs"},
	{"idctSTBNEON", -1, 64, "elem", false, "JPEG IDCT, one 8×8 block (straight line)"},
}

// goRef is a Go reference loop rated for comparison with its NEON kernel:
// symbol sym's loops (each its loops[i]-th backward branch, cycles summed),
// with calls (bl) inside them replaced by callee's body (call and return
// themselves not counted); work is the elements one pass over the loops
// makes. Branches inside a loop do not branch for llvm-mca: a loop with
// a shortcut or branchy clamps is rated with every instruction it holds.
type goRef struct {
	sym, callee string
	loops       []int
	work        float64
	vs, what    string
}

var goRefs = []goRef{
	{"yuvGatherGo", "(*YUVCoef).RGB", []int{0}, 1, "yuvGatherNEON", "YUVGather Go loop + k.RGB (a call), 1 pixel"},
	{"stbGatherGo", "", []int{0}, 1, "stbGatherNEON", "STBGather Go loop (up and the tables inlined), 1 pixel"},
	{"resizePairsAt", "", []int{0}, 1, "resizePairsNEON", "ResizePairs Go loop (inlined here), 1 output"},
	{"blendRowsAt", "", []int{0}, 1, "blendRowsNEON", "BlendRows Go loop (inlined here), 1 output"},
	// Loop 2 is the column pass (its shortcut's instructions included),
	// 4 the row pass (both paths of its clamps): 8 rounds each make 64
	// pixels.
	{"idctSTBGo", "idct1D", []int{2, 4}, 8, "idctSTBNEON", "IDCT column + row step (idct1D a call), 8 px"},
}

// cpus are the llvm-mca models: Neoverse-N1 stands for Cortex-A76
// (Raspberry Pi 5), Cortex-A72 for the Raspberry Pi 4.
var cpus = []string{"neoverse-n1", "cortex-a72"}

func main() {
	cfg := flag.String("cfg", "cfg/csppeleenet-efm.cfg", "network to estimate")
	kernelsOnly := flag.Bool("kernels-only", false, "only the kernel table (no network estimate)")
	host := flag.Bool("host-profile", false, "take the layers' algorithms from a host build instead of the arm64 build under qemu-aarch64")
	minPeak := flag.Float64("min-peak", 0, "exit 1 if a compute-bound kernel is below this % of the FMA peak on neoverse-n1")
	flag.Float64Var(&derate, "derate", derate, "share of the model's rate the convolution layers reach in practice, for the 'expected' line")
	flag.Parse()
	if err := run(*cfg, *kernelsOnly, *host, *minPeak); err != nil {
		fmt.Fprintln(os.Stderr, "armest:", err)
		os.Exit(1)
	}
}

// rates[cpu][kernel] = work per cycle.
type rates map[string]map[string]float64

func run(cfg string, kernelsOnly, hostProfile bool, minPeak float64) error {
	objdump, err := llvmTool("llvm-objdump")
	if err != nil {
		return err
	}
	mca, err := llvmTool("llvm-mca")
	if err != nil {
		return err
	}
	mc, err := llvmTool("llvm-mc")
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "armest")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	n, err := checkWords(mc, "kernels")
	if err != nil {
		return err
	}
	fmt.Printf("encodings: %d WORD-encoded instructions in kernels/*_arm64.s decode to their comments (llvm-mc)\n\n", n)

	bin := filepath.Join(tmp, "kernels.test")
	build := exec.Command("go", "test", "-c", "-o", bin, "./kernels")
	build.Env = append(os.Environ(), "GOARCH=arm64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building the arm64 test binary: %v\n%s", err, out)
	}

	r := rates{}
	for _, c := range cpus {
		r[c] = map[string]float64{}
	}
	fmt.Printf("%-18s %-44s %6s  %-26s %-26s\n", "kernel", "loop", "insns", "neoverse-n1 (A76)", "cortex-a72")
	var below []string
	for _, k := range kernels {
		is, err := disassemble(objdump, bin, "github.com/darkgo/darkgo/kernels."+k.name+".abi0")
		if err != nil {
			return err
		}
		body, count := straightBody(is)
		if k.loop >= 0 {
			body, count, err = loopBody(is, k.loop)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", k.name, err)
		}
		cols := []string{}
		for _, c := range cpus {
			cyc, err := mcaCycles(mca, tmp, k.name+"-"+c, c, body)
			if err != nil {
				return err
			}
			rate := k.work / cyc
			r[c][k.name] = rate
			s := fmt.Sprintf("%.2f %s/cyc", rate, k.unit)
			if k.compute && k.name != "fmaPeakNEON" {
				pct := 100 * rate / r[c]["fmaPeakNEON"]
				s += fmt.Sprintf(" %3.0f%%", pct)
				if c == "neoverse-n1" && minPeak > 0 && pct < minPeak {
					below = append(below, fmt.Sprintf("%s %.0f%%", k.name, pct))
				}
			}
			cols = append(cols, s)
		}
		fmt.Printf("%-18s %-44s %6d  %-26s %-26s\n", k.name, k.what, count, cols[0], cols[1])
	}
	fmt.Println("\n(rates: loop work / llvm-mca cycles per iteration, 400 iterations; % = share of the peak probe's FLOP/cycle on the same model)")
	if len(below) > 0 {
		return fmt.Errorf("below %.0f%% of the FMA peak on neoverse-n1: %s", minPeak, strings.Join(below, ", "))
	}
	fmt.Printf("\n%-18s %-44s %6s  %-26s %-26s\n", "Go reference", "loop", "insns", "neoverse-n1 (A76)", "cortex-a72")
	for _, g := range goRefs {
		cyc := map[string]float64{}
		count := 0
		for _, loop := range g.loops {
			body, n, err := goRefBody(objdump, bin, g, loop)
			if err != nil {
				return err
			}
			count += n
			for _, c := range cpus {
				cy, err := mcaCycles(mca, tmp, fmt.Sprint(g.sym, "-", loop, "-", c), c, body)
				if err != nil {
					return err
				}
				cyc[c] += cy
			}
		}
		cols := []string{}
		for _, c := range cpus {
			cols = append(cols, fmt.Sprintf("%.1f cyc/elem (NEON %.2f)", cyc[c]/g.work, 1/r[c][g.vs]))
		}
		fmt.Printf("%-18s %-44s %6d  %-26s %-26s\n", g.sym, g.what, count, cols[0], cols[1])
	}
	if kernelsOnly {
		return nil
	}
	net, err := loadNetwork(cfg, hostProfile, tmp)
	if err != nil {
		return err
	}
	estimate(net, r)
	return nil
}
