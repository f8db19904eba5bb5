package kernels

import "math"

// Activation is a Darknet activation function. The formulas follow
// AlexeyAB/darknet src/activations.{h,c} in float32 arithmetic.
type Activation uint8

const (
	Linear   Activation = iota // x
	Leaky                      // x > 0 ? x : 0.1x
	Relu                       // x * (x > 0)
	Logistic                   // 1 / (1 + e^-x)
	Mish                       // x * tanh(softplus(x)), softplus threshold 20
	Swish                      // x * logistic(x)
	Tanh                       // 2/(1+e^-2x) - 1 (Darknet's form)
	Relie                      // x > 0 ? x : 0.01x
	Ramp                       // x*(x>0) + 0.1x
	Elu                        // x >= 0 ? x : e^x - 1
	Selu                       // 1.0507x or 1.0507·1.6732·(e^x - 1)
	Gelu                       // 0.5x(1 + tanh(0.797885x + 0.035677x³))
	Loggy                      // 2/(1+e^-x) - 1
	Plse                       // piecewise linear sigmoid
	Stair                      // Darknet's stair
	Hardtan                    // clamp(x, -1, 1)
	Lhtan                      // leaky hard tanh
	HardMish                   // x > 0 ? x : x > -2 ? x²/2 + x : 0
	Relu6                      // clamp(x, 0, 6) (Darknet's CPU path returns 0; the engine decides)
	numActivations
)

var activationNames = [...]string{
	Linear: "linear", Leaky: "leaky", Relu: "relu", Logistic: "logistic", Mish: "mish",
	Swish: "swish", Tanh: "tanh", Relie: "relie", Ramp: "ramp", Elu: "elu", Selu: "selu",
	Gelu: "gelu", Loggy: "loggy", Plse: "plse", Stair: "stair", Hardtan: "hardtan",
	Lhtan: "lhtan", HardMish: "hard_mish", Relu6: "relu6",
}

// String returns the cfg spelling of the activation.
func (a Activation) String() string {
	if a < numActivations {
		return activationNames[a]
	}
	return "activation(" + itoaSmall(int(a)) + ")"
}

// ParseActivation maps a cfg activation name to an Activation.
func ParseActivation(s string) (Activation, bool) {
	for i, n := range activationNames {
		if n == s {
			return Activation(i), true
		}
	}
	return Linear, false
}

func itoaSmall(v int) string {
	if v < 10 {
		return string(rune('0' + v))
	}
	return itoaSmall(v/10) + string(rune('0'+v%10))
}

func expf(x float32) float32 { return float32(math.Exp(float64(x))) }

func logisticf(x float32) float32 { return 1 / (1 + expf(-x)) }

// tanhf is Darknet's tanh_activate: 2/(1+e^-2x) - 1.
func tanhf(x float32) float32 { return 2/(1+expf(-2*x)) - 1 }

// softplusf is Darknet's softplus_activate with its threshold argument.
func softplusf(x, threshold float32) float32 {
	if x > threshold {
		return x
	} else if x < -threshold {
		return expf(x)
	}
	return float32(math.Log(float64(expf(x) + 1)))
}

// mishThreshold is MISH_THRESHOLD in Darknet's activate_array_mish.
const mishThreshold = 20

// Apply evaluates the activation on one value.
func (a Activation) Apply(x float32) float32 {
	switch a {
	case Linear:
		return x
	case Leaky:
		if x > 0 {
			return x
		}
		return 0.1 * x
	case Relu:
		if x > 0 {
			return x
		}
		return 0 * x // keeps Darknet's x*(x>0) sign of zero and NaN propagation
	case Logistic:
		return logisticf(x)
	case Mish:
		return x * tanhf(softplusf(x, mishThreshold))
	case Swish:
		return x * logisticf(x)
	case Tanh:
		return tanhf(x)
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
		// Darknet computes this expression in double (its constants are
		// double literals) with tanhf; float64 then rounding matches closely.
		xd := float64(x)
		return float32(0.5 * xd * (1 + float64(float32(math.Tanh(float64(float32(0.797885*xd+0.035677*math.Pow(xd, 3))))))))
	case Loggy:
		return 2/(1+expf(-x)) - 1
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
			return float32(math.Floor(float64(x / 2)))
		}
		return (x - float32(n)) + float32(math.Floor(float64(x/2)))
	case Hardtan:
		if x < -1 {
			return -1
		}
		if x > 1 {
			return 1
		}
		return x
	case Lhtan:
		if x < 0 {
			return 0.001 * x
		}
		if x > 1 {
			return 0.001*(x-1) + 1
		}
		return x
	case HardMish:
		if x > 0 {
			return x
		}
		if x > -2 {
			return x*x/2 + x
		}
		return 0
	case Relu6:
		if x < 0 {
			return 0
		}
		if x > 6 {
			return 6
		}
		return x
	}
	return x
}

