package weights

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"github.com/darkgo/darkgo/internal/golden"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

func goldenDir(t testing.TB) string {
	t.Helper()
	return golden.Dir(t)
}

type goldenLayer struct {
	I              int    `json:"i"`
	Type           string `json:"type"`
	In             []int  `json:"in"`
	Filters        int    `json:"filters"`
	Size           int    `json:"size"`
	Groups         int    `json:"groups"`
	BatchNormalize int    `json:"batch_normalize"`
	NWeights       int    `json:"nweights"`
	Outputs        int    `json:"outputs"`
	Params         int    `json:"params"`
}

func readLayersJSON(t testing.TB, dir string) []goldenLayer {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "layers.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ Layers []goldenLayer }
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v.Layers
}

// specFromGolden builds the tensor list darknet's save_weights wrote, using
// only layers.json: conv layers get their real tensors (biases, [scales,
// rolling_mean, rolling_variance], weights) so their value ranges can be
// checked; other layers get one tensor of `params` floats.
func specFromGolden(layers []goldenLayer) []Layer {
	var spec []Layer
	for _, g := range layers {
		if g.Params == 0 {
			continue
		}
		l := Layer{Index: g.I, Name: "[" + g.Type + "]"}
		if g.Type == "convolutional" {
			n := g.Filters
			l.Tensors = append(l.Tensors, Tensor{"biases", make([]float32, n)})
			if g.BatchNormalize != 0 {
				for _, name := range []string{"scales", "rolling_mean", "rolling_variance"} {
					l.Tensors = append(l.Tensors, Tensor{name, make([]float32, n)})
				}
			}
			l.Tensors = append(l.Tensors, Tensor{"weights", make([]float32, g.NWeights)})
		} else {
			l.Tensors = []Tensor{{"params", make([]float32, g.Params)}}
		}
		spec = append(spec, l)
	}
	return spec
}

// checkConvRanges checks decoded conv tensors against the generator's
// distributions (golden README): a wrong byte order or offset would break
// them immediately.
func checkConvRanges(t *testing.T, spec []Layer, layers []goldenLayer) {
	t.Helper()
	byIndex := map[int]goldenLayer{}
	for _, g := range layers {
		byIndex[g.I] = g
	}
	for _, l := range spec {
		g := byIndex[l.Index]
		if g.Type != "convolutional" {
			continue
		}
		fanIn := float64(g.Size * g.Size * g.In[0] / max(g.Groups, 1))
		lim := map[string][2]float64{
			"biases": {-0.1, 0.1}, "scales": {0.8, 1.2}, "rolling_mean": {-0.1, 0.1},
			"rolling_variance": {0.5, 1.5}, "weights": {-math.Sqrt(3 / fanIn), math.Sqrt(3 / fanIn)},
		}
		for _, tn := range l.Tensors {
			r := lim[tn.Name]
			for i, v := range tn.Data {
				x := float64(v)
				if x < r[0]-1.0/1024 || x > r[1]+1.0/1024 || x*1024 != math.Round(x*1024) {
					t.Fatalf("layer %d %s[%d] = %v: outside %v or not a multiple of 2^-10", l.Index, tn.Name, i, v, r)
				}
			}
		}
	}
}

func TestGoldenUnitWeights(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(goldenDir(t), "unit", "*"))
	if err != nil || len(dirs) < 50 {
		t.Fatalf("golden unit cases: %d, %v", len(dirs), err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, "model.weights"))
			if err != nil {
				t.Fatal(err)
			}
			gl := readLayersJSON(t, dir)
			spec := specFromGolden(gl)
			if got, want := Size(DefaultHeader(), spec), int64(len(data)); got != want {
				t.Fatalf("Size = %d, file has %d bytes", got, want)
			}
			h, err := Read(bytes.NewReader(data), "model.weights", spec)
			if err != nil {
				t.Fatal(err)
			}
			if h != DefaultHeader() || h != (Header{0, 2, 5, 0}) || h.Transposed() {
				t.Errorf("header %+v, want {0 2 5 0}", h)
			}
			checkConvRanges(t, spec, gl)

			// Writing the decoded values back reproduces the file exactly.
			var out bytes.Buffer
			if err := Write(&out, h, spec); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), data) {
				t.Error("Write(Read(file)) differs from the file")
			}

			if len(spec) == 0 {
				return
			}
			// One float too many in the last tensor: a clean short-file error.
			last := &spec[len(spec)-1]
			tn := &last.Tensors[len(last.Tensors)-1]
			tn.Data = make([]float32, len(tn.Data)+1)
			_, err = Read(bytes.NewReader(data), "model.weights", spec)
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("too-large spec: %v", err)
			}
			if e.Layer != last.Index || e.Tensor != tn.Name || e.Want != 4*int64(len(tn.Data)) ||
				e.Have != e.Want-4 || e.Offset+e.Have != int64(len(data)) || e.LayerName != last.Name {
				t.Errorf("too-large spec: %+v", e)
			}
			// One float too few: trailing data.
			tn.Data = make([]float32, len(tn.Data)-2)
			_, err = Read(bytes.NewReader(data), "model.weights", spec)
			if !errors.As(err, &e) || !errors.Is(err, ErrTrailingData) || e.Have-e.Want != 4 ||
				!strings.Contains(err.Error(), "4 trailing bytes after the last layer") {
				t.Errorf("too-small spec: %v", err)
			}
		})
	}
}

