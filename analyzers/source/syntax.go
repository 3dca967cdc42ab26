package source

import (
	"bytes"
	"encoding/gob"
	"errors"
	"strings"

	sitter "github.com/smacker/go-tree-sitter"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// navigable is what the statement and function look-ups need of a node:
// both tree-sitter's nodes and snapshot nodes have it.
type navigable[N any] interface {
	comparable
	Type() string
	Parent() N
	ChildCount() uint32
	Child(int) N
	ChildByFieldName(string) N
	StartByte() uint32
	EndByte() uint32
}

// NodeAt returns the smallest named node spanning the byte range [start, end),
// or nil for a file without a tree.
func (f *File) NodeAt(start, end int) *Node {
	root := f.Root()
	if root == nil {
		return nil
	}
	return root.NamedDescendantForPointRange(f.Lines.point(start), f.Lines.point(end))
}

func (l *Lines) point(off int) sitter.Point {
	line := l.Line(off)
	return sitter.Point{Row: uint32(line - 1), Column: uint32(off - l.starts[line-1])}
}

// EnclosingFunction returns the qualified name of the innermost function
// (and, in Python, its classes: "Class.method") that contains byte offset
// off; "" at module level.
func (f *File) EnclosingFunction(off int) string {
	return enclosingFunction(f.NodeAt(off, off), f.Src)
}

// StatementLines returns the first and last line of the innermost statement
// (or clause, or decorator) that holds the byte range [start, end). For a
// compound statement only its header counts, up to the first body after the
// range, so that a comment inside a body never applies to a header.
func (f *File) StatementLines(start, end int) (first, last int) {
	return statementLines(f.NodeAt(start, end), f.Lines, start, end)
}

func enclosingFunction[N navigable[N]](n N, src []byte) string {
	var parts []string
	var zero N
	for ; n != zero; n = n.Parent() {
		switch n.Type() {
		case "function_definition", "class_definition":
			if name := definitionName(n, src); name != "" {
				parts = append(parts, name)
			}
		}
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, ".")
}

// definitionName returns the name of a Python function or class, or of a C
// function (the identifier inside its declarator chain).
func definitionName[N navigable[N]](def N, src []byte) string {
	var zero N
	text := func(n N) string { return string(src[n.StartByte():n.EndByte()]) }
	if name := def.ChildByFieldName("name"); name != zero {
		return text(name)
	}
	d := def.ChildByFieldName("declarator")
	for d != zero {
		switch d.Type() {
		case "identifier", "field_identifier":
			return text(d)
		}
		d = d.ChildByFieldName("declarator")
	}
	return ""
}

// statementContainers are the node types whose children are statements.
var statementContainers = map[string]bool{
	"module": true, "block": true, "translation_unit": true,
	"compound_statement": true, "declaration_list": true,
	"field_declaration_list": true,
}

// bodies are the node types of a compound statement's body, where its header ends.
var bodies = map[string]bool{"block": true, "compound_statement": true, "declaration_list": true, "field_declaration_list": true}

// isStatement reports whether n is a statement, a clause of one (elif,
// else, except, case) or a decorator: the units a suppression comment
// applies to.
func isStatement[N navigable[N]](n N) bool {
	t := n.Type()
	if strings.HasSuffix(t, "_statement") || strings.HasSuffix(t, "_clause") ||
		strings.HasSuffix(t, "_definition") || strings.HasSuffix(t, "declaration") || t == "decorator" {
		return true
	}
	var zero N
	p := n.Parent()
	return p == zero || statementContainers[p.Type()]
}

func statementLines[N navigable[N]](n N, lines *Lines, start, end int) (first, last int) {
	first, last = lines.Line(start), lines.Line(end)
	var zero N
	for n != zero && !isStatement(n) {
		n = n.Parent()
	}
	if n == zero {
		return first, last
	}
	sFirst := lines.Line(int(n.StartByte()))
	sLast := lines.Line(int(n.EndByte()))
	for i := 0; i < int(n.ChildCount()); i++ {
		c := n.Child(i)
		if c == zero || int(c.StartByte()) < end {
			continue
		}
		// The header ends where the first body, clause or decorated
		// definition after the range begins.
		if bodies[c.Type()] || isStatement(c) {
			sLast = lines.Line(int(c.StartByte()))
			if c.Type() != "compound_statement" && sLast > sFirst {
				sLast--
			}
			break
		}
	}
	return min(first, sFirst), max(last, sLast)
}

// A Syntax is a file's snapshot with its line table: what outlives the
// file's tree for the model phase.
type Syntax struct {
	// Path is slash-separated and relative to the repository root.
	Path string
	Lang Language
	// Tree is the whole file's snapshot; Tree.Src() its bytes.
	Tree  *syntax.Tree
	Lines *Lines
}

// NewSyntax snapshots the whole of f, which must be parsed, failing past
// limit nodes.
func NewSyntax(f *File, limit int) (*Syntax, error) {
	return NewSyntaxWith(nil, f, limit)
}

// NewSyntaxWith is NewSyntax building the tree with b (File.SnapshotWith).
func NewSyntaxWith(b *syntax.Builder, f *File, limit int) (*Syntax, error) {
	t, err := f.SnapshotWith(b, f.Root(), limit)
	if err != nil {
		return nil, err
	}
	return &Syntax{Path: f.Path, Lang: f.Lang, Tree: t, Lines: f.Lines}, nil
}

// Src returns the file's bytes.
func (s *Syntax) Src() []byte { return s.Tree.Src() }

// Text returns the source text of n.
func (s *Syntax) Text(n syntax.Node) string { return n.Text() }

// Range returns the Range of n; the zero Range for no node.
func (s *Syntax) Range(n syntax.Node) Range {
	if n.IsNull() {
		return Range{}
	}
	return s.Lines.Range(int(n.StartByte()), int(n.EndByte()))
}

// NodeAt returns the smallest named node spanning the byte range
// [start, end), the root when none is smaller.
func (s *Syntax) NodeAt(start, end int) syntax.Node {
	n := s.Tree.Root()
	for !n.IsNull() {
		var next syntax.Node
		for k := n.FirstChild(); !k.IsNull(); k = k.NextSibling() {
			if k.IsNamed() && int(k.StartByte()) <= start && end <= int(k.EndByte()) && !(k.StartByte() == k.EndByte() && start != end) {
				next = k
				break
			}
		}
		if next.IsNull() {
			return n
		}
		n = next
	}
	return syntax.Node{}
}

// EnclosingFunction is File.EnclosingFunction on the snapshot.
func (s *Syntax) EnclosingFunction(off int) string {
	return enclosingFunction(s.NodeAt(off, off), s.Src())
}

// StatementLines is File.StatementLines on the snapshot.
func (s *Syntax) StatementLines(start, end int) (first, last int) {
	return statementLines(s.NodeAt(start, end), s.Lines, start, end)
}

// syntaxData is how a Syntax is stored: the line table is rebuilt.
type syntaxData struct {
	Path string
	Lang Language
	Tree *syntax.Tree
}

// GobEncode encodes the snapshot for residue's cache.
func (s *Syntax) GobEncode() ([]byte, error) {
	var buf bytes.Buffer
	err := gob.NewEncoder(&buf).Encode(syntaxData{s.Path, s.Lang, s.Tree})
	return buf.Bytes(), err
}

// GobDecode decodes a snapshot GobEncode encoded.
func (s *Syntax) GobDecode(data []byte) error {
	var d syntaxData
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&d); err != nil {
		return err
	}
	if d.Tree == nil {
		return errors.New("source: stored snapshot has no tree")
	}
	*s = Syntax{Path: d.Path, Lang: d.Lang, Tree: d.Tree, Lines: NewLines(d.Tree.Src())}
	return nil
}
