package pysrc

import (
	"maps"
	"regexp"
	"sort"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// Statements are lowered in order, with one environment of what each
// name holds; the branches of if, try, match and loops each start from a
// copy of it and are joined after, so that a name assigned in one branch
// holds either value.

// block lowers the statements of n in order.
func (s *fnState) block(n *syntax.Node) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if c.IsNamed() {
			s.stmt(c)
		}
	}
}

// stmt lowers one statement.
func (s *fnState) stmt(n *syntax.Node) {
	switch n.Type() {
	case "expression_statement":
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			if c.IsNamed() {
				s.exprStmt(c, n)
			}
		}
	case "return_statement":
		var v Value
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			if c.IsNamed() {
				v = v.Union(s.expr(c))
			}
		}
		s.fn.Returns = s.fn.Returns.Union(v)
	case "if_statement":
		s.test(s.expr(n.ChildByFieldName("condition")), n, n.ChildByFieldName("consequence"), n)
		bodies := []*syntax.Node{n.ChildByFieldName("consequence")}
		final := false
		for _, alt := range n.ChildrenByFieldName("alternative") {
			if alt.Type() == "elif_clause" {
				s.test(s.expr(alt.ChildByFieldName("condition")), alt, alt.ChildByFieldName("consequence"), n)
				bodies = append(bodies, alt.ChildByFieldName("consequence"))
			} else {
				bodies, final = append(bodies, alt.ChildByFieldName("body")), true
			}
		}
		s.fork(bodies, !final)
	case "for_statement":
		s.forLoop(n)
	case "while_statement":
		s.expr(n.ChildByFieldName("condition"))
		s.loop(n, nil, false)
	case "try_statement":
		s.try(n)
	case "with_statement":
		s.with(n)
	case "match_statement":
		s.expr(n.ChildByFieldName("subject"))
		var bodies []*syntax.Node
		for _, c := range n.ChildByFieldName("body").NamedChildren() {
			if c.Type() == "case_clause" {
				bodies = append(bodies, c.ChildByFieldName("consequence"))
			}
		}
		s.fork(bodies, true)
	case "function_definition", "class_definition":
		s.definition(n, nil)
	case "decorated_definition":
		var decs []*syntax.Node
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			if c.Type() == "decorator" {
				decs = append(decs, c)
			}
		}
		s.definition(n.ChildByFieldName("definition"), decs)
	case "import_statement", "import_from_statement":
		s.l.importStatement(n, s.idx, s.env)
	case "block":
		s.block(n)
	case "global_statement":
		s.declareGlobals(n)
	case "assert_statement":
		s.assertion(n)
	case "future_import_statement", "nonlocal_statement", "pass_statement",
		"break_statement", "continue_statement", "comment":
	default:
		// raise, assert, del, print and exec of Python 2, ERROR nodes.
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch {
			case !c.IsNamed():
			case isStatement(c.Type()):
				s.stmt(c)
			default:
				s.expr(c)
			}
		}
	}
}

var statementType = regexp.MustCompile(`_(statement|definition)$|^block$`)

func isStatement(t string) bool { return statementType.MatchString(t) }

// exprStmt lowers the expression of an expression statement at stmt.
func (s *fnState) exprStmt(e, stmt *syntax.Node) {
	switch e.Type() {
	case "assignment":
		s.assignment(e, stmt)
	case "augmented_assignment":
		left := e.ChildByFieldName("left")
		v := s.expr(left).Union(s.expr(e.ChildByFieldName("right")))
		s.assign(left, v, stmt)
	case "call":
		v := s.expr(e)
		if len(v) == 1 && v[0].Root == RootCall {
			s.fn.Calls[v[0].Index].Dropped = true
		}
	default:
		s.expr(e)
	}
}

// assignment lowers a = b (and a = b = c), returning the value assigned.
func (s *fnState) assignment(e, stmt *syntax.Node) Value {
	right := e.ChildByFieldName("right")
	var v Value
	if right != nil && right.Type() == "assignment" {
		v = s.assignment(right, stmt)
	} else {
		v = s.expr(right)
		s.setting(e.ChildByFieldName("left"), right)
	}
	s.assign(e.ChildByFieldName("left"), v, stmt)
	return v
}

var settingName = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// setting records a module-level NAME = literal.
func (s *fnState) setting(left, right *syntax.Node) {
	if s.idx != 0 || left.Type() != "identifier" || !settingName.MatchString(left.Text()) {
		return
	}
	switch right.Type() {
	case "dictionary", "list", "tuple", "set", "string":
		s.l.m.Settings = append(s.l.m.Settings, Setting{Name: left.Text(), Value: literal(right)})
	}
}

