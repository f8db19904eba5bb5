package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
)

// layer is one layer of the network: shapes and FLOPs from detect -summary,
// the algorithm from detect -profile.
type layer struct {
	Index  int     `json:"index"`
	Type   string  `json:"type"`
	In     [3]int  `json:"in"`
	Out    [3]int  `json:"out"`
	BFLOPs float64 `json:"bflops"`
	Algo   string  `json:"algorithm"`
	CIOMB  float64 `json:"cio_mb"`
}

type network struct {
	cfg    string
	layers []layer
	bflops float64
	source string // where the algorithms came from
}

func detectJSON(args []string, env []string, v any) error {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("%v: %w", args, err)
	}
	return json.Unmarshal(out, v)
}

// loadNetwork joins detect -summary (FLOPs at full precision) and detect
// -profile (each layer's algorithm; the arm64 build under qemu-aarch64
// unless hostProfile).
func loadNetwork(cfg string, hostProfile bool, tmp string) (*network, error) {
	var sum struct {
		Layers []layer `json:"layers"`
		BFLOPs float64 `json:"bflops"`
	}
	if err := detectJSON([]string{"go", "run", "./cmd/detect", "-summary", "-json", "-cfg", cfg}, nil, &sum); err != nil {
		return nil, err
	}
	var prof struct {
		Layers  []layer `json:"layers"`
		Kernels string  `json:"kernels"`
	}
	source := "arm64 build under qemu-aarch64"
	if hostProfile {
		source = "host build"
		if err := detectJSON([]string{"go", "run", "./cmd/detect", "-profile", "-runs", "1", "-threads", "1", "-json", "-cfg", cfg}, nil, &prof); err != nil {
			return nil, err
		}
	} else {
		bin := filepath.Join(tmp, "detect-arm64")
		build := exec.Command("go", "build", "-o", bin, "./cmd/detect")
		build.Env = append(os.Environ(), "GOARCH=arm64", "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("building detect for arm64: %v\n%s", err, out)
		}
		if err := detectJSON([]string{"qemu-aarch64", bin, "-profile", "-runs", "1", "-threads", "1", "-json", "-cfg", cfg}, nil, &prof); err != nil {
			return nil, err
		}
	}
	if len(prof.Layers) != len(sum.Layers) {
		return nil, fmt.Errorf("profile has %d layers, summary %d", len(prof.Layers), len(sum.Layers))
	}
	for i := range sum.Layers {
		sum.Layers[i].Algo = prof.Layers[i].Algo
		sum.Layers[i].CIOMB = prof.Layers[i].CIOMB
	}
	return &network{cfg: cfg, layers: sum.Layers, bflops: sum.BFLOPs, source: source + " (kernels " + prof.Kernels + ")"}, nil
}

// board is a target machine.
type board struct {
	name  string
	cpu   string  // llvm-mca model
	ghz   float64 // core clock
	cores int
	memGB float64 // DRAM bandwidth the layers' traffic is bounded by, GB/s (all cores)
	llcMB float64 // last-level cache: a layer whose traffic fits is not DRAM-bound
}

var boards = []board{
	{"Raspberry Pi 5 (4× Cortex-A76 @2.4 GHz)", "neoverse-n1", 2.4, 4, 10, 2},
	{"Raspberry Pi 4 (4× Cortex-A72 @1.8 GHz)", "cortex-a72", 1.8, 4, 4, 1},
	{"Raspberry Pi 4 (4× Cortex-A72 @1.5 GHz)", "cortex-a72", 1.5, 4, 4, 1},
}

// Assumptions that are not measured by llvm-mca.
const (
	parallelEff = 0.85 // 4 threads: share of 4× one core's rate the engine's split keeps
)

// derate is the share of the model's rate the convolution layers reach in
// practice: on the x86 machine of issue 9 (AMD EPYC Zen 5, one thread), the
// engine's 1×1 GEMM convolutions ran at 174 of 231 GFLOP/s (0.75) and its
// AVX2 direct 3×3 tile at 93 of 116 (0.80) while their microkernels reach
// 0.9-1.0 of peak in L1 — the cost of caches, edges and the driver that an
// L1-only model leaves out.
var derate = 0.75

