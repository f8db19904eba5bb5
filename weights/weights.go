// Package weights reads and writes Darknet's .weights files.
//
// A .weights file is a small header followed by every layer's parameters as
// raw little-endian float32, in layer order, with no framing: the reader
// must know from the cfg how many values each layer holds. The caller (the
// engine) describes that with []Layer and allocates each Tensor.Data from
// the cfg, which it has already bounded by its memory budget; this package
// never allocates from sizes found in the file.
package weights

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Header is the start of a .weights file.
type Header struct {
	Major, Minor, Revision int32
	Seen                   uint64 // images seen in training
}

// DefaultHeader is the header Darknet's save_weights writes (0.2.5).
func DefaultHeader() Header { return Header{Major: 0, Minor: 2, Revision: 5} }

// Transposed reports whether connected-layer weights are stored transposed,
// as Darknet decides in load_weights_upto (major or minor above 1000).
func (h Header) Transposed() bool { return h.Major > 1000 || h.Minor > 1000 }

// wideSeen reports whether the seen counter is 64-bit (major*10+minor >= 2).
func (h Header) wideSeen() bool {
	return h.Major*10+h.Minor >= 2 && h.Major < 1000 && h.Minor < 1000
}

// Tensor is one parameter array of a layer. Data has exactly the length
// the layer expects.
type Tensor struct {
	Name string
	Data []float32
}

// Layer is the parameters of one network layer, in file order.
type Layer struct {
	Index   int
	Name    string // e.g. "[convolutional] #3"
	Tensors []Tensor
}

// Count is the total number of float32 values described by layers.
func Count(layers []Layer) int64 {
	var n int64
	for _, l := range layers {
		for _, t := range l.Tensors {
			n += int64(len(t.Data))
		}
	}
	return n
}

// Error describes a weights file that does not fit its network.
type Error struct {
	File      string
	Layer     int // -1 for the header or trailing data
	LayerName string
	Tensor    string
	Offset    int64 // byte offset where the problem starts
	Want      int64 // bytes needed from Offset on
	Have      int64 // bytes present from Offset on
	Err       error
}

func (e *Error) Error() string {
	switch {
	case e.Layer < 0 && e.Tensor == "header":
		return fmt.Sprintf("%s: header: file has %d bytes, a header needs %d: %v", e.File, e.Have, e.Want, e.Err)
	case e.Layer < 0:
		return fmt.Sprintf("%s: %v at byte %d", e.File, e.Err, e.Offset)
	}
	return fmt.Sprintf("%s: layer %d %s: %s: needs %d more bytes at offset %d, the file has %d: %v (does the .weights file belong to this .cfg?)",
		e.File, e.Layer, e.LayerName, e.Tensor, e.Want, e.Offset, e.Have, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// ErrTrailing is wrapped by the error for bytes left after the last layer.
var ErrTrailing = errors.New("trailing bytes after the last layer")

const chunk = 64 << 10

// Read reads the header, then fills every tensor of every layer in order.
// A short file is an *Error naming the first layer and tensor it cannot
// fill (wrapping io.ErrUnexpectedEOF); bytes left over after the last
// layer are an error too (wrapping ErrTrailing).
func Read(r io.Reader, file string, layers []Layer) (Header, error) {
	var h Header
	var hb [20]byte
	n, err := io.ReadFull(r, hb[:12])
	if err != nil {
		return h, &Error{File: file, Layer: -1, Tensor: "header", Want: 12, Have: int64(n), Err: io.ErrUnexpectedEOF}
	}
	h.Major = int32(binary.LittleEndian.Uint32(hb[0:]))
	h.Minor = int32(binary.LittleEndian.Uint32(hb[4:]))
	h.Revision = int32(binary.LittleEndian.Uint32(hb[8:]))
	seenSize := 4
	if h.wideSeen() {
		seenSize = 8
	}
	if n, err := io.ReadFull(r, hb[12:12+seenSize]); err != nil {
		return h, &Error{File: file, Layer: -1, Tensor: "header", Want: int64(12 + seenSize), Have: int64(12 + n), Err: io.ErrUnexpectedEOF}
	}
	if seenSize == 8 {
		h.Seen = binary.LittleEndian.Uint64(hb[12:])
	} else {
		h.Seen = uint64(binary.LittleEndian.Uint32(hb[12:]))
	}
	offset := int64(12 + seenSize)
	buf := make([]byte, chunk)
	for _, l := range layers {
		for _, t := range l.Tensors {
			done := 0
			for done < len(t.Data) {
				k := min(len(t.Data)-done, chunk/4)
				m, err := io.ReadFull(r, buf[:4*k])
				if err != nil {
					want := int64(len(t.Data)-done) * 4
					return h, &Error{File: file, Layer: l.Index, LayerName: l.Name, Tensor: t.Name,
						Offset: offset, Want: want, Have: int64(m), Err: io.ErrUnexpectedEOF}
				}
				for i := 0; i < k; i++ {
					t.Data[done+i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:]))
				}
				done += k
				offset += int64(m)
			}
		}
	}
	extra, err := io.Copy(io.Discard, io.LimitReader(r, 1<<20))
	if err != nil {
		return h, fmt.Errorf("%s: %w", file, err)
	}
	if extra > 0 {
		more := ""
		if extra == 1<<20 {
			more = " or more"
		}
		return h, &Error{File: file, Layer: -1, Offset: offset,
			Err: fmt.Errorf("%w: %d%s bytes after the last layer (does the .weights file belong to this .cfg?)", ErrTrailing, extra, more)}
	}
	return h, nil
}

// Write writes a header and every tensor of every layer.
func Write(w io.Writer, h Header, layers []Layer) error {
	var hb [20]byte
	binary.LittleEndian.PutUint32(hb[0:], uint32(h.Major))
	binary.LittleEndian.PutUint32(hb[4:], uint32(h.Minor))
	binary.LittleEndian.PutUint32(hb[8:], uint32(h.Revision))
	n := 16
	if h.wideSeen() {
		binary.LittleEndian.PutUint64(hb[12:], h.Seen)
		n = 20
	} else {
		binary.LittleEndian.PutUint32(hb[12:], uint32(h.Seen))
	}
	if _, err := w.Write(hb[:n]); err != nil {
		return err
	}
	buf := make([]byte, chunk)
	for _, l := range layers {
		for _, t := range l.Tensors {
			for done := 0; done < len(t.Data); {
				k := min(len(t.Data)-done, chunk/4)
				for i := 0; i < k; i++ {
					binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(t.Data[done+i]))
				}
				if _, err := w.Write(buf[:4*k]); err != nil {
					return err
				}
				done += k
			}
		}
	}
	return nil
}
