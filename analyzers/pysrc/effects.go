package pysrc

import (
	"github.com/residue-sec/residue/analyzers/syntax"
	"slices"
)

// Besides its calls, a function's code keeps what families judge in the
// order of the code: assignments to attributes of any object (Sets),
// loops with the calls and sets of their bodies (a loop over a literal
// table is evaluated once per row), the conditions it tests, the names
// declared global that it assigns, and what its nested functions capture
// of its own names.

// A Set is an assignment obj.Attr = Value, in the statement at Span. At
// is the number of calls made before it: it runs after Calls[At-1] and
// before Calls[At].
type Set struct {
	Obj   Value
	Attr  string
	Value Value
	Span  Span
	At    int32
}

// A Loop is a for or while statement: its body's calls are
// Calls[First:End] and its sets Sets[SetFirst:SetEnd]. A for loop's
// targets read what it iterates, Iter, through an OpIter at Span.
type Loop struct {
	Span                         Span
	For                          bool
	Iter                         Value
	First, End, SetFirst, SetEnd int32
}

// A Test is a condition: an if or elif clause, whose consequence is Body
// (Exits when its last statement returns, raises, breaks or continues),
// or an assert. Block is the block the statement is in.
type Test struct {
	Cond              Value
	Span, Block, Body Span
	Exits, Assert     bool
}

// A Capture is a name of the function that a nested function or lambda
// defined at Span reads: the nested code may use what it holds.
type Capture struct {
	Value Value
	Span  Span
}

// setAttr records obj.attr = v, assigned by target, in the statement
// being lowered.
func (s *fnState) setAttr(obj Value, attr string, v Value, target syntax.Node) {
	at := target
	if !s.at.IsNull() {
		at = s.at
	}
	s.fn.code.Sets = append(s.fn.code.Sets, Set{Obj: obj, Attr: attr, Value: v, Span: span(at), At: int32(len(s.fn.code.Calls))})
}

// forLoop lowers a for statement into st: its targets read the iterable
// through an OpIter, and its body is a Loop.
func (s *fnState) forLoop(n syntax.Node, st *Stmt) {
	st.Kind = StmtFor
	it := s.expr(n.ChildByFieldName("right"))
	st.Value = it
	s.assign(n.ChildByFieldName("left"), it.With(Op{Kind: OpIter, Span: span(n)}), n)
	left, right := n.ChildByFieldName("left"), n.ChildByFieldName("right")
	if left.Type() == "identifier" {
		if keys := literalStrings(right); keys != nil {
			s.addLoopKeys(left.Text(), keys)
		}
	} else if left.Type() == "pattern_list" || left.Type() == "tuple_pattern" {
		// for name, field in [("a_id", "a"), ("b_uid", "b")]: each name
		// unpacked from rows of string literals is one of its column's
		for i, target := range left.NamedChildren() {
			if keys := literalColumn(right, i); keys != nil && target.Type() == "identifier" {
				s.addLoopKeys(target.Text(), keys)
			}
		}
	}
	st.To = s.ncalls()
	s.loop(n, st, it, true)
}

// loop lowers a loop's body, which may run or not, as a Loop, then its
// else clause, into st, and adds st to the flow. A Loop whose body makes
// no call and sets nothing is not kept.
func (s *fnState) loop(n syntax.Node, st *Stmt, iter Value, isFor bool) {
	l := Loop{Span: span(n), For: isFor, Iter: iter, First: int32(len(s.fn.code.Calls)), SetFirst: int32(len(s.fn.code.Sets))}
	i := len(s.fn.code.Loops)
	s.fn.code.Loops = append(s.fn.code.Loops, l)
	s.loopExits = append(s.loopExits, nil)
	s.fork([]syntax.Node{n.ChildByFieldName("body")}, []*Run{&st.Body}, true)
	if exits := s.loopExits[len(s.loopExits)-1]; len(exits) > 0 {
		s.env = join(append([]map[string]Value{s.env}, exits...)...)
	}
	s.loopExits = s.loopExits[:len(s.loopExits)-1]
	s.fn.code.Loops[i].End, s.fn.code.Loops[i].SetEnd = int32(len(s.fn.code.Calls)), int32(len(s.fn.code.Sets))
	if l := &s.fn.code.Loops[i]; l.First == l.End && l.SetFirst == l.SetEnd {
		s.fn.code.Loops = append(s.fn.code.Loops[:i], s.fn.code.Loops[i+1:]...)
	}
	if alt := n.ChildByFieldName("alternative"); !alt.IsNull() {
		s.into(&st.Else, func() { s.block(alt.ChildByFieldName("body")) })
	}
	s.emit(*st)
}

// test records a condition of an if or elif clause (n) whose
// consequence is body, in the statement at stmt.
func (s *fnState) test(cond Value, n, body, stmt syntax.Node) {
	s.fn.code.Tests = append(s.fn.code.Tests, Test{Cond: cond, Span: span(n), Block: span(stmt.Parent()), Body: span(body), Exits: exits(body)})
}

