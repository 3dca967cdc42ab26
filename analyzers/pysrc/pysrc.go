// Package pysrc holds helpers over tree-sitter Python trees that several
// analyzer families share.
package pysrc

import "github.com/residue-sec/residue/analyzers/source"

// Dotted returns the dotted name of an identifier or attribute chain in f
// ("logging.getLogger"), or "" for anything else.
func Dotted(f *source.File, n *source.Node) string {
	if n == nil {
		return ""
	}
	switch n.Type() {
	case "identifier":
		return f.Text(n)
	case "attribute":
		obj := Dotted(f, n.ChildByFieldName("object"))
		if obj == "" {
			return ""
		}
		return obj + "." + f.Text(n.ChildByFieldName("attribute"))
	}
	return ""
}

// Unwrap returns the definition inside a decorated definition, else n.
func Unwrap(n *source.Node) *source.Node {
	if n != nil && n.Type() == "decorated_definition" {
		if d := n.ChildByFieldName("definition"); d != nil {
			return d
		}
	}
	return n
}
