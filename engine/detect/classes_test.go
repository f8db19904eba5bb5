package detect

import (
	"reflect"
	"testing"
)

func TestClassList(t *testing.T) {
	names := []string{"person", "car", "7"}
	for _, c := range []struct {
		spec    string
		n       int
		keep    []bool
		unknown string
	}{
		{"", 3, nil, ""},
		{"car", 3, []bool{false, true, false}, ""},
		{" person , 1 ,", 3, []bool{true, true, false}, ""},
		{"7", 8, []bool{false, false, true, false, false, false, false, false}, ""}, // a name wins over the id
		{"5", 8, []bool{false, false, false, false, false, true, false, false}, ""},
		{"3", 3, nil, "3"},   // id out of range
		{"-1", 3, nil, "-1"}, // negative id
		{"car,bus", 3, nil, "bus"},
		{"car", 1, nil, "car"}, // a name beyond the model's classes
	} {
		keep, unknown := ClassList(c.spec, names, c.n)
		if !reflect.DeepEqual(keep, c.keep) || unknown != c.unknown {
			t.Errorf("ClassList(%q, n=%d) = %v, %q; want %v, %q", c.spec, c.n, keep, unknown, c.keep, c.unknown)
		}
	}
}
