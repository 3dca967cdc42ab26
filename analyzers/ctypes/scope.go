package ctypes

import (
	"github.com/residue-sec/residue/analyzers/source"
)

// A scope is one function body, class body or the module's top level,
// indexed in one walk: its bindings, name uses, calls and statements of
// interest, in document order. Nested functions, classes and lambdas are
// scopes of their own and only recorded as nested.
type scope struct {
	a      *analysis
	node   *source.Node // function_definition, class_definition or module
	parent *scope       // the module scope, nil for the module itself
	class  *classInfo   // for a method: its class
	params map[string]bool
	// assigns are each name's bindings, in document order.
	assigns map[string][]binding
	// uses are each name's occurrences as a value, in document order.
	uses     map[string][]*source.Node
	calls    []*source.Node
	attrSets []*source.Node // assignments to an attribute (x.y = v)
	guards   []*source.Node // if and assert statements
	returns  []*source.Node // return statements
	nested   []*source.Node // nested functions, classes and lambdas
	globals  map[string]bool
}

// A binding is an assignment of a name: value is nil when the name is
// bound to something the analysis does not follow (a loop variable, an
// unpacked tuple, an augmented assignment).
type binding struct {
	stmt, value *source.Node
	sc          *scope
}

// newScope indexes the statements under body.
func (a *analysis) newScope(node, body *source.Node, parent *scope) *scope {
	s := &scope{a: a, node: node, parent: parent, params: map[string]bool{},
		assigns: map[string][]binding{}, uses: map[string][]*source.Node{}, globals: map[string]bool{}}
	targets := map[uint32]bool{}
	source.Walk(body, func(n *source.Node) bool {
		if n == body {
			return true
		}
		switch n.Type() {
		case "function_definition", "class_definition", "lambda", "decorated_definition":
			s.nested = append(s.nested, n)
			return false
		case "global_statement":
			for i := 0; i < int(n.NamedChildCount()); i++ {
				s.globals[a.text(n.NamedChild(i))] = true
			}
			return false
		case "import_statement", "import_from_statement", "nonlocal_statement", "future_import_statement":
			return false
		case "assignment":
			s.assignment(n, targets)
		case "augmented_assignment":
			s.opaque(n.ChildByFieldName("left"), n, targets)
		case "for_statement", "for_in_clause":
			s.opaque(n.ChildByFieldName("left"), n, targets)
		case "named_expression":
			if name := n.ChildByFieldName("name"); name != nil {
				targets[name.StartByte()] = true
				s.bind(a.text(name), binding{stmt: n, value: n.ChildByFieldName("value"), sc: s})
			}
		case "as_pattern":
			if alias := n.ChildByFieldName("alias"); alias != nil {
				s.opaque(alias, n, targets)
			}
		case "call":
			s.calls = append(s.calls, n)
		case "if_statement", "assert_statement", "elif_clause":
			s.guards = append(s.guards, n)
		case "return_statement":
			s.returns = append(s.returns, n)
		case "keyword_argument":
			if name := n.ChildByFieldName("name"); name != nil {
				targets[name.StartByte()] = true
			}
		case "identifier":
			if !targets[n.StartByte()] && !isAttributeName(n) {
				name := a.text(n)
				s.uses[name] = append(s.uses[name], n)
			}
		}
		return true
	})
	return s
}

// isAttributeName reports whether identifier n is the name part of an
// attribute (the y of x.y), which is no use of a variable y.
func isAttributeName(n *source.Node) bool {
	p := n.Parent()
	return p != nil && p.Type() == "attribute" && p.EndByte() == n.EndByte() && p.StartByte() != n.StartByte()
}

// assignment records the bindings of `left = right` (and of chained
// assignments `a = b = right`).
func (s *scope) assignment(n *source.Node, targets map[uint32]bool) {
	left, right := n.ChildByFieldName("left"), n.ChildByFieldName("right")
	for right != nil && right.Type() == "assignment" {
		right = right.ChildByFieldName("right")
	}
	if left == nil {
		return
	}
	switch left.Type() {
	case "identifier":
		targets[left.StartByte()] = true
		s.bind(s.a.text(left), binding{stmt: n, value: right, sc: s})
	case "attribute":
		s.attrSets = append(s.attrSets, n)
	default:
		s.opaque(left, n, targets)
	}
}

// opaque binds every name in target to a value the analysis does not follow.
func (s *scope) opaque(target, stmt *source.Node, targets map[uint32]bool) {
	source.Walk(target, func(n *source.Node) bool {
		switch n.Type() {
		case "identifier":
			if !isAttributeName(n) {
				targets[n.StartByte()] = true
				s.bind(s.a.text(n), binding{stmt: stmt, sc: s})
			}
		case "subscript", "attribute":
			return n.Type() == "attribute"
		}
		return true
	})
}

func (s *scope) bind(name string, b binding) {
	s.assigns[name] = append(s.assigns[name], b)
	if s.parent != nil && s.globals[name] {
		s.parent.assigns[name] = append(s.parent.assigns[name], b)
	}
}

// lookup returns the bindings name may have at byte offset at: in a
// function, the latest binding before at (none for a parameter); at
// module level every binding, since functions run after the module.
func (s *scope) lookup(name string, at uint32) []binding {
	if s.parent == nil || s.node.Type() == "class_definition" {
		if bs := s.assigns[name]; len(bs) > 0 || s.parent == nil {
			return bs
		}
		return s.parent.lookup(name, at)
	}
	if s.globals[name] {
		return s.parent.lookup(name, at)
	}
	var last *binding
	for i, b := range s.assigns[name] {
		if b.stmt.EndByte() <= at {
			last = &s.assigns[name][i]
		}
	}
	switch {
	case last != nil:
		return []binding{*last}
	case s.params[name] || len(s.assigns[name]) > 0:
		return []binding{{sc: s}}
	}
	return s.parent.lookup(name, at)
}

// single returns the one value name is bound to at offset at, or nil.
func (s *scope) single(name string, at uint32) (*source.Node, *scope) {
	bs := s.lookup(name, at)
	if len(bs) != 1 || bs[0].value == nil {
		return nil, nil
	}
	return bs[0].value, bs[0].sc
}
