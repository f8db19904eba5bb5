package engine

import (
	"fmt"
	"math"
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

func logistic(x float32) float32 { return 1 / (1 + expf(-x)) }

// tanhDarknet is Darknet's tanh_activate: 2/(1+exp(-2x))-1.
func tanhDarknet(x float32) float32 { return 2/(1+expf(-2*x)) - 1 }

func softplus(x, threshold float32) float32 {
	switch {
	case x > threshold:
		return x
	case x < -threshold:
		return expf(x)
	}
	return float32(math.Log(float64(expf(x) + 1)))
}

// activate applies an element-wise activation, with Darknet's formulas
// (src/activations.h). relu6 is computed as min(max(x,0),6); Darknet's CPU
// build returns 0 for it, a bug darkgo does not copy.
func activate(x float32, a Activation) float32 {
	switch a {
	case Linear:
		return x
	case Logistic:
		return logistic(x)
	case Loggy:
		return 2/(1+expf(-x)) - 1
	case Relu:
		if x > 0 {
			return x
		}
		return 0
	case Relu6:
		return min(max(x, 0), 6)
	case Elu:
		if x >= 0 {
			return x
		}
		return expf(x) - 1
	case Selu:
		if x >= 0 {
			return 1.0507 * x
		}
		return 1.0507 * 1.6732 * (expf(x) - 1)
	case Gelu:
		return 0.5 * x * (1 + float32(math.Tanh(float64(0.797885*x+0.035677*x*x*x))))
	case Relie:
		if x > 0 {
			return x
		}
		return 0.01 * x
	case Ramp:
		r := float32(0)
		if x > 0 {
			r = x
		}
		return r + 0.1*x
	case Leaky, RevLeaky:
		if x > 0 {
			return x
		}
		return 0.1 * x
	case Tanh:
		return tanhDarknet(x)
	case Plse:
		if x < -4 {
			return 0.01 * (x + 4)
		}
		if x > 4 {
			return 0.01*(x-4) + 1
		}
		return 0.125*x + 0.5
	case Stair:
		n := int(math.Floor(float64(x)))
		if n%2 == 0 {
			return float32(math.Floor(float64(x) / 2))
		}
		return (x - float32(n)) + float32(math.Floor(float64(x)/2))
	case Hardtan:
		return min(max(x, -1), 1)
	case Lhtan:
		if x < 0 {
			return 0.001 * x
		}
		if x > 1 {
			return 0.001*(x-1) + 1
		}
		return x
	case Swish:
		return x * logistic(x)
	case Mish:
		return x * tanhDarknet(softplus(x, 20))
	case HardMish:
		if x > 0 {
			return x
		}
		if x > -2 {
			return x*x/2 + x
		}
		return 0
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
	for i, v := range x {
		x[i] = activate(v, a)
	}
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