// assertion lowers an assert statement: its condition, once, is a Test
// and a condition of the flow, whose index it returns (-1 outside
// functions).
func (s *fnState) assertion(n syntax.Node) int32 {
	var cond Value
	i, first := int32(-1), true
	for c := n.FirstChild(); !c.IsNull(); c = c.NextSibling() {
		switch {
		case !c.IsNamed():
		case first:
			i, cond = s.condValue(c)
			first = false
		default:
			s.expr(c)
		}
	}
	s.fn.code.Tests = append(s.fn.code.Tests, Test{Cond: cond, Span: span(n), Block: span(n.Parent()), Assert: true})
	return i
}

// exits reports whether a block always leaves: its last statement
// returns, raises, breaks or continues.
func exits(block syntax.Node) bool {
	switch lastStatement(block) {
	case "raise_statement", "return_statement", "break_statement", "continue_statement":
		return true
	}
	return false
}

// lastStatement returns the type of a block's last statement, "" for an
// empty or missing block.
func lastStatement(block syntax.Node) string {
	if block.IsNull() {
		return ""
	}
	var last syntax.Node
	for c := block.FirstChild(); !c.IsNull(); c = c.NextSibling() {
		if c.IsNamed() && !isExtra(c) {
			last = c
		}
	}
	if last.IsNull() {
		return ""
	}
	return last.Type()
}

// declareGlobals records the names a global statement declares.
func (s *fnState) declareGlobals(n syntax.Node) {
	if s.fn.Kind != KindDef {
		return
	}
	for c := n.FirstChild(); !c.IsNull(); c = c.NextSibling() {
		if c.Type() == "identifier" {
			if s.globals == nil {
				s.globals = map[string]bool{}
			}
			s.globals[c.Text()] = true
		}
	}
}

// capture records that code nested in the function at def reads name,
// which the function binds.
func (s *fnState) capture(name string, def syntax.Node) {
	v, ok := s.env[name]
	if !ok || s.fn.Kind != KindDef {
		return
	}
	sp := span(def)
	key := captureKey{name, sp}
	if s.captured[key] {
		return
	}
	if s.captured == nil {
		s.captured = map[captureKey]bool{}
	}
	s.captured[key] = true
	s.fn.code.Captures = append(s.fn.code.Captures, Capture{Value: v, Span: sp})
}

type captureKey struct {
	name string
	at   Span
}

// lambda records what a lambda reads of the function's names.
func (s *fnState) lambda(n syntax.Node) {
	params := map[string]bool{}
	if ps := n.ChildByFieldName("parameters"); !ps.IsNull() {
		for _, name := range boundNames(ps) {
			params[name] = true
		}
	}
	n.Walk(func(c syntax.Node) bool {
		if c.Type() == "identifier" && !params[c.Text()] {
			if p := c.Parent(); p.IsNull() || p.Type() != "attribute" || p.ChildByFieldName("object") == c {
				s.capture(c.Text(), n)
			}
		}
		return true
	})
}

// A loopKey is the key a loop's variable makes, and the value the loop
// bound it to.
type loopKey struct {
	keys  string
	value Value
}

// loopKeyOf returns the key name makes, when it is a loop's variable over
// string literals that still holds what the loop bound.
func (s *fnState) loopKeyOf(name string) (string, bool) {
	lk, ok := s.loopKeys[name]
	if !ok || !slices.EqualFunc(s.env[name], lk.value, Atom.equal) {
		return "", false
	}
	return lk.keys, true
}

// addLoopKeys records that the loop binds name to one of keys.
func (s *fnState) addLoopKeys(name string, keys []string) {
	if s.loopKeys == nil {
		s.loopKeys = map[string]loopKey{}
	}
	s.loopKeys[name] = loopKey{JoinKeys(keys), s.env[name]}
}

// literalColumn returns column i of a tuple or list of rows (tuples or
// lists) of string literals, all of one length, nil for anything else.
func literalColumn(n syntax.Node, i int) []string {
	if n.IsNull() || n.Type() != "list" && n.Type() != "tuple" {
		return nil
	}
	var out []string
	width := -1
	for _, row := range n.NamedChildren() {
		strs := literalStrings(row)
		if strs == nil || row.Type() != "tuple" && row.Type() != "list" || width >= 0 && len(strs) != width || i >= len(strs) {
			return nil
		}
		width = len(strs)
		out = append(out, strs[i])
	}
	return out
}

// literalStrings returns the strings of a tuple, list or set of string
// literals only (for key in ("serial_number", "serial_num")), nil for
// anything else.
func literalStrings(n syntax.Node) []string {
	if n.IsNull() {
		return nil
	}
	l := literal(n)
	if strs := l.Strings(); len(strs) > 0 && len(strs) == len(l.Items) {
		return strs
	}
	return nil
}
