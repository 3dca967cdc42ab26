// Package source is the only package that knows tree-sitter grammars and the
// binding's parser: it detects a file's language, parses it once with a
// per-worker parser, and converts tree-sitter's byte positions into the line
// and UTF-16 column positions that residue reports.
package source

import (
	"bytes"
	"path/filepath"
	"strings"

	sitter "github.com/smacker/go-tree-sitter"
	"github.com/smacker/go-tree-sitter/c"
	"github.com/smacker/go-tree-sitter/python"
)

// A Language is a source language residue parses.
type Language string

// The languages residue parses.
const (
	Python Language = "python"
	C      Language = "c"
)

// Languages lists every supported language in a fixed order.
var Languages = []Language{Python, C}

// Node is a tree-sitter syntax node. It is an alias so that analyzers can
// navigate trees without importing the binding; a node dangles once its
// File is closed.
type Node = sitter.Node

var grammars = map[Language]*sitter.Language{
	Python: python.GetLanguage(),
	C:      c.GetLanguage(),
}

// Grammar returns the tree-sitter language of lang, or nil if it is unknown.
func Grammar(lang Language) *sitter.Language { return grammars[lang] }

// ParseLanguage returns the Language named s ("python", "py", "c").
func ParseLanguage(s string) (Language, bool) {
	switch strings.ToLower(s) {
	case "python", "py":
		return Python, true
	case "c", "h":
		return C, true
	}
	return "", false
}

// Detect returns the language of a file from its name, or for a file without
// an extension from the shebang at the start of head. ok is false for files
// residue does not parse.
func Detect(path string, head []byte) (lang Language, ok bool) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".py", ".pyi", ".pyw", ".wsgi":
		return Python, true
	case ".c", ".h":
		return C, true
	case "":
		return Shebang(head)
	}
	return "", false
}

// Shebang returns the language a file's shebang, at the start of head,
// names: Python for a line that names python. ok is false for any other.
func Shebang(head []byte) (lang Language, ok bool) {
	if bytes.HasPrefix(head, []byte("#!")) {
		line := head
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line = line[:i]
		}
		if bytes.Contains(line, []byte("python")) {
			return Python, true
		}
	}
	return "", false
}
