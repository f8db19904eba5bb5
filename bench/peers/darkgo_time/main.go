// Command darkgo_time is bench/peers' darkgo side when the detect CLI's
// -bench mode is not used: it keeps one network loaded and answers timing
// and dump requests on stdin, so the driver can interleave darkgo with the
// peer engines without reloading between rounds. It also writes synthetic
// .weights files, so OpenCV and PyTorch can run cfgs that have no trained
// weights (CSPPeleeNet-EFM) with exactly the parameters darkgo runs.
//
// Usage:
//
//	darkgo_time -cfg F -write-weights OUT [-seed N]
//	darkgo_time -cfg F [-weights W] [-input input.f32] -serve
//
// Serve protocol (one request per stdin line, one JSON object per stdout line):
//
//	time WARMUP RUNS THREADS  -> {"ms":[...], "cpu_per_wall":x}
//	dump DIR                  -> writes DIR/out_<L>.f32 for every output layer
//	quit
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/darkgo/darkgo/cfgparse"
	"github.com/darkgo/darkgo/engine"
	"github.com/darkgo/darkgo/weights"
)

func main() {
	cfg := flag.String("cfg", "", "Darknet cfg file")
	wts := flag.String("weights", "", "weights file (default: darkgo's synthetic weights)")
	input := flag.String("input", "", "raw CHW float32 input tensor (default: U[0,1) from -seed)")
	threads := flag.Int("threads", 1, "initial thread count")
	seed := flag.Uint64("seed", 1, "seed for synthetic weights / input")
	write := flag.String("write-weights", "", "write synthetic weights for -cfg to this file and exit")
	serve := flag.Bool("serve", false, "answer time/dump requests on stdin")
	flag.Parse()
	var err error
	switch {
	case *cfg == "":
		err = errors.New("-cfg is required")
	case *write != "":
		err = writeWeights(*cfg, *write, *seed)
	case *serve:
		err = serveLoop(*cfg, *wts, *input, *threads, *seed, os.Stdin, os.Stdout)
	default:
		err = errors.New("give -write-weights or -serve")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "darkgo_time:", err)
		os.Exit(1)
	}
}

// rng is splitmix64, the generator the golden data uses.
type rng uint64

func (r *rng) next() uint64 {
	*r += 0x9e3779b97f4a7c15
	z := uint64(*r)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// uniform returns U[lo,hi) rounded to a multiple of 2^-10 like the golden
// weights, so values survive any float formatting exactly.
func (r *rng) uniform(lo, hi float64) float32 {
	u := float64(r.next()>>11) / (1 << 53)
	return float32(math.Round((lo+(hi-lo)*u)*1024) / 1024)
}

// writeWeights writes a Darknet .weights file for cfgPath with the value
// ranges of the golden data (README of shared/golden): activations then stay
// O(0.1-1) through deep nets, far from denormals that would distort timing.
// Only convolutional layers carry parameters in the cfgs benchmarked here;
// any other parameterised layer is refused rather than guessed.
func writeWeights(cfgPath, out string, seed uint64) error {
	c, err := cfgparse.ParseFile(cfgPath)
	if err != nil {
		return err
	}
	n, err := engine.Build(c, nil)
	if err != nil {
		return err
	}
	r := rng(seed)
	var layers []weights.Layer
	for i, l := range n.Layers {
		if l.Params == 0 {
			continue
		}
		if l.Type != "convolutional" {
			return fmt.Errorf("%s: layer %d %s has parameters; only convolutional layers are supported", cfgPath, i, l.Name)
		}
		s := c.Layers[i]
		f := s.Int("filters", 1)
		bn := s.Int("batch_normalize", 0) != 0
		per := 1
		if bn {
			per = 4
		}
		nw := l.Params - per*f
		if nw <= 0 || nw%f != 0 {
			return fmt.Errorf("%s: layer %d %s: %d params do not fit %d filters", cfgPath, i, l.Name, l.Params, f)
		}
		fill := func(name string, k int, lo, hi float64) weights.Tensor {
			t := weights.Tensor{Name: name, Data: make([]float32, k)}
			for j := range t.Data {
				t.Data[j] = r.uniform(lo, hi)
			}
			return t
		}
		wl := weights.Layer{Index: i, Name: l.Name}
		wl.Tensors = append(wl.Tensors, fill("biases", f, -0.1, 0.1))
		if bn {
			wl.Tensors = append(wl.Tensors, fill("scales", f, 0.8, 1.2),
				fill("rolling_mean", f, -0.1, 0.1), fill("rolling_variance", f, 0.5, 1.5))
		}
		a := math.Sqrt(3 / float64(nw/f)) // fan-in = size*size*c/groups
		wl.Tensors = append(wl.Tensors, fill("weights", nw, -a, a))
		layers = append(layers, wl)
	}
	fo, err := os.Create(out)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(fo)
	if err := weights.Write(bw, weights.DefaultHeader(), layers); err != nil {
		fo.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		fo.Close()
		return err
	}
	if err := fo.Close(); err != nil {
		return err
	}
	// Loading it back proves the layout matches what darkgo (and Darknet) read.
	_, err = engine.LoadFiles(cfgPath, out, nil)
	return err
}

func readTensor(path string, size int) ([]float32, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) != 4*size {
		return nil, fmt.Errorf("%s: %d bytes, the network input needs %d", path, len(b), 4*size)
	}
	v := make([]float32, size)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, nil
}

