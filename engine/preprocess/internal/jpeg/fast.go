package jpeg

import "encoding/binary"

// darkgo: the faster block reconstruction described in doc.go.

// idctFast computes what idct computes. Rows whose AC terms are all zero
// are not transformed: every operation of the row transform then adds,
// subtracts or multiplies zeros, leaving x[0]<<17 in all eight outputs.
// When rows 1 to 7 are all zero after that, every column transform sees
// only its first input, and its eight outputs are all (x0 + 1<<19) >> 2 >> 18:
// idctFast then writes only the first row of the result (the other seven
// are equal to it) and returns true.
func idctFast(b *block) (flat bool) {
	rest := int32(0) // OR of rows 1..7
	for i := 0; i < 8; i++ {
		x := (*[8]int32)(b[8*i : 8*i+8])
		if x[1]|x[2]|x[3]|x[4]|x[5]|x[6]|x[7] == 0 {
			if x[0] != 0 {
				v := x[0] << 17
				*x = [8]int32{v, v, v, v, v, v, v, v}
				if i > 0 {
					rest |= v
				}
			}
			continue
		}
		if i > 0 {
			rest = 1
		}
		idctRow(x)
	}
	if rest == 0 {
		x := (*[8]int32)(b[0:8])
		for i := range x {
			x[i] = ((x[i] + 1<<19) >> 2) >> 18
		}
		return true
	}
	idctCols(b)
	return false
}

// idctRow is the loop body of idctRows for one row.
func idctRow(x *[8]int32) {
	x0 := x[0]
	x7 := x[1]
	x2 := x[2]
	x5 := x[3]
	x1 := x[4]
	x6 := x[5]
	x3 := x[6]
	x4 := x[7]

	// Run FDCT backward.
	// Independent operations have been reordered somewhat
	// to make precision tracking easier.
	//
	// Note that “x0, x1 = x0+x1, x0-x1” is now a reverse butterfly
	// and carries with it an implicit divide by two: the extra bit
	// is added to the precision, not the value size.

	// x[01234567] are UQ8.0 in [0, 255].

	// Stages 4, 3, 2: x0, x1, x2, x3.

	x0 <<= 17
	x1 <<= 17
	// x0, x1 now UQ8.17.
	x0, x1 = x0+x1, x0-x1
	// x0 now UQ8.18 in [0, 255].
	// x1 now Q7.18 in [-127½, 127½].

	// Note: (1/sqrt 2)*((cos 6*pi/16)+(sin 6*pi/16)) < 0.924, so no new high bit.
	x2, x3 = dctBox(x2, x3, c(sqrt2inv_cos6, 18), -c(sqrt2inv_sin6, 18))
	// x[23] now Q8.18 in [-236, 236].
	x1, x2 = x1+x2, x1-x2
	x0, x3 = x0+x3, x0-x3
	// x[0123] now Q8.19 in [-246, 246].

	// Stages 4, 3, 2: x4, x5, x6, x7.

	x4 <<= 7
	x7 <<= 7
	// x[47] now UQ8.7
	x7, x4 = x7+x4, x7-x4
	// x7 now UQ8.8 in [0, 255].
	// x4 now Q7.8 in [-127½, 127½].

	x6 = x6 * c(sqrt2inv, 8)
	x5 = x5 * c(sqrt2inv, 8)
	// x[56] now UQ8.8 in [0, 181].
	// Note that 1/√2 has five 0s in its binary representation after
	// the 8th bit, so this multipliy is actually producing 12 bits of precision.

	x7, x5 = x7+x5, x7-x5
	x4, x6 = x4+x6, x4-x6
	// x[4567] now Q8.9 in [-218, 218].

	x4, x7 = dctBox(x4>>2, x7>>2, c(cos3, 12), -c(sin3, 12))
	x5, x6 = dctBox(x5>>2, x6>>2, c(cos1, 12), -c(sin1, 12))
	// x[4567] now Q9.19 in [-303, 303].

	// Stage 1.

	x0, x7 = x0+x7, x0-x7
	x1, x6 = x1+x6, x1-x6
	x2, x5 = x2+x5, x2-x5
	x3, x4 = x3+x4, x3-x4
	// x[01234567] now Q9.20 in [-275, 275].

	// Note: we don't need all 20 bits of “precision”,
	// but it is faster to let idctCols shift it away as part
	// of other operations rather than downshift here.

	x[0] = x0
	x[1] = x1
	x[2] = x2
	x[3] = x3
	x[4] = x4
	x[5] = x5
	x[6] = x6
	x[7] = x7
}

// storeBlock level-shifts b by +128, clamps to [0, 255] and writes it to
// dst, like the loop at the end of image/jpeg's reconstructBlock; when flat,
// all rows are b's first row. The IDCT outputs are int32 values shifted
// right by 18 (in [-8192, 8191]), so c+128 cannot overflow and one unsigned
// comparison finds the values to clamp.
func storeBlock(dst []byte, stride int, b *block, flat bool) {
	row := func(x *[8]int32) uint64 {
		var w uint64
		for i, c := range x {
			c += 128
			if uint32(c) > 255 {
				c = ^(c >> 31) & 255
			}
			w |= uint64(uint8(c)) << (8 * i)
		}
		return w
	}
	if flat {
		w := row((*[8]int32)(b[0:8]))
		for y := 0; y < 8; y++ {
			binary.LittleEndian.PutUint64(dst[y*stride:y*stride+8], w)
		}
		return
	}
	for y := 0; y < 8; y++ {
		binary.LittleEndian.PutUint64(dst[y*stride:y*stride+8], row((*[8]int32)(b[8*y:8*y+8])))
	}
}

// fillByte moves the next buffered byte into the bit accumulator exactly
// as one step of ensureNBits does (readByteStuffedByte's fast path), when
// that byte is buffered with one more after it and is not 0xff; it reports
// whether it did. Callers refill with it while they need bits and then
// call the original function, which continues ensureNBits' loop from the
// same state, so the bit and byte state is always what image/jpeg has.
func (d *decoder) fillByte() bool {
	i := d.bytes.i
	if i+2 > d.bytes.j || d.bytes.buf[i] == 0xff {
		return false
	}
	d.bytes.i = i + 1
	d.bytes.nUnreadable = 1
	d.bits.a = d.bits.a<<8 | uint32(d.bytes.buf[i])
	d.bits.n += 8
	if d.bits.m == 0 {
		d.bits.m = 1 << 7
	} else {
		d.bits.m <<= 8
	}
	return true
}
