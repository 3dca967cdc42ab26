package pysrc

import (
	"fmt"
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

// TestOperationChainsEvaluateOnce: a chain of operations (a header built
// of forty `+`, a condition of `or`s) carries its operands, not every
// inner operation as an alternative of its own, so that it is evaluated
// once per level rather than 2^n times.
func TestOperationChainsEvaluateOnce(t *testing.T) {
	terms := make([]string, 40)
	for i := range terms {
		terms[i] = "o8(" + string(rune('0'+i%10)) + ")"
	}
	src := "import opener\n\n\ndef o8(x):\n    return x\n\n\ndef header(a, b, c):\n    h = opener.open()\n" +
		"    h.f.size = " + strings.Join(terms, " + ") + "\n" +
		"    h.g.size = a or b or c or 4\n"
	p := buildAll(t, map[string]string{"native/pcx.py": src})
	got := notes(p)
	if len(got) != 2 {
		t.Fatalf("notes %q, want the two assignments", got)
	}
	// One operation per level (fewer where the value was bounded), each
	// `or` once: an inner operation is no alternative of an outer one.
	if n := strings.Count(got[0], "+("); n == 0 || n > 39 {
		t.Errorf("%d operations in %s", n, got[0])
	}
	if n := strings.Count(got[1], "or("); n != 3 || !strings.HasSuffix(got[1], "| sym0 | sym1 | sym2 | 4}") {
		t.Errorf("or chain: %s", got[1])
	}
}

// TestGeneratedTablesStaySmall: a generated table (thousands of rows of
// constants, in a list, a tuple, a set or a dictionary) lowers to the
// union its rows make without a sequence per row, and is no setting;
// rows that carry content (a call, a name) are lowered wherever they
// are, and a short table's rows are kept one by one.
func TestGeneratedTablesStaySmall(t *testing.T) {
	var b strings.Builder
	b.WriteString("import opener\n\nTABLE = [\n")
	for i := range 3000 {
		fmt.Fprintf(&b, "    (%d, -%d, 'x%d', None, [1.5, True]),\n", i, i, i)
	}
	b.WriteString("    (opener.open(), 1),\n]\nCODES = {\n")
	for i := range 3000 {
		fmt.Fprintf(&b, "    'k%d': (%d, 'v'),\n", i, i)
	}
	b.WriteString("    'last': opener.open(),\n}\nSHORT = [(1, 2), (3, 4)]\n")
	parts := extractAll(t, map[string]string{"gen/table.py": b.String()})
	m := opened(t, parts[0])
	code := m.Funcs[0].Code()
	if len(code.Seqs) > 4*maxAtoms {
		t.Errorf("%d sequences lowered: the rows of the long tables were kept", len(code.Seqs))
	}
	calls := 0
	for _, c := range code.Calls {
		if c.Name == "opener.open" {
			calls++
		}
	}
	if calls != 2 {
		t.Errorf("%d calls of opener.open lowered, want 2 (the last row of each table)", calls)
	}
	kinds := map[string]LiteralKind{}
	for _, s := range m.Settings {
		kinds[s.Name] = s.Value.Kind
	}
	if kinds["TABLE"] != LitOther || kinds["CODES"] != LitOther || kinds["SHORT"] != LitList {
		t.Errorf("settings' kinds %v: want the long tables read as other expressions, SHORT a list", kinds)
	}
	for _, s := range m.Settings {
		if s.Value.Kind == LitOther && len(s.Value.Text) > 0 {
			t.Errorf("setting %s keeps %d bytes of text", s.Name, len(s.Value.Text))
		}
	}
}

// TestLongTableKeepsNoIndices: a long display whose constant rows are
// not lowered is a union, not a sequence of the rows it kept, whose
// indices would name other rows than the source's.
func TestLongTableKeepsNoIndices(t *testing.T) {
	var b strings.Builder
	b.WriteString("import opener\n\n\ndef rows():\n    data = [\n")
	for i := range 1100 {
		fmt.Fprintf(&b, "        (%d, \"v%d\"),\n", i, i)
	}
	b.WriteString("        opener.open(),\n    ]\n    return data\n")
	m := opened(t, extractAll(t, map[string]string{"gen/rows.py": b.String()})[0])
	for _, f := range m.Funcs {
		code := f.Code()
		for _, s := range code.Seqs {
			if len(s.Items) > maxAtoms {
				t.Errorf("%s keeps a sequence of %d items: its indices are not the display's", f.Name, len(s.Items))
			}
		}
	}
}
