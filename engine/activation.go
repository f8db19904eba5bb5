package engine

import (
	"fmt"
	"math"

	"github.com/darkgo/darkgo/kernels"
)

// Activation is a Darknet activation function.
type Activation int

// The activations Darknet knows (src/activations.c get_activation).
const (
	Linear Activation = iota
	Logistic
	Loggy
	Relu
	Relu6
	Elu
	Selu
	Gelu
	Relie
	Ramp
	Leaky
	RevLeaky
	Tanh
	Plse
	Stair
	Hardtan
	Lhtan
	Swish
	Mish
	HardMish
	NormalizeChannels
	NormalizeChannelsSoftmax
	NormalizeChannelsSoftmaxMaxval
)

var activationNames = map[string]Activation{
	"linear": Linear, "logistic": Logistic, "loggy": Loggy, "relu": Relu, "relu6": Relu6,
	"elu": Elu, "selu": Selu, "gelu": Gelu, "relie": Relie, "ramp": Ramp, "leaky": Leaky,
	"revleaky": RevLeaky, "tanh": Tanh, "plse": Plse, "stair": Stair, "hardtan": Hardtan,
	"lhtan": Lhtan, "swish": Swish, "mish": Mish, "hard_mish": HardMish,
	"normalize_channels": NormalizeChannels, "normalize_channels_softmax": NormalizeChannelsSoftmax,
	"normalize_channels_softmax_maxval": NormalizeChannelsSoftmaxMaxval,
}

func (a Activation) String() string {
	for k, v := range activationNames {
		if v == a {
			return k
		}
	}
	return fmt.Sprintf("Activation(%d)", int(a))
}

// parseActivation maps a cfg name to an Activation. Darknet silently falls
// back to relu for an unknown name; darkgo reports it, since it is almost
// always a typo.
func parseActivation(name string) (Activation, error) {
	a, ok := activationNames[name]
	if !ok {
		return 0, fmt.Errorf("unknown activation %q", name)
	}
	return a, nil
}

// perChannel reports whether the activation mixes values across channels
// (it then needs the tensor's channel count and plane size).
func (a Activation) perChannel() bool {
	return a == NormalizeChannels || a == NormalizeChannelsSoftmax || a == NormalizeChannelsSoftmaxMaxval
}

func expf(x float32) float32 { return float32(math.Exp(float64(x))) }

// elementwise maps each element-wise activation to the kernels package's
// implementation, which holds Darknet's formulas (src/activations.h) once
// for the reference and the fused GEMM epilogues alike. revleaky is leaky
// in Darknet's forward. relu6 is computed as min(max(x,0),6): Darknet's
// CPU build returns 0 for it, a bug darkgo does not copy.
var elementwise = func() map[Activation]kernels.Activation {
	m := map[Activation]kernels.Activation{}
	for name, a := range activationNames {
		if a == RevLeaky {
			name = "leaky"
		}
		if k, ok := kernels.ParseActivation(name); ok {
			m[a] = k
		}
	}
	return m
}()

var kernelLogistic, _ = kernels.ParseActivation("logistic")

// logistic is Darknet's logistic_activate, used by the detection heads.
func logistic(x float32) float32 { return kernelLogistic.Apply(x) }

// activate applies an element-wise activation to one value.
func activate(x float32, a Activation) float32 {
	if k, ok := elementwise[a]; ok {
		return k.Apply(x)
	}
	return x
}

// activateArray applies a to x in place. channels and plane (h*w) are used
// by the normalize_channels family, which normalises across channels at
// each pixel.
func activateArray(x []float32, a Activation, channels, plane int) {
	if a == Linear {
		return
	}
	if a.perChannel() {
		normalizeChannels(x, a, channels, plane)
		return
	}
	kernels.Activate(x, elementwise[a])
}

// normalizeChannels is Darknet's activate_array_normalize_channels{,_softmax}:
// per pixel, over channels, positive parts divided by their sum (plus 1e-4),
// or a softmax (optionally shifted by the maximum).
func normalizeChannels(x []float32, a Activation, channels, plane int) {
	const eps = 0.0001
	if channels <= 0 || plane <= 0 {
		return
	}
	batches := len(x) / (channels * plane)
	for b := 0; b < batches; b++ {
		t := x[b*channels*plane : (b+1)*channels*plane]
		for p := 0; p < plane; p++ {
			sum := float32(eps)
			switch a {
			case NormalizeChannels:
				for k := 0; k < channels; k++ {
					if v := t[k*plane+p]; v > 0 {
						sum += v
					}
				}
				for k := 0; k < channels; k++ {
					v := t[k*plane+p]
					if v > 0 {
						v /= sum
					} else {
						v = 0
					}
					t[k*plane+p] = v
				}
			default:
				maxv := float32(0)
				if a == NormalizeChannelsSoftmaxMaxval {
					maxv = t[p]
					for k := 1; k < channels; k++ {
						maxv = max(maxv, t[k*plane+p])
					}
				}
				for k := 0; k < channels; k++ {
					sum += expf(t[k*plane+p] - maxv)
				}
				for k := 0; k < channels; k++ {
					t[k*plane+p] = expf(t[k*plane+p]-maxv) / sum
				}
			}
		}
	}
}
