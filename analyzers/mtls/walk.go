package mtls

import "github.com/residue-sec/residue/analyzers/source"

// A frame evaluates one function body: an entry point, or a same-file
// helper followed from a call, with the caller's facts.
type frame struct {
	a     *analysis
	env   map[string]value
	role  role
	fn    *source.Node
	class *source.Node
	// method: fn is a method (self.request is the request).
	method bool
	// depth counts the calls followed to reach this frame.
	depth int
	// facts hold at the statement being evaluated; pending are what calls
	// of that statement establish (a verification that raises on failure),
	// added once the statement completes.
	facts, pending facts
	// helper: the frame is a helper followed from a call; its returns
	// are collected in rets instead of being sinks.
	helper bool
	rets   []ret
	// mw is the dotted name of the middleware (class or factory) the
	// frame's code belongs to, entryName that of the module-level
	// function analyzed on its own; "" otherwise.
	mw, entryName string
}

// A ret is one return of an inlined helper.
type ret struct {
	node  *source.Node // the returned expression, nil for a bare return
	v     value
	f     facts
	falsy bool // returns None, False or nothing
}

// now returns the facts at the current point of the statement.
func (fr *frame) now() facts { return fr.facts.with(fr.pending) }

// settle adds what the statement's calls established.
func (fr *frame) settle() {
	fr.facts = fr.facts.with(fr.pending)
	fr.pending = facts{}
}

// block analyzes statements in order; true when the block always leaves
// (return, raise, continue, break), so that what follows it is unreachable.
func (fr *frame) block(n *source.Node) bool {
	for i := 0; n != nil && i < int(n.NamedChildCount()); i++ {
		if fr.statement(n.NamedChild(i)) {
			return true
		}
	}
	return false
}

// statement analyzes one statement; true when it always leaves.
func (fr *frame) statement(s *source.Node) bool {
	defer fr.settle()
	switch s.Type() {
	case "function_definition", "class_definition", "decorated_definition":
		return false // analyzed on their own
	case "expression_statement":
		for i := 0; i < int(s.NamedChildCount()); i++ {
			fr.expressionStatement(s.NamedChild(i), s)
		}
	case "return_statement":
		var expr *source.Node
		if s.NamedChildCount() > 0 {
			expr = s.NamedChild(0)
		}
		fr.ret(expr, fr.eval(expr))
		return true
	case "raise_statement":
		fr.children(s)
		return true
	case "continue_statement", "break_statement":
		return true
	case "if_statement":
		return fr.ifStatement(s)
	case "try_statement":
		return fr.tryStatement(s)
	case "for_statement":
		it := fr.eval(s.ChildByFieldName("right"))
		fr.settle()
		fr.bind(s.ChildByFieldName("left"), it.derived(), s)
		fr.loop(s.ChildByFieldName("body"), s.ChildByFieldName("alternative"), facts{})
	case "while_statement":
		c, _ := fr.test(s.ChildByFieldName("condition"))
		fr.loop(s.ChildByFieldName("body"), s.ChildByFieldName("alternative"), c.t)
	case "with_statement":
		fr.withStatement(s)
		return fr.block(s.ChildByFieldName("body"))
	case "match_statement":
		fr.matchStatement(s)
	case "assert_statement":
		if s.NamedChildCount() > 0 {
			c, _ := fr.test(s.NamedChild(0))
			fr.facts = fr.facts.with(c.t)
		}
	default:
		fr.children(s)
	}
	return false
}

func (fr *frame) children(n *source.Node) {
	for i := 0; i < int(n.NamedChildCount()); i++ {
		fr.eval(n.NamedChild(i))
	}
}

func (fr *frame) expressionStatement(e, stmt *source.Node) {
	switch e.Type() {
	case "assignment":
		fr.assignment(e, stmt)
	case "augmented_assignment":
		left := e.ChildByFieldName("left")
		v := fr.eval(left).union(fr.eval(e.ChildByFieldName("right")))
		fr.assign(left, v, stmt)
	default:
		fr.eval(e)
	}
}

func (fr *frame) assignment(e, stmt *source.Node) {
	right := e.ChildByFieldName("right")
	if right != nil && right.Type() == "assignment" {
		fr.assignment(right, stmt)
		right = right.ChildByFieldName("right")
	}
	fr.assign(e.ChildByFieldName("left"), fr.eval(right), stmt)
}

// loop analyzes a loop body and its else clause once, from the facts
// before the loop (with entry added for the body); the body may not run,
// so nothing it establishes holds after the loop.
func (fr *frame) loop(body, alternative *source.Node, entry facts) {
	before := fr.facts
	fr.facts = before.with(entry)
	fr.block(body)
	fr.facts = before
	if alternative != nil {
		fr.block(alternative.ChildByFieldName("body"))
		fr.facts = before
	}
}

