package weights

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Header is the .weights file header.
type Header struct {
	Major, Minor, Revision int32
	Seen                   uint64 // images seen in training; informational
}

// DefaultHeader returns the header Darknet's save_weights writes:
// version 0.2.5 with a 64-bit seen counter of 0.
func DefaultHeader() Header { return Header{Major: 0, Minor: 2, Revision: 5} }

// Transposed reports whether connected-layer weights are stored transposed
// ([inputs][outputs] instead of [outputs][inputs]); Darknet's
// load_connected_weights transposes them back when major or minor > 1000.
func (h Header) Transposed() bool { return h.Major > 1000 || h.Minor > 1000 }

// Seen64 reports whether the seen counter is stored as uint64. This is the
// rule of AlexeyAB darknet's load_weights_upto: major*10+minor >= 2.
// (pjreddie's darknet additionally requires major and minor < 1000, which
// only matters for transposed files; those came from pjreddie-era tools with
// small version numbers, so both rules agree on every file in practice.)
func (h Header) Seen64() bool { return int64(h.Major)*10+int64(h.Minor) >= 2 }

// Size returns the size in bytes of the header as stored.
func (h Header) Size() int64 {
	if h.Seen64() {
		return 20
	}
	return 16
}

// Tensor is one parameter array of a layer; Data is allocated by the caller
// with the exact length expected.
type Tensor struct {
	Name string // e.g. "biases", "scales", "rolling_mean", "rolling_variance", "weights"
	Data []float32
}

// Layer lists the tensors one layer stores in the file, in file order.
type Layer struct {
	Index   int    // layer index in the network (for messages)
	Name    string // e.g. "[convolutional] #3" (for messages)
	Tensors []Tensor
}

// Count returns the total number of floats in layers.
func Count(layers []Layer) int64 {
	var n int64
	for _, l := range layers {
		for _, t := range l.Tensors {
			n += int64(len(t.Data))
		}
	}
	return n
}

// Size returns the exact size in bytes of a file with header h holding
// layers, for checking a file's size before reading it.
func Size(h Header, layers []Layer) int64 { return h.Size() + 4*Count(layers) }

// ErrTrailingData is wrapped by the error Read returns when the file holds
// more bytes than the layers describe.
var ErrTrailingData = errors.New("trailing data after the last layer")

// Error is a problem reading a .weights file.
type Error struct {
	File      string
	Layer     int    // layer index, -1 for the header or trailing data
	LayerName string // e.g. "[convolutional] #3"
	Tensor    string // tensor name, "header" for the header
	Offset    int64  // byte offset in the file where the tensor (or trailing data) starts
	Want      int64  // bytes the tensor needs (trailing data: the expected file size)
	Have      int64  // bytes present (trailing data: the bytes actually present, up to a bound)
	Err       error  // io.ErrUnexpectedEOF, ErrTrailingData or the reader's error
}

func (e *Error) Error() string {
	where := e.File
	if where == "" {
		where = "weights"
	}
	if e.Layer >= 0 {
		where += fmt.Sprintf(": layer %d", e.Layer)
		if e.LayerName != "" {
			where += " " + e.LayerName
		}
	}
	if e.Tensor != "" {
		where += ": " + e.Tensor
	}
	switch {
	case errors.Is(e.Err, ErrTrailingData):
		more := ""
		if e.Have-e.Want >= maxTrailingCount {
			more = "at least "
		}
		return fmt.Sprintf("%s: %s%d trailing bytes after the last layer (file should end at byte %d): weights do not match the cfg",
			where, more, e.Have-e.Want, e.Want)
	case errors.Is(e.Err, io.ErrUnexpectedEOF):
		return fmt.Sprintf("%s: file too short at byte offset %d: need %d bytes, only %d present: %v",
			where, e.Offset, e.Want, e.Have, e.Err)
	default:
		return fmt.Sprintf("%s: read error at byte offset %d: %v", where, e.Offset+e.Have, e.Err)
	}
}

func (e *Error) Unwrap() error { return e.Err }

// chunkSize is the read/write buffer size: big enough to amortise calls,
// small enough to be allocated unconditionally.
const chunkSize = 64 << 10

// maxTrailingCount bounds how many trailing bytes Read counts before it
// stops reading and reports "at least" that many.
const maxTrailingCount = 1 << 30

