package source

import (
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// FuzzLines checks the line table on arbitrary bytes: every offset maps to
// a position inside the file, columns grow along a line at character
// boundaries (tree-sitter never reports others), and for valid
// UTF-8 the column is the UTF-16 length of the text before the offset.
func FuzzLines(f *testing.F) {
	for _, s := range []string{"", "a\nb", "\xef\xbb\xbfx\r\ny", "é😀\n\xff", "\n\n\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		l := NewLines(src)
		prevLine, prevCol := 0, 0
		for off := 0; off <= len(src); off++ {
			line, col := l.Position(off)
			if line < 1 || line > l.Count() || col < 1 {
				t.Fatalf("offset %d: %d:%d", off, line, col)
			}
			if off < len(src) && !utf8.RuneStart(src[off]) {
				continue
			}
			if line == prevLine && col < prevCol {
				t.Fatalf("offset %d: column went back from %d to %d", off, prevCol, col)
			}
			prevLine, prevCol = line, col
			_ = l.Text(line)
		}
		if utf8.Valid(src) && !hasBOM(src) {
			_, col := l.Position(len(src))
			last := l.Text(l.Count())
			if want := len(utf16.Encode([]rune(last))) + 1; len(src) > 0 && src[len(src)-1] != '\r' && col != want {
				t.Fatalf("end column %d, want %d for %q", col, want, last)
			}
		}
	})
}

// FuzzSnapshotDecode feeds arbitrary bytes to the decoder of stored
// snapshots (what the cache reads back): it errs or gives a tree whose
// every node can be walked and read, never a panic.
func FuzzSnapshotDecode(f *testing.F) {
	for _, src := range []string{"def f(a):\n    return g(a)\n", "x = [1, (2,\n", ""} {
		file := NewFile("m.py", Python, []byte(src))
		p := NewParser(0)
		if err := p.Parse(file); err != nil {
			f.Fatal(err)
		}
		s, err := NewSyntax(file, 1<<20)
		if err != nil {
			f.Fatal(err)
		}
		data, _ := s.Tree.MarshalBinary()
		f.Add(data)
		file.Close()
		p.Close()
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var tree syntax.Tree
		if tree.UnmarshalBinary(data) != nil {
			return
		}
		tree.Root().Walk(func(n syntax.Node) bool {
			_ = n.Text()
			_ = n.Parent().Type()
			_ = n.ChildByFieldName("body")
			_ = n.NamedChild(int(n.NamedChildCount()) - 1)
			_ = n.PrevNamedSibling()
			return true
		})
	})
}