// TestGoldenFullWeights reads the gzipped weights of the full networks with
// a spec from darknet's layers.json: sizes must match to the byte.
func TestGoldenFullWeights(t *testing.T) {
	if testing.Short() {
		t.Skip("decompresses ~60 MB")
	}
	dirs, err := filepath.Glob(filepath.Join(goldenDir(t), "full", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("golden full cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			f, err := os.Open(filepath.Join(dir, "model.weights.gz"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			zr, err := gzip.NewReader(f)
			if err != nil {
				t.Fatal(err)
			}
			gl := readLayersJSON(t, dir)
			spec := specFromGolden(gl)
			h, err := Read(zr, filepath.Base(dir)+".weights", spec)
			if err != nil {
				t.Fatal(err)
			}
			if h != DefaultHeader() {
				t.Errorf("header %+v", h)
			}
			checkConvRanges(t, spec, gl)
		})
	}
}

func randomLayers(rng *rand.Rand, nlayers int) []Layer {
	layers := make([]Layer, nlayers)
	for i := range layers {
		layers[i] = Layer{Index: i, Name: "[convolutional] #" + string(rune('1'+i%9))}
		for j := rng.IntN(4); j > 0; j-- {
			n := rng.IntN(40000) // spans several 64 KiB chunks sometimes
			if rng.IntN(3) == 0 {
				n = rng.IntN(5)
			}
			d := make([]float32, n)
			for k := range d {
				d[k] = math.Float32frombits(rng.Uint32()) // every bit pattern, NaNs included
			}
			layers[i].Tensors = append(layers[i].Tensors, Tensor{Name: "t", Data: d})
		}
	}
	return layers
}

// zeroed returns layers with the same shapes and fresh zeroed data.
func zeroed(layers []Layer) []Layer {
	out := make([]Layer, len(layers))
	for i, l := range layers {
		out[i] = Layer{Index: l.Index, Name: l.Name}
		for _, t := range l.Tensors {
			out[i].Tensors = append(out[i].Tensors, Tensor{Name: t.Name, Data: make([]float32, len(t.Data))})
		}
	}
	return out
}

func sameBits(a, b []Layer) bool {
	for i := range a {
		for j := range a[i].Tensors {
			x, y := a[i].Tensors[j].Data, b[i].Tensors[j].Data
			if len(x) != len(y) {
				return false
			}
			for k := range x {
				if math.Float32bits(x[k]) != math.Float32bits(y[k]) {
					return false
				}
			}
		}
	}
	return true
}

func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	headers := []Header{DefaultHeader(), {0, 1, 0, 12345}, {0, 2, 0, 1 << 40}, {1, 0, 0, 7}, {1001, 0, 0, 9}, {0, 1001, 3, 1 << 33}, {-1, 0, 0, 3}}
	for i, h := range headers {
		layers := randomLayers(rng, 1+rng.IntN(6))
		var buf bytes.Buffer
		if err := Write(&buf, h, layers); err != nil {
			if h.Seen > math.MaxUint32 && !h.Seen64() {
				continue
			}
			t.Fatal(err)
		}
		if int64(buf.Len()) != Size(h, layers) {
			t.Errorf("case %d: wrote %d bytes, Size says %d", i, buf.Len(), Size(h, layers))
		}
		got := zeroed(layers)
		for _, r := range []io.Reader{bytes.NewReader(buf.Bytes()), iotest.OneByteReader(bytes.NewReader(buf.Bytes())), iotest.HalfReader(bytes.NewReader(buf.Bytes()))} {
			hh, err := Read(r, "rt.weights", got)
			if err != nil {
				t.Fatalf("case %d: %v", i, err)
			}
			if hh != h {
				t.Errorf("case %d: header %+v, want %+v", i, hh, h)
			}
			if !sameBits(layers, got) {
				t.Errorf("case %d: data differs", i)
			}
		}
	}
}

