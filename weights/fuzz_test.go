package weights

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// specFromBytes derives a small layer spec from fuzz input: each byte pair is
// one tensor of up to 1023 floats; a zero first byte starts a new layer.
func specFromBytes(b []byte) []Layer {
	var layers []Layer
	cur := Layer{Index: 0, Name: "[l] #1"}
	for i := 0; i+1 < len(b) && i < 64; i += 2 {
		if b[i] == 0 {
			layers = append(layers, cur)
			cur = Layer{Index: len(layers), Name: "[l]"}
		}
		n := (int(b[i])<<8 | int(b[i+1])) & 1023
		cur.Tensors = append(cur.Tensors, Tensor{Name: "t", Data: make([]float32, n)})
	}
	return append(layers, cur)
}

// FuzzRead checks that Read never panics and that its verdict is exactly
// right: success iff the data has the size the spec implies, and then
// Write reproduces the input byte for byte; otherwise a located *Error.
func FuzzRead(f *testing.F) {
	f.Add([]byte{1, 0}, []byte{})
	f.Add([]byte{0, 3}, []byte{0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	if data, err := os.ReadFile(filepath.Join(goldenDir(f), "unit", "conv_k3_s1_bn", "model.weights")); err == nil {
		f.Add([]byte{0, 248}, data)
		f.Add([]byte{0, 8, 1, 0, 0, 8, 0, 8, 0, 8, 0, 216}, data)
	} else {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, specBytes, data []byte) {
		layers := specFromBytes(specBytes)
		h, err := Read(bytes.NewReader(data), "fuzz.weights", layers)
		if err == nil {
			if int64(len(data)) != Size(h, layers) {
				t.Fatalf("accepted %d bytes, spec needs %d", len(data), Size(h, layers))
			}
			var out bytes.Buffer
			if err := Write(&out, h, layers); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), data) {
				t.Fatal("Write(Read(data)) != data")
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("%T is not *Error: %v", err, err)
		}
		_ = err.Error()
		switch {
		case errors.Is(err, io.ErrUnexpectedEOF):
			if e.Offset+e.Have != int64(len(data)) || e.Have >= e.Want {
				t.Fatalf("short-file error inconsistent with %d bytes: %#v", len(data), *e)
			}
			if len(data) >= 12 && int64(len(data)) >= Size(h, layers) {
				t.Fatalf("short-file error for %d bytes, spec needs %d", len(data), Size(h, layers))
			}
		case errors.Is(err, ErrTrailingData):
			if e.Want != Size(h, layers) || e.Have != int64(len(data)) {
				t.Fatalf("trailing-data error inconsistent: %#v (size %d, len %d)", *e, Size(h, layers), len(data))
			}
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	})
}