// Optional assembly for the cheap, common activations (set by an arch
// file's init when the CPU has the instructions; used when OpActivation's
// level is not generic, so DARKGO_KERNELS=generic turns them off). Each handles a prefix of
// x whose length is a multiple of 8 and computes exactly what Apply does,
// including NaN and signed zeros.
var (
	biasLeakyFast func(x *float32, n int, bias, slope float32) // v=x+bias; max(v, slope·v)
	biasReluFast  func(x *float32, n int, bias, one float32)   // v=x+bias; v·(v>0)

	// The same over rows×cols of a matrix (row stride ldc, cols a multiple
	// of 8, rows ≥ 1), bias[r] per row.
	biasLeakyRowsFast func(c *float32, ldc, rows, cols int, bias *float32, slope float32)
	biasReluRowsFast  func(c *float32, ldc, rows, cols int, bias *float32, one float32)
	// The same 16 wide (cols a multiple of 16), used at the avx512 level.
	biasLeakyRows16 func(c *float32, ldc, rows, cols int, bias *float32, slope float32)
	biasReluRows16  func(c *float32, ldc, rows, cols int, bias *float32, one float32)

	// actExpFast[a], when set, computes x[i] = a(x[i]+bias) for a prefix
	// of a multiple of 8 elements for the activations built on exp/log.
	// Unlike the others these are not bit-identical to Apply: expf and logf
	// come from polynomials within a few ulp (see TestActivationsVector).
	actExpFast [numActivations]func(x *float32, n int, bias float32)
	// actExp16 is the same 16 wide (a multiple of 16 elements), used at
	// the avx512 level before actExpFast; same bits.
	actExp16 [numActivations]func(x *float32, n int, bias float32)
	// actExpTail does the same for fewer than 8 elements (through a padded
	// copy on its own stack, so nothing escapes).
	actExpTail func(a Activation, x []float32, bias float32)
)

// noBias is added when there is no bias: -0 + x == x for every x,
// including -0, so "no bias" and "bias 0" differ only in the sign of zero
// results, as they do in Darknet.
var noBias = float32(math.Copysign(0, -1))

// noBiasRow stands in for a missing bias vector in the row passes.
var noBiasRow = func() []float32 {
	s := make([]float32, 256)
	for i := range s {
		s[i] = noBias
	}
	return s
}()

// epilogueBlock applies the epilogue to rows [row0,row0+rows) and columns
// [col,col+cols) of c: one assembly call for the whole block where there is
// one, instead of one call per row.
func epilogueBlock(c []float32, ldc, row0, rows, col, cols int, ep Epilogue) {
	if rows <= 0 || cols <= 0 {
		return
	}
	_ = c[(row0+rows-1)*ldc+col+cols-1] // the assembly writes inside this bound
	c8 := cols &^ 7
	lv := level(opActivation)
	fast := c8 > 0 && lv != isaGeneric && ((ep.Act == Linear || ep.Act == Leaky) && biasLeakyRowsFast != nil ||
		ep.Act == Relu && biasReluRowsFast != nil)
	if !fast {
		for r := row0; r < row0+rows; r++ {
			applyEpilogue(c[r*ldc+col:r*ldc+col+cols], ep, r)
		}
		return
	}
	for r0 := row0; r0 < row0+rows; {
		n := row0 + rows - r0
		var bias *float32
		if ep.Bias != nil {
			bias = &ep.Bias[r0]
		} else {
			n = min(n, len(noBiasRow))
			bias = &noBiasRow[0]
		}
		// The 16-wide rows where the level has them, the rest 8-wide.
		c16 := 0
		if lv == isaAVX512 && biasLeakyRows16 != nil {
			c16 = cols &^ 15
		}
		for _, part := range [2][2]int{{0, c16}, {c16, c8}} {
			if part[0] == part[1] {
				continue
			}
			p, w := &c[r0*ldc+col+part[0]], part[1]-part[0]
			leaky, relu := biasLeakyRowsFast, biasReluRowsFast
			if part[0] == 0 && c16 > 0 {
				leaky, relu = biasLeakyRows16, biasReluRows16
			}
			switch ep.Act {
			case Relu:
				relu(p, ldc, n, w, bias, 1)
			case Leaky:
				leaky(p, ldc, n, w, bias, 0.1)
			default:
				leaky(p, ldc, n, w, bias, 1)
			}
		}
		r0 += n
	}
	if c8 < cols {
		for r := row0; r < row0+rows; r++ {
			applyEpilogue(c[r*ldc+col+c8:r*ldc+col+cols], ep, r)
		}
	}
}

// biasAct sets x[i] = a(x[i] + bias).
func biasAct(x []float32, bias float32, a Activation) {
	vec := level(opActivation) != isaGeneric
	if n8 := len(x) &^ 7; n8 > 0 && vec {
		switch {
		case (a == Linear || a == Leaky) && biasLeakyFast != nil:
			slope := float32(1)
			if a == Leaky {
				slope = 0.1
			}
			biasLeakyFast(&x[0], n8, bias, slope)
			x = x[n8:]
		case a == Relu && biasReluFast != nil:
			biasReluFast(&x[0], n8, bias, 1)
			x = x[n8:]
		case a < numActivations && actExpFast[a] != nil:
			if n16 := n8 &^ 15; n16 > 0 && actExp16[a] != nil && level(opActivation) == isaAVX512 {
				actExp16[a](&x[0], n16, bias)
				x, n8 = x[n16:], n8-n16
			}
			if n8 > 0 {
				actExpFast[a](&x[0], n8, bias)
			}
			x = x[n8:]
		}
	}
	if len(x) > 0 && vec && a < numActivations && actExpFast[a] != nil && actExpTail != nil {
		// The tail goes through the vector code too, via a padded copy,
		// so an element's value never depends on where a call's range
		// started (the vector and scalar exp differ in the last bits).
		actExpTail(a, x, bias)
		return
	}
	switch a {
	case Linear:
		for i := range x {
			x[i] += bias
		}
	case Leaky:
		for i, v := range x {
			v += bias
			if !(v > 0) {
				v *= 0.1
			}
			x[i] = v
		}
	default:
		for i, v := range x {
			x[i] = a.Apply(v + bias)
		}
	}
}

// Activate applies a to every element of x in place.
func Activate(x []float32, a Activation) {
	if a == Linear {
		return
	}
	biasAct(x, noBias, a)
}
