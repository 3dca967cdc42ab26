package pysrc

import (
	"maps"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// What lowering adds for a function's flow (see flow.go): statements in
// a tree, each with the calls it makes, its tests, and what it assigns.

// ncalls returns the number of call sites lowered so far.
func (s *fnState) ncalls() int32 { return int32(len(s.fn.Calls)) }

// emit adds st to the statements being lowered.
func (s *fnState) emit(st Stmt) {
	if s.out != nil {
		*s.out = append(*s.out, st)
	}
}

// into lowers, with lower, statements into *dst.
func (s *fnState) into(dst *[]Stmt, lower func()) {
	saved := s.out
	s.out = dst
	lower()
	s.out = saved
}

// ifStmt lowers an if statement into st, its elif clauses as the if
// statements of its else, each with its own test: every branch starts
// from what the tests before it bound, and they are joined after.
func (s *fnState) ifStmt(n *syntax.Node, st *Stmt) {
	st.Kind = StmtIf
	st.Test = s.test(n.ChildByFieldName("condition"))
	st.To = s.ncalls()
	cond := s.env
	s.env = maps.Clone(cond)
	s.into(&st.Body, func() { s.block(n.ChildByFieldName("consequence")) })
	envs := []map[string]Value{s.env}
	tail, final := &st.Else, false
	for _, alt := range n.ChildrenByFieldName("alternative") {
		s.env = maps.Clone(cond)
		if alt.Type() != "elif_clause" {
			s.into(tail, func() { s.block(alt.ChildByFieldName("body")) })
			envs, final = append(envs, s.env), true
			break
		}
		el := Stmt{Kind: StmtIf, Elif: true, From: s.ncalls(), Span: span(alt)}
		el.Test = s.test(alt.ChildByFieldName("condition"))
		el.To = s.ncalls()
		cond = s.env
		s.env = maps.Clone(cond)
		s.into(&el.Body, func() { s.block(alt.ChildByFieldName("consequence")) })
		envs = append(envs, s.env)
		*tail = append(*tail, el)
		tail = &(*tail)[len(*tail)-1].Else
	}
	if !final {
		envs = append(envs, cond)
	}
	s.env = join(envs...)
	s.emit(*st)
}

// mixed lowers a statement whose children are expressions and, in an
// ERROR node, statements: the expressions' calls make st, up to each
// nested statement.
func (s *fnState) mixed(n *syntax.Node, st *Stmt) {
	flush := func() {
		if st.To = s.ncalls(); st.To > st.From || st.Kind != StmtExpr {
			s.emit(*st)
		}
		st.Kind, st.From = StmtExpr, s.ncalls()
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch {
		case !c.IsNamed():
		case isStatement(c.Type()):
			flush()
			s.stmt(c)
			st.From = s.ncalls()
		default:
			s.expr(c)
		}
	}
	flush()
}

// constant returns the literal constant n is, 0 for none.
func constant(n *syntax.Node) ConstKind {
	switch n.Type() {
	case "none":
		return ConstNone
	case "true":
		return ConstTrue
	case "false":
		return ConstFalse
	}
	return 0
}

// test lowers n as a condition and returns its index in Func.Tests.
func (s *fnState) test(n *syntax.Node) int32 {
	i, _ := s.testValue(n)
	return i
}

// testValue lowers n as a condition; the value is what n evaluates to
// when it is an and or an or (one of its operands), nil otherwise.
func (s *fnState) testValue(n *syntax.Node) (int32, Value) {
	t := Test{Span: span(n)}
	switch n.Type() {
	case "parenthesized_expression":
		if n.NamedChildCount() == 1 {
			return s.testValue(n.NamedChild(0))
		}
	case "not_operator":
		t.Kind, t.Kids = TestNot, []int32{s.test(n.ChildByFieldName("argument"))}
		return s.addTest(t), nil
	case "boolean_operator":
		l, lv := s.testValue(n.ChildByFieldName("left"))
		r, rv := s.testValue(n.ChildByFieldName("right"))
		t.Kind, t.Kids = TestAnd, []int32{l, r}
		if op := n.ChildByFieldName("operator"); op != nil && op.Type() == "or" {
			t.Kind = TestOr
		}
		return s.addTest(t), lv.Union(rv)
	case "comparison_operator":
		t.Kind = TestCompare
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch {
			case c.FieldName() == "operators" && !c.IsNamed():
				if t.Op == "" {
					t.Op = c.Type()
				}
			case c.IsNamed() && c.Type() != "comment":
				t.Operands = append(t.Operands, operand(c, s.expr(c)))
			}
		}
		return s.addTest(t), nil
	}
	v := s.expr(n)
	t.Kind, t.Operands = TestValue, []Operand{operand(n, v)}
	return s.addTest(t), v
}

