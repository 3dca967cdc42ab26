package source

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func parsed(t *testing.T, lang Language, src string) *File {
	t.Helper()
	f := NewFile("x", lang, []byte(src))
	p := NewParser(time.Second)
	t.Cleanup(p.Close)
	if err := p.Parse(f); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	return f
}

func TestDetect(t *testing.T) {
	cases := []struct {
		path, head string
		want       Language
		ok         bool
	}{
		{"a/b.py", "", Python, true},
		{"b.PYI", "", Python, true},
		{"apache/django.wsgi", "", Python, true},
		{"x.c", "", C, true},
		{"x.h", "", C, true},
		{"bin/tool", "#!/usr/bin/env python3\nprint(1)", Python, true},
		{"bin/tool", "#!/bin/sh\n", "", false},
		{"README", "python", "", false},
		{"x.cpp", "", "", false},
	}
	for _, tc := range cases {
		got, ok := Detect(tc.path, []byte(tc.head))
		if got != tc.want || ok != tc.ok {
			t.Errorf("Detect(%q) = %q %v, want %q %v", tc.path, got, ok, tc.want, tc.ok)
		}
	}
}

func TestEnclosingFunction(t *testing.T) {
	py := parsed(t, Python, "x = 1\nclass A:\n    def m(self):\n        def inner():\n            return 1\n")
	c := parsed(t, C, "static int *get(char *buf) {\n  return 0;\n}\n")
	cases := []struct {
		f    *File
		at   string
		want string
	}{
		{py, "x = 1", ""},
		{py, "return 1", "A.m.inner"},
		{c, "return 0", "get"},
	}
	for _, tc := range cases {
		off := strings.Index(string(tc.f.Src), tc.at)
		if got := tc.f.EnclosingFunction(off); got != tc.want {
			t.Errorf("EnclosingFunction(%q) = %q, want %q", tc.at, got, tc.want)
		}
	}
}

func TestStatementLines(t *testing.T) {
	py := parsed(t, Python, `x = f(
    a,
    b)
if cond(
        y):
    z = 1
elif other(w):
    pass
@deco(d)
def g():
    pass
try:
    pass
except Err(e):
    pass
`)
	c := parsed(t, C, "void f(int a) {\n  if (a) {\n    g();\n  } else if (h(a)) {\n    g();\n  }\n  int v =\n    k(a);\n}\n")
	cases := []struct {
		f           *File
		at          string
		first, last int
	}{
		{py, "a,", 1, 3},    // any line of a multi-line statement
		{py, "y)", 4, 5},    // an if header, not its body
		{py, "z = 1", 6, 6}, // a statement in a body
		{py, "w)", 7, 7},    // an elif header, not the whole if
		{py, "d)", 9, 9},    // a decorator, not the decorated function
		{py, "e)", 14, 14},  // an except header, not the whole try
		{c, "h(a)", 4, 4},   // else if header
		{c, "k(a)", 7, 8},   // multi-line declaration
		{c, "g();", 3, 3},   // statement in a body
	}
	for _, tc := range cases {
		f := tc.f
		off := strings.Index(string(f.Src), tc.at)
		first, last := f.StatementLines(off, off+1)
		if first == 0 {
			t.Fatal("no statement")
		}
		if first != tc.first || last != tc.last {
			t.Errorf("StatementLines(%q) = %d-%d, want %d-%d", tc.at, first, last, tc.first, tc.last)
		}
	}
}

func TestPositions(t *testing.T) {
	src := "\xef\xbb\xbfa = \"é😀\"; b\r\nc\n"
	l := NewLines([]byte(src))
	if line, col := l.Position(strings.Index(src, "a")); line != 1 || col != 1 {
		t.Errorf("after BOM: %d:%d, want 1:1", line, col)
	}
	if _, col := l.Position(strings.Index(src, "b")); col != 12 {
		t.Errorf("after é and an astral character: column %d, want 12", col)
	}
	if l.Text(1) != "a = \"é😀\"; b" || l.Text(2) != "c" || l.Text(3) != "" || l.Text(4) != "" {
		t.Errorf("texts %q %q %q", l.Text(1), l.Text(2), l.Text(3))
	}
}

func TestParserRecoversAfterTimeout(t *testing.T) {
	p := NewParser(time.Microsecond)
	defer p.Close()
	big := NewFile("big.py", Python, []byte(strings.Repeat("x = [1, 2, 3]\n", 200000)))
	if err := p.Parse(big); err == nil {
		big.Close()
		t.Skip("the parse finished within the limit on this machine")
	}
	p.timeout = 0
	for _, ps := range p.parsers {
		ps.SetOperationLimit(0)
	}
	small := NewFile("small.py", Python, []byte("y = 2\n"))
	if err := p.Parse(small); err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	if end := small.Root().EndByte(); end != 6 {
		t.Errorf("tree of the next file ends at byte %d, want 6: the aborted parse was resumed", end)
	}
}

// TestNestingEstimateBoundsDepth checks that the estimate is never below the
// real depth, for nesting by brackets, indentation and operator chains,
// and that a snapshot measures the depth MaxDepth walks.
func TestNestingEstimateBoundsDepth(t *testing.T) {
	cases := map[string]string{
		"brackets":  "x = " + strings.Repeat("[", 300) + strings.Repeat("]", 300) + "\n",
		"operators": "x = 1" + strings.Repeat("+1", 3000) + "\n",
		"multiline": "x = (1" + strings.Repeat("\n + 1", 3000) + ")\n",
		"attribute": "x = a" + strings.Repeat(".b", 3000) + "\n",
		"calls":     "x = f()" + strings.Repeat("()", 3000) + "\n",
		"not":       "x = " + strings.Repeat("not ", 3000) + "y\n",
		"and":       "x = a" + strings.Repeat(" and a", 3000) + "\n",
		"ternary":   "x = a" + strings.Repeat(" if c else a", 3000) + "\n",
		"await":     "async def f():\n    return " + strings.Repeat("await ", 3000) + "g\n",
		"ifs":       nestedIfs(100, "    "),
		"tabs":      nestedIfs(100, "\t"),
	}
	for name, src := range cases {
		f := parsed(t, Python, src)
		depth := MaxDepth(f.Root(), 1<<30)
		if est := NestingEstimate(f.Src); est < depth-10 {
			t.Errorf("%s: estimate %d, real depth %d", name, est, depth)
		}
		syn, err := NewSyntax(f, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if got := syn.Tree.Depth(); got != depth || depth < 100 {
			t.Errorf("%s: snapshot depth %d, MaxDepth %d", name, got, depth)
		}
	}
}

func nestedIfs(n int, indent string) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Repeat(indent, i) + "if x:\n")
	}
	b.WriteString(strings.Repeat(indent, n) + "pass\n")
	return b.String()
}

// BenchmarkNestingEstimate guesses the nesting of a module of ordinary
// code, as the driver does for a file no model reads.
func BenchmarkNestingEstimate(b *testing.B) {
	var src strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&src, "def f%d(request, x=None):\n    if x and not request.user.is_staff:\n        return {\"id\": %d, \"v\": x[0] + 1}\n    return None\n\n", i, i)
	}
	data := []byte(src.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		NestingEstimate(data)
	}
}