// Read reads the header, then fills every tensor of every layer in order.
// file names the file in errors. A short file is an *Error naming the first
// layer and tensor it cannot fill, wrapping io.ErrUnexpectedEOF; bytes after
// the last tensor are an *Error wrapping ErrTrailingData. On error the
// tensors before the failing one are filled and the rest are unspecified.
func Read(r io.Reader, file string, layers []Layer) (Header, error) {
	var h Header
	var hb [20]byte
	if n, err := io.ReadFull(r, hb[:12]); err != nil {
		return h, shortErr(file, -1, "", "header", 0, 12, int64(n), err)
	}
	h.Major = int32(binary.LittleEndian.Uint32(hb[0:]))
	h.Minor = int32(binary.LittleEndian.Uint32(hb[4:]))
	h.Revision = int32(binary.LittleEndian.Uint32(hb[8:]))
	seenLen := int(h.Size() - 12)
	if n, err := io.ReadFull(r, hb[12:12+seenLen]); err != nil {
		return h, shortErr(file, -1, "", "header", 0, h.Size(), int64(12+n), err)
	}
	if seenLen == 8 {
		h.Seen = binary.LittleEndian.Uint64(hb[12:])
	} else {
		h.Seen = uint64(binary.LittleEndian.Uint32(hb[12:]))
	}

	off := h.Size()
	buf := make([]byte, bufSize(layers))
	for _, l := range layers {
		for _, t := range l.Tensors {
			data := t.Data
			want := 4 * int64(len(data))
			var done int64
			for len(data) > 0 {
				n := min(len(data)*4, len(buf))
				got, err := io.ReadFull(r, buf[:n])
				decode(data[:got/4], buf[:got])
				if err != nil {
					return h, shortErr(file, l.Index, l.Name, t.Name, off, want, done+int64(got), err)
				}
				data = data[n/4:]
				done += int64(n)
			}
			off += want
		}
	}

	// Anything left is a mismatch between the cfg and the weights.
	var one [1]byte
	n, err := io.ReadFull(r, one[:])
	if n == 0 {
		if err == io.EOF {
			return h, nil
		}
		return h, &Error{File: file, Layer: -1, Offset: off, Err: err}
	}
	extra, err := io.Copy(io.Discard, io.LimitReader(r, maxTrailingCount-1))
	if err != nil {
		return h, &Error{File: file, Layer: -1, Offset: off, Have: 1 + extra, Err: err}
	}
	return h, &Error{File: file, Layer: -1, Offset: off, Want: off, Have: off + 1 + extra, Err: ErrTrailingData}
}

// shortErr builds the error for a failed read of want bytes at off of which
// have arrived. io.EOF is not an acceptable end inside the data, so both EOF
// flavours become io.ErrUnexpectedEOF.
func shortErr(file string, layer int, layerName, tensor string, off, want, have int64, err error) *Error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return &Error{File: file, Layer: layer, LayerName: layerName, Tensor: tensor, Offset: off, Want: want, Have: have, Err: err}
}

func bufSize(layers []Layer) int {
	n := 4 * Count(layers)
	if n < chunkSize {
		return int(max(n, 4))
	}
	return chunkSize
}

func decode(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
	}
}

// Write writes h and then every tensor of every layer in order, as Darknet's
// save_weights does.
func Write(w io.Writer, h Header, layers []Layer) error {
	var hb [20]byte
	binary.LittleEndian.PutUint32(hb[0:], uint32(h.Major))
	binary.LittleEndian.PutUint32(hb[4:], uint32(h.Minor))
	binary.LittleEndian.PutUint32(hb[8:], uint32(h.Revision))
	if h.Seen64() {
		binary.LittleEndian.PutUint64(hb[12:], h.Seen)
	} else {
		if h.Seen > math.MaxUint32 {
			return fmt.Errorf("weights: seen %d does not fit the 32-bit counter of version %d.%d", h.Seen, h.Major, h.Minor)
		}
		binary.LittleEndian.PutUint32(hb[12:], uint32(h.Seen))
	}
	if _, err := w.Write(hb[:h.Size()]); err != nil {
		return fmt.Errorf("weights: writing header: %w", err)
	}
	buf := make([]byte, bufSize(layers))
	for _, l := range layers {
		for _, t := range l.Tensors {
			data := t.Data
			for len(data) > 0 {
				n := min(len(data), len(buf)/4)
				for i, v := range data[:n] {
					binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
				}
				if _, err := w.Write(buf[:4*n]); err != nil {
					return fmt.Errorf("weights: writing layer %d %s %s: %w", l.Index, l.Name, t.Name, err)
				}
				data = data[n:]
			}
		}
	}
	return nil
}
