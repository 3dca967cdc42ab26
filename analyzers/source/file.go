package source

import (
	sitter "github.com/smacker/go-tree-sitter"
)

// A File is a parsed source file. Its tree is owned by the goroutine that
// parsed it and must be closed, once, with Close after every analyzer, the
// filter and the fingerprinting are done with it.
type File struct {
	// Path is slash-separated and relative to the repository root.
	Path string
	// Lang is the file's language.
	Lang Language
	// Src is the file's content, exactly the bytes that were parsed.
	Src []byte
	// Lines is the line table of Src.
	Lines *Lines

	tree *sitter.Tree
}

// NewFile wraps src without parsing it; Root is nil until Parser.Parse.
func NewFile(path string, lang Language, src []byte) *File {
	return &File{Path: path, Lang: lang, Src: src, Lines: NewLines(src)}
}

// Root returns the root node of the file's tree, or nil if the file was not
// parsed or is closed.
func (f *File) Root() *Node {
	if f.tree == nil {
		return nil
	}
	return f.tree.RootNode()
}

// Close releases the tree's C memory. Every node of the file dangles after.
func (f *File) Close() {
	if f.tree != nil {
		f.tree.Close()
		f.tree = nil
	}
}

// Text returns the source text of n.
func (f *File) Text(n *Node) string {
	if n == nil {
		return ""
	}
	return string(f.Src[n.StartByte():n.EndByte()])
}

// NodeRange returns the Range of n; the zero Range for nil.
func (f *File) NodeRange(n *Node) Range {
	if n == nil {
		return Range{}
	}
	return f.Lines.Range(int(n.StartByte()), int(n.EndByte()))
}
