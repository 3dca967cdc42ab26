package csrc

import "testing"

func TestReturnsAllocated(t *testing.T) {
	r := buildRepo(t, map[string]string{
		"names.c": `#include <stdlib.h>
#include <string.h>
static char label[8];
static char *wrap(size_t n) { char *s = malloc(n); return s; }
char *dup(const char *s) { return strdup(s); }
char *cast(size_t n) { return (char *)calloc(n, 1); }
char *through(size_t n) { char *p; p = wrap(n); return p; }
char *label_of(int i) { label[0] = 'a' + i; return label; }
char *param(char *s) { return s; }
`,
	})
	for name, want := range map[string]int{"dup": 5, "cast": 6, "through": 7, "label_of": 0, "param": 0, "missing": 0} {
		loc, ok := r.ReturnsAllocated(name)
		switch {
		case ok != (want > 0):
			t.Errorf("ReturnsAllocated(%s) = %v, want %v", name, ok, want > 0)
		case ok && loc.StartLine != want:
			t.Errorf("ReturnsAllocated(%s) at line %d, want %d", name, loc.StartLine, want)
		}
	}
}
