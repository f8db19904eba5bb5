package engine

import (
	"github.com/darkgo/darkgo/cfgparse"
)

func init() { register("empty", buildEmpty) }

// buildEmpty is Darknet's [empty] / [silence] layer (EMPTY): it forwards the
// previous layer's output unchanged and reads no options.
func buildEmpty(b *buildState, s *cfgparse.Section, l *Layer) error {
	passThrough(b, l)
	l.op = identity{}
	return nil
}
