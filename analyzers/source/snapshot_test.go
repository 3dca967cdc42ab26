package source

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unsafe"

	"testing"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// TestSnapshotMatchesTree compares every node of a snapshot with the tree
// it was copied from: type, field, range, flags, children and parent.
func TestSnapshotMatchesTree(t *testing.T) {
	for lang, src := range map[Language]string{
		Python: "import os\n\ndef f(a, *, b=1):\n    # c\n    return a.b(c)[1:] + f'{x!r}'\nclass C(B):\n    x: int = 2\n",
		C:      "#include <stdio.h>\nstruct s { int a; char b[4]; };\nint f(int n) { char buf[n]; if (n > 1) return write(1, buf, sizeof buf); return 0 /* x */; }\nint g( {\n",
	} {
		f := NewFile("x", lang, []byte(src))
		p := NewParser(0)
		if err := p.Parse(f); err != nil {
			t.Fatal(err)
		}
		snap, err := f.Snapshot(f.Root(), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		var nodes []*Node
		var fields []string
		var walk func(n *Node, field string)
		walk = func(n *Node, field string) {
			nodes = append(nodes, n)
			fields = append(fields, field)
			for c := 0; c < int(n.ChildCount()); c++ {
				walk(n.Child(c), n.FieldNameForChild(c))
			}
		}
		walk(f.Root(), "")
		i := 0
		snap.Root().Walk(func(s syntax.Node) bool {
			n := nodes[i]
			if s.Type() != n.Type() || s.StartByte() != n.StartByte() || s.EndByte() != n.EndByte() ||
				(s.FieldName() != fields[i] && !n.IsExtra()) || s.IsNamed() != n.IsNamed() || s.HasError() != n.HasError() ||
				s.ChildCount() != n.ChildCount() || s.NamedChildCount() != n.NamedChildCount() || s.IsMissing() != n.IsMissing() {
				t.Errorf("%s node %d: snapshot %s %q [%d,%d) has %d/%d kids, tree %s %q [%d,%d) has %d/%d", lang, i,
					s.Type(), s.FieldName(), s.StartByte(), s.EndByte(), s.ChildCount(), s.NamedChildCount(),
					n.Type(), fields[i], n.StartByte(), n.EndByte(), n.ChildCount(), n.NamedChildCount())
			}
			if p := n.Parent(); p != nil && (s.Parent().StartByte() != p.StartByte() || s.Parent().Type() != p.Type()) {
				t.Errorf("%s node %d: parent differs", lang, i)
			}
			for c := 0; c < int(n.NamedChildCount()); c++ {
				if s.NamedChild(c).StartByte() != n.NamedChild(c).StartByte() {
					t.Errorf("%s node %d: named child %d differs", lang, i, c)
				}
			}
			for _, field := range []string{"name", "body", "declarator", "function", "arguments", "left", "right"} {
				if (s.ChildByFieldName(field).IsNull()) != (n.ChildByFieldName(field) == nil) {
					t.Errorf("%s node %d: field %s differs", lang, i, field)
				}
			}
			i++
			return true
		})
		if i != len(nodes) || i != snap.Len() {
			t.Errorf("%s: snapshot has %d nodes (walked %d), tree %d", lang, snap.Len(), i, len(nodes))
		}
		// The limit is checked against the tree's own count of nodes
		// before the walk: it must be the walk's, to the node.
		if _, err := f.Snapshot(f.Root(), len(nodes)); err != nil {
			t.Errorf("%s: a limit of its %d nodes: %v", lang, len(nodes), err)
		}
		if _, err := f.Snapshot(f.Root(), len(nodes)-1); err == nil || !strings.Contains(err.Error(), "more than") {
			t.Errorf("%s: a limit of one node fewer: err = %v", lang, err)
		}
		f.Close()
		p.Close()
	}
}

// TestRecordLayout checks that the C record and syntax.Record agree, since
// Snapshot copies one into the other as bytes.
func TestRecordLayout(t *testing.T) {
	if got, want := recordSize(), unsafe.Sizeof(syntax.Record{}); got != want {
		t.Fatalf("C record is %d bytes, syntax.Record %d", got, want)
	}
	var r syntax.Record
	offs := recordOffsets()
	want := []uintptr{unsafe.Offsetof(r.Sym), unsafe.Offsetof(r.Field), unsafe.Offsetof(r.Flags), unsafe.Offsetof(r.Start), unsafe.Offsetof(r.End), unsafe.Offsetof(r.Parent)}
	for i := range want {
		if offs[i] != want[i] {
			t.Errorf("field %d at offset %d in C, %d in Go", i, offs[i], want[i])
		}
	}
}

// TestSyntaxLookups checks that a snapshot answers NodeAt, StatementLines
// and EnclosingFunction as the tree does, at every node's range, and that
// its outline answers the last two the same.
func TestSyntaxLookups(t *testing.T) {
	samples := map[string]string{}
	filepath.WalkDir("../../testdata/demo", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".py") || strings.HasSuffix(p, ".c")) {
			data, _ := os.ReadFile(p)
			samples[p] = string(data)
		}
		return nil
	})
	if len(samples) < 10 {
		t.Fatalf("only %d demo files", len(samples))
	}
	for name, src := range samples {
		lang, _ := Detect(name, nil)
		checkLookups(t, lang, src)
	}
	for lang, src := range map[Language]string{
		Python: "import os\n\n@dec\ndef f(a, *, b=1):\n    # c\n    if a:\n        return a.b(c)[1:] + f'{x!r}'\n    else:\n        pass\nclass C(B):\n    x: int = 2\n    def m(self):\n        log.info(\n            self.x)\n",
		C:      "#include <stdio.h>\nstruct s { int a; char b[4]; };\nint f(int n) {\n  char buf[n];\n  if (n > 1)\n    return write(1, buf,\n                 sizeof buf);\n  return 0; }\n",
	} {
		checkLookups(t, lang, src)
	}
}