func TestHeaderRules(t *testing.T) {
	tests := []struct {
		h          Header
		seen64     bool
		transposed bool
	}{
		{Header{0, 2, 5, 0}, true, false},
		{Header{0, 1, 0, 0}, false, false},
		{Header{0, 0, 0, 0}, false, false},
		{Header{1, 0, 0, 0}, true, false},
		{Header{1001, 0, 0, 0}, true, true},
		{Header{0, 1001, 0, 0}, true, true},
		{Header{1000, 0, 0, 0}, true, false},
	}
	for _, tc := range tests {
		if tc.h.Seen64() != tc.seen64 || tc.h.Transposed() != tc.transposed {
			t.Errorf("%+v: Seen64 %v Transposed %v", tc.h, tc.h.Seen64(), tc.h.Transposed())
		}
	}
	// A version-0.1 file stores a 32-bit seen: 16-byte header.
	var buf bytes.Buffer
	if err := Write(&buf, Header{0, 1, 0, 77}, nil); err != nil {
		t.Fatal(err)
	}
	want := []byte{0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 77, 0, 0, 0}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("v0.1 header bytes % x", buf.Bytes())
	}
	if err := Write(io.Discard, Header{0, 1, 0, 1 << 32}, nil); err == nil {
		t.Error("seen overflowing 32 bits must fail")
	}
}

func TestShortHeader(t *testing.T) {
	full := []byte{0, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}
	for n := 0; n < len(full); n++ {
		_, err := Read(bytes.NewReader(full[:n]), "h.weights", nil)
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, io.ErrUnexpectedEOF) || e.Tensor != "header" || e.Have != int64(n) || e.Layer != -1 {
			t.Errorf("%d bytes: %v", n, err)
		}
		wantWant := int64(20)
		if n < 12 {
			wantWant = 12
		}
		if e != nil && e.Want != wantWant {
			t.Errorf("%d bytes: Want %d", n, e.Want)
		}
	}
	h, err := Read(bytes.NewReader(full), "h.weights", nil)
	if err != nil || h.Seen != 0x0807060504030201 {
		t.Errorf("seen = %#x, %v", h.Seen, err)
	}
}

func TestShortDataMessage(t *testing.T) {
	layers := []Layer{
		{Index: 0, Name: "[convolutional] #1", Tensors: []Tensor{{"biases", make([]float32, 4)}, {"weights", make([]float32, 100)}}},
		{Index: 3, Name: "[convolutional] #2", Tensors: []Tensor{{"biases", make([]float32, 8)}, {"scales", make([]float32, 8)}}},
	}
	var buf bytes.Buffer
	if err := Write(&buf, DefaultHeader(), layers); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()[:buf.Len()-8*4-6] // cut into layer 3's scales... no: into its biases
	_, err := Read(bytes.NewReader(data), "yolo.weights", layers)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatal(err)
	}
	// 20 header + 416 layer 0 = offset 436 for biases of layer 3 (32 bytes), 26 present.
	if e.Layer != 3 || e.Tensor != "biases" || e.Offset != 436 || e.Want != 32 || e.Have != 26 {
		t.Errorf("%+v", e)
	}
	want := "yolo.weights: layer 3 [convolutional] #2: biases: file too short at byte offset 436: need 32 bytes, only 26 present: unexpected EOF"
	if err.Error() != want {
		t.Errorf("got  %q\nwant %q", err.Error(), want)
	}
}

type errReader struct{ n int }

func (r *errReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, errors.New("disk on fire")
	}
	k := min(len(p), r.n)
	clear(p[:k])
	r.n -= k
	return k, nil
}

func TestReaderError(t *testing.T) {
	layers := []Layer{{Index: 0, Name: "[connected] #1", Tensors: []Tensor{{"weights", make([]float32, 100)}}}}
	_, err := Read(&errReader{n: 16 + 40}, "x.weights", layers)
	var e *Error
	if !errors.As(err, &e) || errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "disk on fire") || e.Have != 40 {
		t.Errorf("%v (%#v)", err, *e)
	}
	// (the zero header is version 0.0: 16 bytes.) An error after all tensors is reported too, not mistaken for EOF.
	_, err = Read(&errReader{n: 16 + 400}, "x.weights", layers)
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("error after the data: %v", err)
	}
}

func TestCount(t *testing.T) {
	layers := []Layer{{Tensors: []Tensor{{"a", make([]float32, 3)}, {"b", nil}}}, {}, {Tensors: []Tensor{{"c", make([]float32, 5)}}}}
	if Count(layers) != 8 || Size(DefaultHeader(), layers) != 52 || Size(Header{0, 1, 0, 0}, layers) != 48 {
		t.Errorf("Count %d Size %d", Count(layers), Size(DefaultHeader(), layers))
	}
}
