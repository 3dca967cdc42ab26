// Package tsquery compiles tree-sitter queries once per run and runs them with
// residue's own predicate evaluator (the binding filters only four predicates
// and silently ignores the rest), under match and time caps.
package tsquery

import "github.com/residue-sec/residue/analyzers/source"

// A Match is one match of a query pattern.
type Match struct {
	// Pattern is the index of the matched pattern within its query source.
	Pattern int
	// Captures are the captured nodes, in the order tree-sitter reports them.
	Captures []Capture
}

// A Capture is one captured node with its capture name.
type Capture struct {
	Name string
	Node *source.Node
}

// Node returns the first node captured as name, or nil.
func (m Match) Node(name string) *source.Node {
	for _, c := range m.Captures {
		if c.Name == name {
			return c.Node
		}
	}
	return nil
}

// Nodes returns every node captured as name.
func (m Match) Nodes(name string) []*source.Node {
	var out []*source.Node
	for _, c := range m.Captures {
		if c.Name == name {
			out = append(out, c.Node)
		}
	}
	return out
}
