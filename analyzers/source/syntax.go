package source

import (
	"strings"

	sitter "github.com/smacker/go-tree-sitter"
)

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
	var parts []string
	for n := f.NodeAt(off, off); n != nil; n = n.Parent() {
		switch n.Type() {
		case "function_definition", "class_definition":
			if name := f.definitionName(n); name != "" {
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
func (f *File) definitionName(def *Node) string {
	if name := def.ChildByFieldName("name"); name != nil {
		return f.Text(name)
	}
	d := def.ChildByFieldName("declarator")
	for d != nil {
		switch d.Type() {
		case "identifier", "field_identifier":
			return f.Text(d)
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
func isStatement(n *Node) bool {
	t := n.Type()
	if strings.HasSuffix(t, "_statement") || strings.HasSuffix(t, "_clause") ||
		strings.HasSuffix(t, "_definition") || strings.HasSuffix(t, "declaration") || t == "decorator" {
		return true
	}
	p := n.Parent()
	return p == nil || statementContainers[p.Type()]
}

// StatementLines returns the first and last line of the innermost statement
// (or clause, or decorator) that holds the byte range [start, end). For a
// compound statement only its header counts, up to the first body after the
// range, so that a comment inside a body never applies to a header.
func (f *File) StatementLines(start, end int) (first, last int) {
	first, last = f.Lines.Line(start), f.Lines.Line(end)
	n := f.NodeAt(start, end)
	for n != nil && !isStatement(n) {
		n = n.Parent()
	}
	if n == nil {
		return first, last
	}
	sFirst := f.Lines.Line(int(n.StartByte()))
	sLast := f.Lines.Line(int(n.EndByte()))
	for i := 0; i < int(n.ChildCount()); i++ {
		c := n.Child(i)
		if c == nil || int(c.StartByte()) < end {
			continue
		}
		// The header ends where the first body, clause or decorated
		// definition after the range begins.
		if bodies[c.Type()] || isStatement(c) {
			sLast = f.Lines.Line(int(c.StartByte()))
			if c.Type() != "compound_statement" && sLast > sFirst {
				sLast--
			}
			break
		}
	}
	return min(first, sFirst), max(last, sLast)
}
