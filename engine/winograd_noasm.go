//go:build purego || !amd64

package engine

// Without the assembly the transforms run in Go (winoBRowsGo, winoARowsGo).
const haveWinoAsm = false

func winoBAVX2(src, dst *[6]*float32, n int) { panic("engine: winoBAVX2 without assembly") }

func winoAAVX2(src *[6]*float32, dst *[4]*float32, n int) {
	panic("engine: winoAAVX2 without assembly")
}

func winoGatherAVX2(row *float32, q *[6]*float32, n int) {
	panic("engine: winoGatherAVX2 without assembly")
}

func winoScatterAVX2(y *[4]*float32, dst *float32, n int) {
	panic("engine: winoScatterAVX2 without assembly")
}
