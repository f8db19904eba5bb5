package engine

import (
	"fmt"
	"strings"
)

// detailer is implemented by ops that have something to say in the model
// summary beyond their shapes (filters, kernel size, referenced layers...).
type detailer interface {
	detail() string
}

// Detail is a short description of the layer's main options for the model
// summary table, in the spirit of the lines Darknet prints while it builds
// a network (e.g. "32 3x3/2" for a convolution). It is "" for layers with
// nothing to add.
func (l *Layer) Detail() string {
	switch op := l.op.(type) {
	case *route:
		// Darknet prints "route 2 1/2" (group_id/groups) for a partial route.
		if op.groups > 1 {
			return fmt.Sprintf("%s  %d/%d", layerRefs(l), op.groupID, op.groups)
		}
		return layerRefs(l)
	case *shortcut:
		return "from " + layerRefs(l)[strings.Index(layerRefs(l)+" ", " ")+1:]
	}
	if d, ok := l.op.(detailer); ok {
		return d.detail()
	}
	if c, ok := l.op.(*convolutional); ok {
		return convDetail(c)
	}
	return ""
}

func convDetail(c *convolutional) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %dx%d/", c.filters, c.size, c.size)
	if c.strideX == c.strideY {
		fmt.Fprintf(&b, "%d", c.strideX)
	} else {
		fmt.Fprintf(&b, "%dx%d", c.strideX, c.strideY)
	}
	if c.dilation > 1 {
		fmt.Fprintf(&b, " dil %d", c.dilation)
	}
	if c.groups > 1 {
		fmt.Fprintf(&b, " groups %d", c.groups)
	}
	if c.bn {
		b.WriteString(" bn")
	}
	fmt.Fprintf(&b, " %s", c.act)
	return b.String()
}

func (y *yolo) detail() string {
	return fmt.Sprintf("classes %d mask %s", y.p.Classes, intList(y.p.Mask))
}

func (g *gaussianYolo) detail() string {
	return fmt.Sprintf("classes %d mask %s", g.p.Classes, intList(g.p.Mask))
}

func (r *region) detail() string {
	return fmt.Sprintf("classes %d num %d", r.p.Classes, r.p.Num)
}

func (d *detection) detail() string {
	return fmt.Sprintf("classes %d num %d side %d", d.p.Classes, d.p.Num, d.p.Side)
}

func (sm *softmaxLayer) detail() string {
	s := ""
	if sm.groups > 1 {
		s = fmt.Sprintf("groups %d", sm.groups)
	}
	if sm.temp != 1 {
		s = strings.TrimSpace(fmt.Sprintf("%s temperature %g", s, sm.temp))
	}
	return s
}

func (c *connected) detail() string {
	s := fmt.Sprintf("%d -> %d", c.inputs, c.outputs)
	if c.bn {
		s += " bn"
	}
	return s + " " + c.act.String()
}

func intList(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ",")
}

// layerRefs lists the producers of a multi-input layer for the summary
// ("2 -1" style: absolute indices, the network input as "input").
func layerRefs(l *Layer) string {
	parts := make([]string, len(l.Inputs))
	for i, k := range l.Inputs {
		if k < 0 {
			parts[i] = "input"
		} else {
			parts[i] = fmt.Sprint(k)
		}
	}
	return strings.Join(parts, " ")
}

func (p *pool2d) poolDetail() string {
	stride := fmt.Sprint(p.strideX)
	if p.strideX != p.strideY {
		stride = fmt.Sprintf("%dx%d", p.strideX, p.strideY)
	}
	return fmt.Sprintf("%dx%d/%s", p.size, p.size, stride)
}

func (m *maxpool) detail() string {
	if m.depth {
		return fmt.Sprintf("maxout -> %d channels", m.outChannels)
	}
	return m.poolDetail()
}

func (u *upsample) detail() string {
	if u.reverse {
		return fmt.Sprintf("/%d (sum)", u.stride)
	}
	return fmt.Sprintf("x%d", u.stride)
}
