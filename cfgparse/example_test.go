package cfgparse_test

import (
	"fmt"

	"github.com/darkgo/darkgo/cfgparse"
)

func Example() {
	cfg, err := cfgparse.Parse("tiny.cfg", []byte(`
[net]
width=416
height = 416

[convolutional]
filters=16
size=3
activation=leaky
dropblock=1

[maxpool]
size=2
stride=2
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Net.Int("width", 0), cfg.Net.Int("height", 0))
	for _, l := range cfg.Layers {
		fmt.Println(l.Index, l.Name(), l.Int("size", 1), l.String("activation", "linear"))
	}
	for _, w := range cfg.Warnings() {
		fmt.Println(w)
	}
	// Output:
	// 416 416
	// 0 [convolutional] #1 3 leaky
	// 1 [maxpool] #1 2 linear
	// tiny.cfg:7: [convolutional] #1: unused field 'filters'
	// tiny.cfg:10: [convolutional] #1: unused field 'dropblock'
	// tiny.cfg:14: [maxpool] #1: unused field 'stride'
}
