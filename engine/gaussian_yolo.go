package engine

import (
	"github.com/darkgo/darkgo/cfgparse"
)

// gaussianYolo is Darknet's [Gaussian_yolo] layer (src/gaussian_yolo_layer.c,
// Gaussian YOLOv3): like [yolo], but each box coordinate comes with a
// predicted uncertainty. Per anchor the planes are
// x, sigma_x, y, sigma_y, w, sigma_w, h, sigma_h, objectness, classes.
type gaussianYolo struct {
	p YOLOParams
}

func init() { register("Gaussian_yolo", buildGaussianYolo) }

func buildGaussianYolo(b *buildState, s *cfgparse.Section, l *Layer) error {
	p := YOLOParams{
		Classes:  s.Int("classes", 20),
		MaxBoxes: s.Int("max", 200),
		Num:      s.Int("num", 1),
		ScaleXY:  float32(s.Float("scale_x_y", 1)),
		BetaNMS:  float32(s.Float("beta_nms", 0.6)),
	}
	switch s.String("yolo_point", "center") {
	case "left_top":
		p.YoloPoint = YoloLeftTop
	case "right_bottom":
		p.YoloPoint = YoloRightBottom
	default: // Darknet treats any other value as "center"
		p.YoloPoint = YoloCenter
	}
	if err := parseYoloCommon(b, s, l, &p, true); err != nil {
		return err
	}
	consume(s, yoloTrainingKeys...)
	consume(s, "uc_normalizer")
	consume(s, layerCommonKeys...)
	l.op = &gaussianYolo{p: p}
	return nil
}

func (g *gaussianYolo) params() []param { return nil }

// forward follows forward_gaussian_yolo_layer: logistic on x, sigma_x, y,
// sigma_y, sigma_w, sigma_h, objectness and classes (w and h means stay
// raw), and scale_x_y applied to x and y only.
func (g *gaussianYolo) forward(ins [][]float32, out []float32) {
	copy(out, ins[0])
	plane := g.p.W * g.p.H
	entries := g.p.Entries()
	scale := g.p.ScaleXY
	shift := float32(-0.5 * (float64(scale) - 1))
	for a := range g.p.Mask {
		t := out[a*entries*plane : (a+1)*entries*plane]
		for _, e := range []int{0, 1, 2, 3, 5, 7} {
			pl := t[e*plane : (e+1)*plane]
			for i, v := range pl {
				pl[i] = logistic(v)
			}
		}
		rest := t[8*plane:]
		for i, v := range rest {
			rest[i] = logistic(v)
		}
		for _, e := range []int{0, 2} {
			pl := t[e*plane : (e+1)*plane]
			for i, v := range pl {
				pl[i] = v*scale + shift
			}
		}
	}
}
