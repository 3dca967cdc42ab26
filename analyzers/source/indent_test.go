package source

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// nested returns a Python function with depth nested if blocks, indented
// by indent per level, and a call at the bottom; with blanks, then a
// string whose lines are indented otherwise.
func nested(depth int, indent string) string {
	var b strings.Builder
	b.WriteString("def view(request):\n")
	for d := 1; d <= depth; d++ {
		fmt.Fprintf(&b, "%sif request.GET.get(%q):\n", strings.Repeat(indent, d), fmt.Sprint(d))
		fmt.Fprintf(&b, "%s# a comment at depth %d\n", strings.Repeat(indent, d+1), d)
	}
	fmt.Fprintf(&b, "%slog(request.body)\n", strings.Repeat(indent, depth+1))
	if indent != "\t" {
		// With tabs, each level adds one byte and eight columns: there is
		// no room to renumber widths that other lines add.
		b.WriteString("    s = \"\"\"\n  text in a string\n\"\"\"\n")
	}
	b.WriteString("print(1)\n")
	return b.String()
}

// TestDeepPythonIndentation parses Python nested as deep as CPython
// allows (99 blocks in a function), with blanks and with tabs: the
// grammar's scanner keeps widths up to 255 columns only, so without the
// renumbered input the deep blocks parse with errors.
func TestDeepPythonIndentation(t *testing.T) {
	for _, tc := range []struct {
		name, indent string
		depth        int
	}{{"four blanks", "    ", 98}, {"two blanks", "  ", 98}, {"tabs", "\t", 98}, {"shallow", "    ", 10}} {
		src := nested(tc.depth, tc.indent)
		f := parsed(t, Python, src)
		if string(f.Src) != src {
			t.Errorf("%s: the file's bytes changed", tc.name)
		}
		root := f.Root()
		if root.HasError() {
			t.Errorf("%s: syntax errors in %d nested blocks", tc.name, tc.depth)
		}
		call := strings.Index(src, "log(request.body)")
		n := f.NodeAt(call, call+len("log(request.body)"))
		if n == nil || n.Type() != "call" || f.Text(n) != "log(request.body)" {
			t.Errorf("%s: no call at the bottom: %v", tc.name, n)
		}
		// The last statement is back at module level.
		if last := root.NamedChild(int(root.NamedChildCount()) - 1); f.Text(last) != "print(1)" {
			t.Errorf("%s: last top-level statement %q", tc.name, f.Text(last))
		}
	}
}

func TestPythonInput(t *testing.T) {
	shallow := []byte("if x:\n    y\n")
	if got := pythonInput(shallow); &got[0] != &shallow[0] {
		t.Error("a file within the limit is copied")
	}
	deep := []byte(nested(70, "    "))
	in := pythonInput(deep)
	if len(in) != len(deep) || bytes.Equal(in, deep) {
		t.Fatal("a deep file is not renumbered in place")
	}
	for _, l := range indentations(in) {
		if l.width > maxIndent {
			t.Errorf("width %d left at byte %d", l.width, l.start)
		}
	}
	// Outside the indentation every byte is the file's.
	for i := range deep {
		if in[i] != deep[i] && deep[i] != ' ' && deep[i] != '\t' {
			t.Fatalf("byte %d changed from %q to %q", i, deep[i], in[i])
		}
	}
}
