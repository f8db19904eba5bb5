package jpeg

// darkgo: the faster Huffman decoding described in doc.go.

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
