package pysrc

import (
	"strings"
	"testing"
)

// TestNestedValuesStayBounded: an attribute that each method rebuilds
// from itself nests without end; its value keeps at most maxNodes datums
// and the program is built with a bounded number of evaluations.
func TestNestedValuesStayBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("import opener\n\n\nclass Grid:\n    def __init__(self):\n        self.t = (1, 2)\n")
	for i := range 12 {
		b.WriteString("\n    def m" + string(rune('a'+i)) + "(self):\n        self.t = (self.t, [self.t, self.t], self.t + self.t)\n")
	}
	b.WriteString("\n    def bind(self):\n        h = opener.open()\n        h.f.argtypes = self.t\n")
	p := buildAll(t, map[string]string{"native/grid.py": b.String()})
	var notes []string
	p.Notes("objects", func(v any) { notes = append(notes, v.(string)) })
	if len(notes) == 0 {
		t.Fatal("no note of the argtypes assignment")
	}
	for _, n := range notes {
		if len(n) > 64<<10 {
			t.Errorf("a note of %d bytes: the value was not bounded", len(n))
		}
	}
	if p.sched.evals > p.sched.budget {
		t.Errorf("%d evaluations, past the budget of %d", p.sched.evals, p.sched.budget)
	}
}
