package engine

import (
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkForward times a whole forward pass (fast path, synthetic
// weights) of real Darknet cfgs, reporting GFLOP/s by Darknet's count.
func BenchmarkForward(b *testing.B) {
	root := repoRoot(b)
	for _, m := range []struct {
		name, cfg string
		size      int
	}{
		{"yolov4-tiny", "testdata/darknetcfg/yolov4-tiny.cfg", 416},
		{"yolov3-tiny", "testdata/darknetcfg/yolov3-tiny.cfg", 416},
		{"csppeleenet-efm", "cfg/csppeleenet-efm.cfg", 320},
	} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s-%d/t%d", m.name, m.size, threads), func(b *testing.B) {
				n, err := BuildFile(filepath.Join(root, m.cfg), &Options{Width: m.size, Height: m.size, Threads: threads})
				if err != nil {
					b.Skip(err) // the cfg may not exist yet in this tree
				}
				if err := n.SyntheticWeights(1); err != nil {
					b.Fatal(err)
				}
				s, err := n.NewSession()
				if err != nil {
					b.Fatal(err)
				}
				in := make([]float32, n.Input.Size())
				for i := range in {
					in[i] = float32(i%251) / 251
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if err := s.Forward(in); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(n.BFLOPs()*float64(b.N)/b.Elapsed().Seconds(), "GFLOP/s")
				b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/frame")
			})
		}
	}
}
