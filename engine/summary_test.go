package engine

import (
	"testing"

	"github.com/darkgo/darkgo/cfgparse"
)

// TestDetail checks the summary's option column names what Darknet's
// loading printout names: referenced layers, partial groups, pool shapes.
func TestDetail(t *testing.T) {
	const text = badBase + `[route]
layers=-1
groups=2
group_id=1
[maxpool]
size=2
stride=2
[upsample]
stride=2
[shortcut]
from=-3
[route]
layers=-1,0
`
	cfg, err := cfgparse.Parse("d.cfg", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	n, err := Build(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"8 3x3/1 leaky", "0  1/2", "2x2/2", "x2", "from 1", "4 0"}
	for i, w := range want {
		if got := n.Layers[i].Detail(); got != w {
			t.Errorf("layer %d %s: detail %q, want %q", i, n.Layers[i].Name, got, w)
		}
	}
}
