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
	"field_declaration_list": true, "case_statement": true,
}

// bodies are the node types of a compound statement's body, where its header ends.
var bodies = map[string]bool{"block": true, "compound_statement": true, "declaration_list": true, "field_declaration_list": true}

// StatementLines returns the first and last line of the statement that holds
// the byte range [start, end). For a compound statement (if, def, for, a C
// function) only its header counts, not its body, so that a comment inside a
// body never applies to the header.
func (f *File) StatementLines(start, end int) (first, last int) {
	first, last = f.Lines.Line(start), f.Lines.Line(end)
	n := f.NodeAt(start, end)
	for n != nil {
		p := n.Parent()
		if p == nil || statementContainers[p.Type()] {
			break
		}
		n = p
	}
	if n == nil {
		return first, last
	}
	sFirst := f.Lines.Line(int(n.StartByte()))
	sLast := f.Lines.Line(int(n.EndByte()))
	for i := 0; i < int(n.NamedChildCount()); i++ {
		if c := n.NamedChild(i); c != nil && bodies[c.Type()] && int(c.StartByte()) >= end {
			sLast = f.Lines.Line(int(c.StartByte()))
			if f.Lines.Line(int(c.StartByte())) > sFirst && c.Type() == "block" {
				sLast--
			}
			break
		}
	}
	if sFirst < first {
		first = sFirst
	}
	if sLast > last {
		last = sLast
	}
	return first, last
}
