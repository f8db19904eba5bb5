package detect

import (
	"strconv"
	"strings"
)

// ClassList parses a comma-separated list of classes, each a name from
// names or a class id, for a model with n classes (names may be shorter or
// longer than n). keep[c] is true for every listed class; an empty spec
// gives nil (all classes). unknown is the first entry that is neither a
// name nor an id below n (keep is then nil): the caller words the error.
func ClassList(spec string, names []string, n int) (keep []bool, unknown string) {
	if spec == "" {
		return nil, ""
	}
	keep = make([]bool, n)
	for _, s := range strings.Split(spec, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		found := false
		for c, name := range names {
			if name == s && c < n {
				keep[c], found = true, true
			}
		}
		if c, err := strconv.Atoi(s); !found && err == nil && c >= 0 && c < n {
			keep[c], found = true, true
		}
		if !found {
			return nil, s
		}
	}
	return keep, ""
}