// ifStatement analyzes the branches with what their conditions establish;
// after the statement hold the facts common to the branches that fall
// through. A test of certificate data that no branch leaves on decides
// nothing, so its gates are dropped after the statement.
func (fr *frame) ifStatement(s *source.Node) bool {
	before := fr.facts
	c, _ := fr.test(s.ChildByFieldName("condition"))
	consequence := s.ChildByFieldName("consequence")
	var elseBody *source.Node
	clauses := []*source.Node{}
	for i := 0; i < int(s.NamedChildCount()); i++ {
		switch ch := s.NamedChild(i); ch.Type() {
		case "elif_clause":
			clauses = append(clauses, ch)
		case "else_clause":
			elseBody = ch.ChildByFieldName("body")
		}
	}
	if len(clauses) == 0 {
		alternative := elseBody
		if alternative == nil && leaves(consequence) {
			// if test: return ... followed by the other branch.
			alternative = s.NextNamedSibling()
			for alternative != nil && alternative.Type() == "comment" {
				alternative = alternative.NextNamedSibling()
			}
			if alternative != nil && alternative.Type() != "return_statement" && alternative.Type() != "raise_statement" {
				alternative = nil
			}
		}
		fr.decisions(c, before, consequence, alternative)
	}
	gates := c.gates()
	var ends []facts
	exited := false
	fr.facts = before.with(c.t)
	if fr.block(consequence) {
		exited = true
	} else {
		ends = append(ends, fr.facts)
	}
	rest := before.with(c.f)
	for _, el := range clauses {
		fr.facts = rest
		ce, _ := fr.test(el.ChildByFieldName("condition"))
		gates = append(gates, ce.gates()...)
		fr.facts = rest.with(ce.t)
		if fr.block(el.ChildByFieldName("consequence")) {
			exited = true
		} else {
			ends = append(ends, fr.facts)
		}
		rest = rest.with(ce.f)
	}
	if elseBody != nil {
		fr.facts = rest
		if fr.block(elseBody) {
			exited = true
		} else {
			ends = append(ends, fr.facts)
		}
	} else {
		ends = append(ends, rest)
	}
	if len(ends) == 0 {
		fr.facts = before
		return true
	}
	out := ends[0]
	for _, e := range ends[1:] {
		out = out.meet(e)
	}
	if !exited {
		out = out.without(gates)
	}
	fr.facts = out
	return false
}

// tryStatement: after the statement hold the facts common to the body's
// end (and its else clause) and every handler that falls through; a
// handler starts from the facts before the try.
func (fr *frame) tryStatement(s *source.Node) bool {
	before := fr.facts
	var ends []facts
	bodyExits := fr.block(s.ChildByFieldName("body"))
	bodyEnd := fr.facts
	var finally *source.Node
	for i := 0; i < int(s.NamedChildCount()); i++ {
		ch := s.NamedChild(i)
		switch ch.Type() {
		case "else_clause":
			if !bodyExits {
				fr.facts = bodyEnd
				bodyExits = fr.block(ch.ChildByFieldName("body"))
				bodyEnd = fr.facts
			}
		case "except_clause", "except_group_clause":
			fr.facts = before
			if !fr.block(lastBlock(ch)) {
				ends = append(ends, fr.facts)
			}
		case "finally_clause":
			finally = lastBlock(ch)
		}
	}
	if !bodyExits {
		ends = append(ends, bodyEnd)
	}
	exits := len(ends) == 0
	if exits {
		fr.facts = before
	} else {
		out := ends[0]
		for _, e := range ends[1:] {
			out = out.meet(e)
		}
		fr.facts = out
	}
	if finally != nil && fr.block(finally) {
		return true
	}
	return exits
}

// leaves reports whether block b ends in a return or raise.
func leaves(b *source.Node) bool {
	if b == nil || b.NamedChildCount() == 0 {
		return false
	}
	switch b.NamedChild(int(b.NamedChildCount()) - 1).Type() {
	case "return_statement", "raise_statement":
		return true
	}
	return false
}

// lastBlock returns the block of a clause (its last named child).
func lastBlock(clause *source.Node) *source.Node {
	for i := int(clause.NamedChildCount()) - 1; i >= 0; i-- {
		if c := clause.NamedChild(i); c.Type() == "block" {
			return c
		}
	}
	return nil
}

func (fr *frame) withStatement(s *source.Node) {
	for i := 0; i < int(s.NamedChildCount()); i++ {
		clause := s.NamedChild(i)
		if clause.Type() != "with_clause" {
			continue
		}
		for j := 0; j < int(clause.NamedChildCount()); j++ {
			item := clause.NamedChild(j)
			v := item.ChildByFieldName("value")
			if v != nil && v.Type() == "as_pattern" {
				val := fr.eval(v.NamedChild(0))
				if alias := v.ChildByFieldName("alias"); alias != nil && alias.NamedChildCount() > 0 {
					fr.bind(alias.NamedChild(0), val, s)
				}
				continue
			}
			fr.eval(v)
		}
	}
	fr.settle()
}

// matchStatement analyzes each case from the facts before the statement;
// after it hold the facts common to every case and to no case matching.
func (fr *frame) matchStatement(s *source.Node) {
	before := fr.facts
	fr.eval(s.ChildByFieldName("subject"))
	fr.settle()
	out := before
	body := s.ChildByFieldName("body")
	for i := 0; body != nil && i < int(body.NamedChildCount()); i++ {
		cc := body.NamedChild(i)
		if cc.Type() != "case_clause" {
			continue
		}
		fr.facts = before
		if !fr.block(cc.ChildByFieldName("consequence")) {
			out = out.meet(fr.facts)
		}
	}
	fr.facts = out
}