// checkLookups compares the look-ups of a tree, its snapshot and its
// outline at every node of src.
func checkLookups(t *testing.T, lang Language, src string) {
	t.Helper()
	f := NewFile("x", lang, []byte(src))
	p := NewParser(0)
	if err := p.Parse(f); err != nil {
		t.Fatal(err)
	}
	s, err := NewSyntax(f, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	outline := NewOutline(s)
	s.Tree.Root().Walk(func(n syntax.Node) bool {
		a, b := int(n.StartByte()), int(n.EndByte())
		if got, want := s.NodeAt(a, b), f.NodeAt(a, b); got.StartByte() != want.StartByte() || got.EndByte() != want.EndByte() || got.Type() != want.Type() {
			t.Errorf("%s NodeAt(%d,%d) = %s, tree %s", lang, a, b, got.Type(), want.Type())
		}
		g1, g2 := s.StatementLines(a, b)
		w1, w2 := f.StatementLines(a, b)
		if g1 != w1 || g2 != w2 {
			t.Errorf("%s StatementLines(%d,%d) = %d-%d, tree %d-%d", lang, a, b, g1, g2, w1, w2)
		}
		if got, want := s.EnclosingFunction(a), f.EnclosingFunction(a); got != want {
			t.Errorf("%s EnclosingFunction(%d) = %q, tree %q", lang, a, got, want)
		}
		o1, o2 := outline.StatementLines(a, b)
		if o1 != w1 || o2 != w2 {
			t.Errorf("%s outline StatementLines(%d,%d) = %d-%d, tree %d-%d", lang, a, b, o1, o2, w1, w2)
		}
		if got, want := outline.EnclosingFunction(a), f.EnclosingFunction(a); got != want {
			t.Errorf("%s outline EnclosingFunction(%d) = %q, tree %q", lang, a, got, want)
		}
		return true
	})
	f.Close()
	p.Close()
}

// TestSyntaxRoundTrip stores a snapshot with gob and reads it back whole;
// truncated data is an error, never a panic.
func TestSyntaxRoundTrip(t *testing.T) {
	f := NewFile("pkg/m.py", Python, []byte("def f(a):\n    return g(a)  # c\nx = [1, 2]\n"))
	p := NewParser(0)
	defer p.Close()
	if err := p.Parse(f); err != nil {
		t.Fatal(err)
	}
	s, err := NewSyntax(f, 1<<20)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(s); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	var back Syntax
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&back); err != nil {
		t.Fatal(err)
	}
	if back.Path != s.Path || back.Lang != s.Lang || back.Tree.Len() != s.Tree.Len() || string(back.Src()) != string(s.Src()) || back.Lines.Count() != s.Lines.Count() {
		t.Fatalf("round trip changed the snapshot")
	}
	var a, b []string
	s.Tree.Root().Walk(func(n syntax.Node) bool {
		a = append(a, fmt.Sprint(n.Type(), n.FieldName(), n.StartByte(), n.EndByte(), n.HasError()))
		return true
	})
	back.Tree.Root().Walk(func(n syntax.Node) bool {
		b = append(b, fmt.Sprint(n.Type(), n.FieldName(), n.StartByte(), n.EndByte(), n.HasError()))
		return true
	})
	if strings.Join(a, "|") != strings.Join(b, "|") {
		t.Errorf("nodes differ after the round trip")
	}
	for cut := 0; cut < len(data); cut += 7 {
		var x Syntax
		if gob.NewDecoder(bytes.NewReader(data[:cut])).Decode(&x) == nil && x.Tree != nil && x.Tree.Len() == s.Tree.Len() {
			t.Errorf("truncated at %d decoded whole", cut)
		}
	}
}
