package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/darkgo/darkgo/engine"
)

func checkDump(o *options) error {
	if o.inputTensor == "" || o.dump == "" {
		return usagef("-input-tensor and -dump go together")
	}
	if o.cfg == "" {
		return usagef("-dump needs -cfg")
	}
	if len(o.inputs) > 0 {
		return usagef("unexpected argument %q: -dump reads only -input-tensor", o.inputs[0])
	}
	return onlyFlags(o, "-dump", "input-tensor", "dump")
}

func runDump(_ context.Context, o *options, stdout, stderr io.Writer) error {
	n, err := buildNet(o, stderr)
	if err != nil {
		return err
	}
	input, err := readTensor(o.inputTensor, n.Input)
	if err != nil {
		return err
	}
	if o.weights != "" {
		err = n.LoadWeightsFile(o.weights)
	} else {
		err = n.SyntheticWeights(o.seed)
	}
	if err != nil {
		return err
	}
	outs, err := n.ForwardReference(input)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.dump, 0o755); err != nil {
		return err
	}
	for _, i := range n.OutputLayers() {
		path := filepath.Join(o.dump, fmt.Sprintf("out_%d.f32", i))
		if err := writeTensor(path, outs[i]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\t%s\t%d values\n", path, n.Layers[i].Name, len(outs[i]))
	}
	return nil
}

// readTensor reads a raw float32 little-endian tensor that must hold
// exactly shape.Size() values. The size is checked before reading, so a
// wrong file costs nothing.
func readTensor(path string, shape engine.Shape) ([]float32, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	want := int64(shape.Size()) * 4
	if st.Size() != want {
		return nil, fmt.Errorf("%s: %d bytes, but the network input %s (CHW float32) needs %d", path, st.Size(), shape, want)
	}
	buf := make([]byte, want)
	if _, err := io.ReadFull(f, buf); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	v := make([]float32, shape.Size())
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:]))
	}
	return v, nil
}

// writeTensor writes v as raw float32 little-endian.
func writeTensor(path string, v []float32) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	var b [4]byte
	for _, x := range v {
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(x))
		w.Write(b[:])
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}