func writeTensor(path string, v []float32) error {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return os.WriteFile(path, b, 0o644)
}

// cpuTime is this process's user+system CPU time; CPU/wall over a timed
// batch shows how many cores the engine really kept busy.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func serveLoop(cfgPath, wts, inPath string, threads int, seed uint64, in io.Reader, out io.Writer) error {
	t0 := time.Now()
	n, err := engine.LoadFiles(cfgPath, wts, &engine.Options{Threads: threads, Seed: seed})
	if err != nil {
		return err
	}
	s, err := n.NewSession()
	if err != nil {
		return err
	}
	load := time.Since(t0)
	size := n.Input.Size()
	var x []float32
	if inPath != "" {
		if x, err = readTensor(inPath, size); err != nil {
			return err
		}
	} else {
		r := rng(seed)
		x = make([]float32, size)
		for i := range x {
			x[i] = float32(r.next()>>56) / 256
		}
	}
	enc := json.NewEncoder(out)
	planned, naive := n.Memory()
	if err := enc.Encode(map[string]any{"ready": true, "bflops": n.BFLOPs(), "input": []int{n.Input.C, n.Input.H, n.Input.W},
		"outputs": n.OutputLayers(), "load_s": load.Seconds(), "planned_bytes": planned, "naive_bytes": naive}); err != nil {
		return err
	}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		var resp map[string]any
		switch {
		case f[0] == "quit":
			return nil
		case f[0] == "time" && len(f) == 4:
			warm, e1 := strconv.Atoi(f[1])
			runs, e2 := strconv.Atoi(f[2])
			th, e3 := strconv.Atoi(f[3])
			if e := errors.Join(e1, e2, e3); e != nil {
				resp = map[string]any{"error": e.Error()}
				break
			}
			s.SetThreads(th)
			for range warm {
				if err := s.Forward(x); err != nil {
					return err
				}
			}
			ms := make([]float64, runs)
			c0, w0 := cpuTime(), time.Now()
			for i := range ms {
				st := time.Now()
				if err := s.Forward(x); err != nil {
					return err
				}
				ms[i] = float64(time.Since(st).Nanoseconds()) / 1e6
			}
			resp = map[string]any{"ms": ms, "cpu_per_wall": float64(cpuTime()-c0) / float64(time.Since(w0))}
		case f[0] == "dump" && len(f) == 2:
			if err := s.Forward(x); err != nil {
				return err
			}
			if err := os.MkdirAll(f[1], 0o755); err != nil {
				return err
			}
			var files []string
			for _, i := range n.OutputLayers() {
				p := filepath.Join(f[1], fmt.Sprintf("out_%d.f32", i))
				if err := writeTensor(p, s.Output(i)); err != nil {
					return err
				}
				files = append(files, p)
			}
			resp = map[string]any{"files": files}
		default:
			resp = map[string]any{"error": fmt.Sprintf("bad request %q", sc.Text())}
		}
		if err := enc.Encode(resp); err != nil {
			return err
		}
	}
	return sc.Err()
}
