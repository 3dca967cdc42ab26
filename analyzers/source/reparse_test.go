package source

import (
	"slices"
	"strings"
	"testing"
)

// TestReparseReusesUnchangedSubtrees edits the second function of a C file
// the way csrc's repairs do (a branch blanked, a line break made a
// semicolon) and checks that Reparse gives the tree and positions a parse
// of the edited text alone gives, while keeping the first function's body
// from the old tree (the same subtree: tree-sitter did not parse it again).
func TestReparseReusesUnchangedSubtrees(t *testing.T) {
	before := "int one(int a) {\n  return a + 1;\n}\n\nint two(int b) {\n#ifdef X\n  b = 3;\n#endif\n  CHECK(b)\n  return b;\n}\n\nint three(void) { return 3; }\n\nint four(int c) {\n  if (c)\n    return 1;\n  return 0;\n}\n"
	after := []byte(before)
	for _, s := range []string{"#ifdef X", "#endif"} {
		i := strings.Index(before, s)
		copy(after[i:], strings.Repeat(" ", len(s)))
	}
	after[strings.Index(before, "CHECK(b)")+len("CHECK(b)")] = ';'
	p := NewParser(0)
	defer p.Close()
	f := NewFile("a.c", C, []byte(before))
	if err := p.Parse(f); err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	old, err := f.Snapshot(f.Root(), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	g, err := p.Reparse(f, after)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	fresh := NewFile("a.c", C, after)
	if err := p.Parse(fresh); err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	got, err := g.Snapshot(g.Root(), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	want, err := fresh.Snapshot(fresh.Root(), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Records(), want.Records()) {
		t.Errorf("reparsed tree differs from a parse of the edited text:\n%s\n%s", g.Root(), fresh.Root())
	}
	samePoints(t, g.Root(), fresh.Root())
	if f.Root().Child(0).ChildByFieldName("body").ID() != g.Root().Child(0).ChildByFieldName("body").ID() {
		t.Error("the first function's body, unchanged, was parsed again")
	}
	if kept, _ := f.Snapshot(f.Root(), 1<<20); !slices.Equal(kept.Records(), old.Records()) {
		t.Error("the old tree was changed")
	}
}

// samePoints checks that the nodes of two trees of the same shape start
// and end at the same rows and columns.
func samePoints(t *testing.T, a, b *Node) {
	t.Helper()
	if a.StartPoint() != b.StartPoint() || a.EndPoint() != b.EndPoint() {
		t.Errorf("%s at %v-%v, want %v-%v", a.Type(), a.StartPoint(), a.EndPoint(), b.StartPoint(), b.EndPoint())
		return
	}
	for i := range int(min(a.ChildCount(), b.ChildCount())) {
		samePoints(t, a.Child(i), b.Child(i))
	}
}
