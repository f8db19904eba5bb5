package engine

import "fmt"

// Shape is the size of one activation tensor in Darknet's CHW layout (batch 1).
type Shape struct{ C, H, W int }

// Size is the number of float32 values in a tensor of this shape.
func (s Shape) Size() int { return s.C * s.H * s.W }

func (s Shape) String() string { return fmt.Sprintf("%dx%dx%d", s.W, s.H, s.C) }