// addTest adds t to the function's tests.
func (s *fnState) addTest(t Test) int32 {
	s.fn.Tests = append(s.fn.Tests, t)
	return int32(len(s.fn.Tests) - 1)
}

// testAtom is the value of a test used as a value.
func (s *fnState) testAtom(n *syntax.Node) Value {
	i, v := s.testValue(n)
	return v.Union(Value{{Root: RootTest, Index: i}})
}

// operand returns the operand n, whose value is v, with its literals.
func operand(n *syntax.Node, v Value) Operand {
	o := Operand{Value: v, Span: span(n), Const: constant(n)}
	switch n.Type() {
	case "string":
		if lit, ok := stringLiteral(n); ok {
			o.Lits, o.Literal = []string{lit}, true
		}
	case "tuple", "list", "set", "parenthesized_expression":
		for _, c := range n.NamedChildren() {
			lit, ok := "", c.Type() == "string"
			if ok {
				lit, ok = stringLiteral(c)
			}
			if !ok {
				return Operand{Value: v, Span: span(n)}
			}
			o.Lits = append(o.Lits, lit)
		}
		o.Literal = len(o.Lits) > 0
	}
	return o
}

// assignTop binds the target of an assignment statement (at) to v and
// returns what it assigns to: a name, an attribute or a key of an
// object, or anything else.
func (s *fnState) assignTop(target *syntax.Node, v Value, at *syntax.Node) Target {
	t := Target{Kind: TargetOther, Span: span(target)}
	switch target.Type() {
	case "identifier":
		t.Kind, t.Name = TargetName, target.Text()
	case "attribute":
		t.Kind, t.Name = TargetAttr, target.ChildByFieldName("attribute").Text()
		if dotted(target) != "" {
			// A dotted name's object makes no call.
			t.Obj = s.expr(target.ChildByFieldName("object"))
		}
	case "subscript":
		t.Kind = TargetIndex
		for _, k := range target.ChildrenByFieldName("subscript") {
			if lit, ok := stringLiteral(k); ok && k.Type() == "string" {
				t.Name = lit
			} else {
				t.Key = t.Key.Union(s.expr(k))
			}
		}
		obj := target.ChildByFieldName("value")
		t.Obj = s.expr(obj)
		if len(v) > 0 {
			v = v.With(Op{Kind: OpStep, Span: span(at)})
		}
		// d[k] = v adds v to what d holds.
		s.bind(obj, t.Obj.Union(v))
		return t
	}
	s.assign(target, v, at)
	return t
}

// extendSetting records NAME += literal at the module's top level as
// another setting of NAME (MIDDLEWARE += [...]).
func (s *fnState) extendSetting(left, right *syntax.Node) {
	if s.idx == 0 && left.Type() == "identifier" && settingName.MatchString(left.Text()) {
		switch right.Type() {
		case "list", "tuple":
			s.l.m.Settings = append(s.l.m.Settings, Setting{Name: left.Text(), Value: literal(right)})
		}
	}
}

// classConst records a class body's name = literal.
func (s *fnState) classConst(left, right *syntax.Node) {
	if s.fn.Class < 0 || int(s.fn.Class) >= len(s.l.m.Classes) {
		return
	}
	switch right.Type() {
	case "dictionary", "list", "tuple", "set", "string":
		c := &s.l.m.Classes[s.fn.Class]
		c.Consts = append(c.Consts, Setting{Name: left.Text(), Value: literal(right)})
	}
}

// callLiteral reads a call as a Literal: its callee and arguments.
func callLiteral(n *syntax.Node) Literal {
	l := Literal{Kind: LitCall, Text: dotted(n.ChildByFieldName("function")), Span: span(n)}
	args := n.ChildByFieldName("arguments")
	if args == nil || args.Type() != "argument_list" {
		return l
	}
	for _, a := range args.NamedChildren() {
		key := ""
		if a.Type() == "keyword_argument" {
			key, a = a.ChildByFieldName("name").Text(), a.ChildByFieldName("value")
		}
		l.Keys = append(l.Keys, key)
		l.Items = append(l.Items, literal(a))
	}
	return l
}

// containerAdders are the methods that add their arguments to the
// container they are called on (a list built in a loop holds what was
// appended).
var containerAdders = map[string]bool{
	"append": true, "extend": true, "add": true, "insert": true, "update": true, "appendleft": true,
	"extendleft": true, "setdefault": true,
}

// addTo binds the container obj (a name or a dotted name), whose value is
// v, to what it holds and what a call adds to it.
func (s *fnState) addTo(obj *syntax.Node, v Value, args []Arg) {
	if obj == nil || obj.Type() != "identifier" && dotted(obj) == "" {
		return
	}
	for _, a := range args {
		v = v.Union(a.Value)
	}
	if len(v) > 0 {
		s.bind(obj, v)
	}
}