// cycles estimates one core's cycles for a layer from the kernel rates of
// one CPU model; it returns the cycles and the category they count under.
func cycles(l layer, rt map[string]float64) (float64, string) {
	c, h, w := l.Out[0], l.Out[1], l.Out[2]
	outputs := float64(c * h * w)
	flops := l.BFLOPs * 1e9
	pad := func(v, m int) float64 { return float64((v + m - 1) / m * m) }
	memcpy := func(floats float64) float64 { return 4 * floats / rt["packRow12NEON"] }
	epilogue := outputs / rt["biasLeakyRowsNEON"]
	switch l.Type {
	case "convolutional":
		m, n := c, h*w
		switch l.Algo {
		case "direct":
			// Positions run over the zero-bordered rows (W+2 wide), 4
			// filters per tile; the bordered copy of the input.
			eff := flops * pad(m, 4) / float64(m) * float64(w+2) / float64(w)
			copyIn := memcpy(float64(l.In[0] * (l.In[1] + 2) * (l.In[2] + 2)))
			return eff/rt["conv3x3NEON"] + copyIn, "direct 3×3"
		case "winograd":
			tiles := float64(((w + 3) / 4) * ((h + 3) / 4))
			ch := float64(l.In[0])
			gemm := 2 * 36 * pad(m, 8) * ch * tiles / rt["sgemmKernelNEON"]
			pack := 36 * ch * tiles * 4 / rt["packRow12NEON"]
			in := ch*tiles*36/rt["winoGatherNEON"] + 2*ch*tiles*36/rt["winoInputNEON"]
			out := float64(m)*tiles*(24+16)/rt["winoOutputNEON"] + float64(m)*tiles*16/rt["winoScatterNEON"]
			return gemm + pack + in + out + epilogue, "winograd"
		default: // gemm, conv-gemm
			k := flops / (2 * float64(m) * float64(n))
			gemm := 2 * k * pad(m, 8) * pad(n, 12) / rt["sgemmKernelNEON"]
			pack := 4 * k * float64(n) / rt["packRow12NEON"]
			gather := 0.0
			cat := "1×1 gemm"
			if l.Algo == "conv-gemm" {
				cat = "conv-gemm (im2col-free)"
				if l.In[1] == 2*h {
					gather = k * float64(n) / rt["gatherStride2NEON"]
				} else {
					gather = memcpy(k * float64(n))
				}
			}
			return gemm + pack + gather + epilogue, cat
		}
	case "maxpool":
		if c != l.In[0] { // maxpool_depth (Maxout): one pass over the input
			return float64(l.In[0]*l.In[1]*l.In[2]) / rt["maxIntoNEON"], "maxpool"
		}
		size2 := math.Round(flops / outputs)
		if l.In[1] == 2*h && size2 == 4 {
			return outputs / rt["maxPairsNEON"], "maxpool"
		}
		return outputs * size2 / rt["maxIntoNEON"], "maxpool"
	case "upsample":
		// Each input row written doubled (Repeat2), then copied to the next row.
		return outputs/2/rt["repeat2NEON"] + memcpy(outputs/2), "upsample/shortcut"
	case "shortcut":
		return memcpy(outputs), "upsample/shortcut"
	case "route":
		return 0, "route" // the producers write into the concatenation (no copy)
	case "yolo":
		return outputs / rt["logisticNEON"], "yolo"
	}
	return memcpy(outputs), "other"
}

func estimate(net *network, r rates) {
	fmt.Printf("\n%s, %.2f GFLOP; layer algorithms from the %s\n", net.cfg, net.bflops, net.source)
	for _, b := range boards {
		rt := r[b.cpu]
		byCat := map[string]float64{}
		var one, four, oneD, fourD float64 // seconds: model, derated
		for _, l := range net.layers {
			cyc, cat := cycles(l, rt)
			t1 := cyc / (b.ghz * 1e9)
			byCat[cat] += t1
			d1 := t1
			if l.Type == "convolutional" {
				d1 = t1 / derate
			}
			floor := 0.0
			if l.CIOMB > b.llcMB {
				floor = l.CIOMB * 1e6 / (b.memGB * 1e9)
			}
			one += t1
			oneD += d1
			four += math.Max(t1/(float64(b.cores)*parallelEff), floor)
			fourD += math.Max(d1/(float64(b.cores)*parallelEff), floor)
		}
		fmt.Printf("\n%s, llvm-mca model %s:\n", b.name, b.cpu)
		cats := make([]string, 0, len(byCat))
		for c := range byCat {
			cats = append(cats, c)
		}
		sort.Slice(cats, func(i, j int) bool { return byCat[cats[i]] > byCat[cats[j]] })
		for _, c := range cats {
			fmt.Printf("  %-26s %7.2f ms  %4.1f%%\n", c, 1e3*byCat[c], 100*byCat[c]/one)
		}
		fmt.Printf("  model (upper bound):  1 thread %6.1f ms %5.1f fps (%.1f nominal GFLOP/s, %.0f%% of FMA peak); %d threads %6.1f ms %5.1f fps\n",
			1e3*one, 1/one, net.bflops/one, 100*net.bflops/one/(rt["fmaPeakNEON"]*b.ghz), b.cores, 1e3*four, 1/four)
		fmt.Printf("  expected (convs ×%.2f): 1 thread %6.1f ms %5.1f fps; %d threads %6.1f ms %5.1f fps\n",
			derate, 1e3*oneD, 1/oneD, b.cores, 1e3*fourD, 1/fourD)
	}
	fmt.Printf(`
Assumptions. "model": every load hits L1 and every branch is predicted
(llvm-mca), so the kernel rates are upper bounds; a GEMM layer runs at the
microkernel's rate on tiles padded to 8×12, plus B packing at packRow12's
rate and the bias+activation epilogue; a direct 3×3 layer at its tile's rate
over the zero-bordered rows, plus the bordered copy; Winograd as 36 GEMMs
plus its transforms, gather and scatter at their kernels' rates; routes cost
nothing (producers write into the concatenation); upsample at Repeat2's rate
plus a row copy, shortcut at the copy rate, [yolo] at the exact logistic's
on every output. %d threads
keep %.0f%% of %d× one core, and a layer whose traffic (CIO) exceeds the
last-level cache takes at least CIO / DRAM bandwidth (Pi 5: %.0f GB/s, 2 MB
L3; Pi 4: %.0f GB/s, 1 MB L2). "expected": the convolution layers' time
divided by %.2f, the share of their kernels' rate this engine reached on x86
(issue 9's Zen 5 profile: 1×1 GEMM convs 174 of 231 GFLOP/s, the AVX2 direct
3×3 tile 93 of 116). Nominal GFLOP/s counts the cfg's FLOPs, also where
Winograd does fewer.
`, boards[0].cores, 100*parallelEff, boards[0].cores, boards[0].memGB, boards[1].memGB, derate)
}
