package engine

import (
	"strings"
	"testing"

	"github.com/darkgo/darkgo/cfgparse"
)

// TestRouteGroupsWarning: a [route] groups= that does not divide an input's
// channels builds the same network Darknet does (floored) and leaves a
// warning naming the layer, the input and the channels dropped; a dividing
// groups= leaves none.
func TestRouteGroupsWarning(t *testing.T) {
	build := func(filters, groups string) *Net {
		src := "[net]\nwidth=8\nheight=8\nchannels=3\n\n[convolutional]\nfilters=" + filters +
			"\nsize=1\nstride=1\nactivation=linear\n\n[route]\nlayers=-1\ngroups=" + groups + "\ngroup_id=1\n"
		c, err := cfgparse.Parse("rt.cfg", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		n, err := Build(c, nil)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	n := build("5", "2")
	if got := n.Layers[1].Out.C; got != 2 {
		t.Errorf("route output channels %d, Darknet floors 5/2 to 2", got)
	}
	var found *cfgparse.Warning
	for i, w := range n.Warnings {
		if w.Key == "groups" {
			found = &n.Warnings[i]
		}
	}
	if found == nil {
		t.Fatalf("no groups warning in %v", n.Warnings)
	}
	s := found.String()
	for _, want := range []string{"rt.cfg:14", "[route] #1", "layer 1", "5 channels of layer 0", "1 channel dropped", "2.5 channels"} {
		if !strings.Contains(s, want) {
			t.Errorf("warning %q does not mention %q", s, want)
		}
	}
	for _, f := range []string{"4", "6"} {
		for _, w := range build(f, "2").Warnings {
			if w.Key == "groups" {
				t.Errorf("filters=%s groups=2: unexpected warning %v", f, w)
			}
		}
	}
}
