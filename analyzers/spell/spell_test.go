package spell

import (
	"strings"
	"testing"
)

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"restype", "restype", 0},
		{"restyp", "restype", 1},
		{"precison", "precision", 1},
		{"argtype", "argtypes", 1},
		{"colour", "color", 1},
		{"", "abc", 3},
		{"kitten", "sitting", 3},
		{strings.Repeat("a", 65), "a", 64},
	} {
		if got := Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestClosest(t *testing.T) {
	flags := []string{"format", "force", "jobs"}
	for _, tc := range []struct{ word, want string }{
		{"fromat", "format"}, // two edits
		{"forme", "force"},   // one edit, nearer than format's two
		{"jbos", "jobs"},
		{"output", ""}, // none within two edits
		{"", ""},
	} {
		if got := Closest(tc.word, flags); got != tc.want {
			t.Errorf("Closest(%q) = %q, want %q", tc.word, got, tc.want)
		}
	}
}