// assign binds target to v, assigned by statement at.
func (s *fnState) assign(target *syntax.Node, v Value, at *syntax.Node) {
	if target == nil {
		return
	}
	if len(v) > 0 {
		v = v.With(Op{Kind: OpStep, Span: span(at)})
	}
	outer := s.at
	s.at = at
	s.bind(target, v)
	s.at = outer
}

func (s *fnState) bind(target *syntax.Node, v Value) {
	switch target.Type() {
	case "identifier":
		s.env[target.Text()] = v
		if s.globals[target.Text()] {
			s.fn.Globals = append(s.fn.Globals, Store{Attr: target.Text(), Value: v, Span: span(target)})
		}
	case "attribute":
		obj := target.ChildByFieldName("object")
		attr := target.ChildByFieldName("attribute").Text()
		s.setAttr(s.expr(obj), attr, v, target)
		key := dotted(target)
		if key == "" {
			return
		}
		s.env[key] = v
		if obj.Type() == "identifier" && s.isSelf(obj.Text()) {
			s.fn.Stores = append(s.fn.Stores, Store{Attr: target.ChildByFieldName("attribute").Text(), Value: v, Span: span(target)})
		}
	case "subscript":
		// d[k] = v adds v to what d holds.
		obj := target.ChildByFieldName("value")
		s.expr(target.ChildByFieldName("subscript"))
		s.bind(obj, s.expr(obj).Union(v))
	case "pattern_list", "tuple_pattern", "list_pattern", "tuple", "list":
		s.unpack(target, v)
	case "parenthesized_expression", "list_splat_pattern", "list_splat", "as_pattern_target":
		for c := target.FirstChild(); c != nil; c = c.NextSibling() {
			if c.IsNamed() {
				s.bind(c, v)
			}
		}
	}
}

// isSelf reports whether name is the first parameter of a method.
func (s *fnState) isSelf(name string) bool {
	return s.fn.Kind == KindDef && s.fn.Class >= 0 && len(s.fn.Params) > 0 && s.fn.Params[0].Name == name
}

// try lowers a try statement: handlers start from what the body may have
// bound, and the finally clause runs after any of them.
func (s *fnState) try(n *syntax.Node) {
	before := maps.Clone(s.env)
	s.block(n.ChildByFieldName("body"))
	var handlers []*syntax.Node
	var finally *syntax.Node
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c.Type() {
		case "except_clause", "except_group_clause":
			handlers = append(handlers, c)
		case "else_clause":
			s.block(c.ChildByFieldName("body"))
		case "finally_clause":
			finally = c
		}
	}
	if len(handlers) > 0 {
		after := s.env
		s.env = join(before, after)
		envs := []map[string]Value{after}
		start := s.env
		for _, h := range handlers {
			s.env = maps.Clone(start)
			for c := h.FirstChild(); c != nil; c = c.NextSibling() {
				switch {
				case c.Type() == "block":
					s.block(c)
				case c.Type() == "as_pattern":
					s.bind(c.ChildByFieldName("alias"), nil)
				case c.IsNamed():
					s.expr(c)
				}
			}
			envs = append(envs, s.env)
		}
		s.env = join(envs...)
	}
	if finally != nil {
		for c := finally.FirstChild(); c != nil; c = c.NextSibling() {
			if c.Type() == "block" {
				s.block(c)
			}
		}
	}
}

// with lowers a with statement: each `as` target holds its context's value.
func (s *fnState) with(n *syntax.Node) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if c.Type() != "with_clause" {
			continue
		}
		for _, item := range c.NamedChildren() {
			v := item.ChildByFieldName("value")
			if v != nil && v.Type() == "as_pattern" {
				s.assign(v.ChildByFieldName("alias"), s.expr(v.NamedChild(0)), n)
			} else {
				s.expr(v)
			}
		}
	}
	s.block(n.ChildByFieldName("body"))
}

// fork lowers each body from a copy of the environment and joins them;
// with skip, also the environment before (no body may run).
func (s *fnState) fork(bodies []*syntax.Node, skip bool) {
	before := s.env
	var envs []map[string]Value
	if skip {
		envs = append(envs, before)
	}
	for _, b := range bodies {
		if b == nil {
			continue
		}
		s.env = maps.Clone(before)
		s.block(b)
		envs = append(envs, s.env)
	}
	s.env = join(envs...)
}

// join returns the union of environments: each name holds what it holds
// in any of them.
func join(envs ...map[string]Value) map[string]Value {
	if len(envs) == 0 {
		return map[string]Value{}
	}
	out := maps.Clone(envs[0])
	for _, e := range envs[1:] {
		for k, v := range e {
			out[k] = out[k].Union(v)
		}
	}
	return out
}

func sortBindings(bs []Binding) {
	sort.Slice(bs, func(i, j int) bool { return bs[i].Name < bs[j].Name })
}
