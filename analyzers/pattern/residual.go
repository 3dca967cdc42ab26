package pattern

import (
	"errors"

	"github.com/residue-sec/residue/analyzers/source"
)

// A Residual is the part of a pattern that the query does not match: a
// node whose children hold a sequence metavariable and two or more other
// items, such as the arguments of f($...A, $X, $...B, $X). Unanchored
// sibling patterns make tree-sitter's query engine explode (a call with
// 200 arguments ran past two minutes, and a query pass cannot be
// interrupted), so the query only captures such a node, as Capture, and
// Match checks its children in Go, one bounded step at a time.
type Residual struct {
	// Capture names the node in the query's matches.
	Capture string
	root    *pnode
}

// A pnode is one node of a residual pattern.
type pnode struct {
	typ  string // the node type; "" for a metavariable
	meta string // the metavariable's name, "_" for $_
	leaf bool   // matched by type and text
	text string // a leaf's text
	alt  string // the same string in the other quotes, "" for none
	seq  bool   // a sequence metavariable: any number of children
	// fields are the fielded children; items the others, in order.
	fields []pfield
	items  []*pnode
	// anchored items cover the node's named children exactly (the node
	// has no fielded child); otherwise they are found in order among them.
	anchored bool
	// fixedAfter[i] is set when no sequence follows items[i].
	fixedAfter []bool
}

// A pfield is a fielded child: a pattern, or an anonymous node's type.
type pfield struct {
	name string
	node *pnode
	anon string
}

// DefaultSteps is the budget of residual matching steps of one rule in
// one file: about a second of work, far more than real code needs.
const DefaultSteps = 1_000_000

// A Budget counts the steps of residual matching, one per node compared
// and per split of a sequence, so that a pattern costs a bounded and
// machine-independent amount of work per file.
type Budget struct {
	Limit, Steps int
}

// ErrBudget is the error Match returns once its budget is spent.
var ErrBudget = errors.New("pattern matching step budget spent")

// Match reports whether the node n, captured as r.Capture, matches the
// residual pattern. bound holds the text of the metavariables bound
// already (by the query, by another residual); a metavariable bound there
// must match the same text. It returns the nodes of the metavariables it
// bound. When b's steps run out it returns ErrBudget.
func (r *Residual) Match(f *source.File, n *source.Node, bound map[string]string, b *Budget) (map[string]*source.Node, bool, error) {
	m := &matcher{f: f, budget: b, bound: map[string]string{}, caps: map[string]*source.Node{}}
	for k, v := range bound {
		m.bound[k] = v
	}
	ok := m.node(r.root, n, func() bool { return true })
	if m.err != nil {
		return nil, false, m.err
	}
	return m.caps, ok, nil
}

// A matcher matches one residual pattern with backtracking: each match
// function takes the continuation k, the rest of the pattern, and undoes
// its bindings when k fails.
type matcher struct {
	f      *source.File
	budget *Budget
	bound  map[string]string
	caps   map[string]*source.Node
	err    error
}

// step spends one step of the budget; false once it is spent.
func (m *matcher) step() bool {
	if m.err != nil {
		return false
	}
	m.budget.Steps++
	if m.budget.Steps > m.budget.Limit {
		m.err = ErrBudget
		return false
	}
	return true
}

func (m *matcher) node(p *pnode, n *source.Node, k func() bool) bool {
	if n == nil || !m.step() {
		return false
	}
	switch {
	case p.meta == "_":
		return n.IsNamed() && k()
	case p.meta != "":
		if !n.IsNamed() {
			return false
		}
		text := m.f.Text(n)
		if t, ok := m.bound[p.meta]; ok {
			return t == text && k()
		}
		m.bound[p.meta], m.caps[p.meta] = text, n
		if k() {
			return true
		}
		delete(m.bound, p.meta)
		delete(m.caps, p.meta)
		return false
	case p.leaf:
		text := m.f.Text(n)
		return n.Type() == p.typ && (text == p.text || p.alt != "" && text == p.alt) && k()
	}
	if n.Type() != p.typ {
		return false
	}
	kids := namedChildren(n)
	return m.fields(p, n, 0, func() bool { return m.items(p, kids, 0, 0, k) })
}

// fields matches p's fielded children from the ith on, each against any
// child of n in that field.
func (m *matcher) fields(p *pnode, n *source.Node, i int, k func() bool) bool {
	if i == len(p.fields) {
		return k()
	}
	fl := p.fields[i]
	next := func() bool { return m.fields(p, n, i+1, k) }
	for c := 0; c < int(n.ChildCount()); c++ {
		if n.FieldNameForChild(c) != fl.name {
			continue
		}
		ch := n.Child(c)
		switch {
		case fl.node == nil:
			if ch.Type() == fl.anon && next() {
				return true
			}
		case m.node(fl.node, ch, next):
			return true
		}
		if m.err != nil {
			return false
		}
	}
	return false
}

// items matches p's items from the ith on against kids from the jth on.
func (m *matcher) items(p *pnode, kids []*source.Node, i, j int, k func() bool) bool {
	if !m.step() {
		return false
	}
	if i == len(p.items) {
		return (!p.anchored || j == len(kids)) && k()
	}
	it := p.items[i]
	next := func(j int) func() bool { return func() bool { return m.items(p, kids, i+1, j, k) } }
	switch {
	case it.seq && p.anchored && p.fixedAfter[i]:
		// What follows takes one child each: the sequence takes the rest.
		end := len(kids) - (len(p.items) - i - 1)
		return end >= j && m.items(p, kids, i+1, end, k)
	case it.seq:
		for n := j; n <= len(kids) && m.err == nil; n++ {
			if m.items(p, kids, i+1, n, k) {
				return true
			}
		}
		return false
	case !p.anchored:
		for n := j; n < len(kids) && m.err == nil; n++ {
			if m.node(it, kids[n], next(n+1)) {
				return true
			}
		}
		return false
	}
	return j < len(kids) && m.node(it, kids[j], next(j+1))
}

// namedChildren returns the named children of n but comments.
func namedChildren(n *source.Node) []*source.Node {
	var out []*source.Node
	for i := 0; i < int(n.NamedChildCount()); i++ {
		if c := n.NamedChild(i); c != nil && c.Type() != "comment" {
			out = append(out, c)
		}
	}
	return out
}
