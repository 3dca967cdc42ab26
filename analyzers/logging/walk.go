package logging

import (
	"github.com/residue-sec/residue/analyzers/source"
)

// block analyzes the statements of a block in order.
func (a *analysis) block(n *source.Node, ev *evaluator) {
	if n == nil {
		return
	}
	for i := 0; i < int(n.NamedChildCount()); i++ {
		a.statement(n.NamedChild(i), ev)
	}
}

// statement checks the sinks of one statement, then applies its bindings,
// then walks the blocks it holds.
func (a *analysis) statement(s *source.Node, ev *evaluator) {
	switch s.Type() {
	case "function_definition", "class_definition", "decorated_definition":
		return // analyzed on their own
	case "expression_statement":
		a.sinks(s, ev)
		for i := 0; i < int(s.NamedChildCount()); i++ {
			a.bind(s.NamedChild(i), ev)
		}
		return
	case "for_statement":
		a.sinks(s.ChildByFieldName("right"), ev)
		it := ev.eval(s.ChildByFieldName("right"))
		a.assign(s.ChildByFieldName("left"), it, s, ev)
	case "with_statement":
		for _, item := range namedChildrenOfType(s, "with_clause") {
			for _, wi := range namedChildrenOfType(item, "with_item") {
				v := wi.ChildByFieldName("value")
				a.sinks(v, ev)
				if v != nil && v.Type() == "as_pattern" {
					a.assign(v.ChildByFieldName("alias"), ev.eval(v.NamedChild(0)), s, ev)
				}
			}
		}
	default:
		// if/while conditions, return values, raise, assert, del...
		for i := 0; i < int(s.NamedChildCount()); i++ {
			if c := s.NamedChild(i); !isBody(c) {
				a.sinks(c, ev)
			}
		}
	}
	for i := 0; i < int(s.NamedChildCount()); i++ {
		c := s.NamedChild(i)
		switch {
		case c.Type() == "block":
			a.block(c, ev)
		case isBody(c):
			a.statement(c, ev)
		}
	}
}

// isBody reports whether c is a block or a clause holding one.
func isBody(c *source.Node) bool {
	switch c.Type() {
	case "block", "elif_clause", "else_clause", "except_clause", "finally_clause", "except_group_clause", "case_clause":
		return true
	}
	return false
}

func namedChildrenOfType(n *source.Node, typ string) []*source.Node {
	var out []*source.Node
	for i := 0; i < int(n.NamedChildCount()); i++ {
		if c := n.NamedChild(i); c.Type() == typ {
			out = append(out, c)
		}
	}
	return out
}

// bind applies an assignment expression's bindings.
func (a *analysis) bind(n *source.Node, ev *evaluator) {
	switch n.Type() {
	case "assignment":
		right := n.ChildByFieldName("right")
		if right != nil && right.Type() == "assignment" {
			a.bind(right, ev)
			right = right.ChildByFieldName("right")
		}
		a.assign(n.ChildByFieldName("left"), ev.eval(right), n, ev)
	case "augmented_assignment":
		left := n.ChildByFieldName("left")
		v := ev.eval(left).union(ev.eval(n.ChildByFieldName("right")))
		a.assign(left, v, n, ev)
	}
}

// assign binds target to v at statement at. A subscript target (d[k] = v)
// adds v's content to the container d.
func (a *analysis) assign(target *source.Node, v value, at *source.Node, ev *evaluator) {
	if target == nil {
		return
	}
	if target.Type() == "subscript" {
		obj := target.ChildByFieldName("value")
		a.assign(obj, ev.eval(obj).union(v), at, ev)
		return
	}
	if v.tainted() {
		v.steps = append(append([]*source.Node(nil), v.steps...), at)
	}
	for _, name := range a.targets(target) {
		ev.env[name] = v
	}
}

// sinks checks every call under n (not inside nested functions, classes
// or lambdas) for a log sink.
func (a *analysis) sinks(n *source.Node, ev *evaluator) {
	if n == nil {
		return
	}
	source.Walk(n, func(c *source.Node) bool {
		switch c.Type() {
		case "function_definition", "class_definition", "lambda":
			return false
		case "call":
			a.checkCall(c, ev)
		}
		return true
	})
}
