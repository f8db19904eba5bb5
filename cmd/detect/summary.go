package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/darkgo/darkgo/engine"
)

func checkSummary(o *options) error {
	if len(o.inputs) > 0 {
		return usagef("unexpected argument %q: -summary reads only -cfg", o.inputs[0])
	}
	return onlyFlags(o, "-summary", "summary", "json")
}

type summaryLayer struct {
	Index   int    `json:"index"`
	Type    string `json:"type"`
	In      [3]int `json:"in"`
	Out     [3]int `json:"out"`
	Outputs int    `json:"outputs"`
	BFLOPs  bflops `json:"bflops"`
	Params  int    `json:"params"`
}

type summaryJSON struct {
	Input  [3]int         `json:"input"`
	Layers []summaryLayer `json:"layers"`
	BFLOPs bflops         `json:"bflops"`
	Params int            `json:"params"`
}

// bflops is a cost Darknet keeps in a float: printed with float32's
// shortest exact representation rather than float64 noise digits.
type bflops float64

func (b bflops) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(b), 'g', -1, 32), nil
}

func chw(s engine.Shape) [3]int { return [3]int{s.C, s.H, s.W} }

func runSummary(_ context.Context, o *options, stdout, stderr io.Writer) error {
	n, err := buildNet(o, stderr)
	if err != nil {
		return err
	}
	if o.json {
		out := summaryJSON{Input: chw(n.Input), Layers: []summaryLayer{}, BFLOPs: bflops(n.BFLOPs()), Params: n.Params()}
		for _, l := range n.Layers {
			out.Layers = append(out.Layers, summaryLayer{Index: l.Index, Type: l.Type, In: chw(l.In),
				Out: chw(l.Out), Outputs: l.Outputs, BFLOPs: bflops(l.BFLOPs), Params: l.Params})
		}
		enc := json.NewEncoder(stdout)
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "layer\ttype\toptions\tinput\t\toutput\tBFLOPs\tparams\n")
	for _, l := range n.Layers {
		out := shapeString(l.Out)
		if l.Out.Size() != l.Outputs {
			// Darknet leaves the output dimensions 0 for softmax, cost,
			// detection, mismatched routes...: show the value count.
			out = fmt.Sprintf("%d", l.Outputs)
		}
		bf := ""
		if l.BFLOPs > 0 {
			bf = fmt.Sprintf("%.3f", l.BFLOPs)
		}
		fmt.Fprintf(tw, "%5d\t%s\t%s\t%s\t->\t%s\t%s\t%d\n", l.Index, l.Type, l.Detail(), shapeString(l.In), out, bf, l.Params)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "input %s, %d layers, total %.3f BFLOPs, %d parameters\n",
		shapeString(n.Input), len(n.Layers), n.BFLOPs(), n.Params())
	return nil
}

// shapeString prints W x H x C as Darknet's tables do.
func shapeString(s engine.Shape) string {
	return fmt.Sprintf("%d x %d x %d", s.W, s.H, s.C)
}
