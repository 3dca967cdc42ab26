package mtls

import (
	"strings"

	"github.com/residue-sec/residue/analyzers/pysrc"
)

// A frame walks one function's flow: an entry point, or a function of
// the repository followed from a call, with the caller's facts. What
// holds at each point (facts) comes from the tests on the path to it and
// the calls made before it; values come from the function's atoms
// (values).
type frame struct {
	// c reports; nil for a quiet walk (a function of another module, a
	// check summarized), which reports nothing.
	c      *checker
	rp     *repo
	fn     *pysrc.FuncDef
	class  *pysrc.ClassDef
	method bool
	role   role
	vals   *values
	// depth counts the calls followed to reach this frame.
	depth int
	// facts hold at the statement being walked; pending are what calls
	// of that statement establish (a verification that raises on
	// failure), added once the statement completes.
	facts, pending facts
	// helper: the frame is a function followed from a call; its returns
	// are collected in rets instead of being sinks.
	helper bool
	rets   []ret
	// own is what the findings made in the frame belong to.
	own owner
	// hand is what the entry walk being made learns where the request is
	// handed on.
	hand *handOn
}

// An owner is what a finding belongs to, for the repository's verdicts:
// the middleware (class or factory) it is in, the module-level function
// analyzed on its own, the helper whose findings stand only if another
// module calls it unchecked.
type owner struct {
	mw           pysrc.Datum
	mwName       string
	entry        *pysrc.FuncDef
	onlyIfCalled *pysrc.FuncDef
}

// handOn is what holds where an entry walk hands the request on:
// middleware to the next (passOn), a decorator's wrapper to the view
// (granted), a view's dispatch to its handler (dispatched); and at the
// calls of the functions a verdict asks about (at).
type handOn struct {
	passOn, granted, dispatched *facts
	at                          map[pysrc.CallRef]*facts
}

// A ret is one return of a followed function.
type ret struct {
	at    pysrc.Loc
	v     value
	f     facts
	falsy bool // returns None, False or nothing
	true_ bool // returns True
}

// now returns the facts at the current point of the statement.
func (fr *frame) now() facts { return fr.facts.with(fr.pending) }

// settle adds what the statement's calls established.
func (fr *frame) settle() {
	fr.facts = fr.facts.with(fr.pending)
	fr.pending = facts{}
}

// at returns span s of the frame's module as a location.
func (fr *frame) at(s pysrc.Span) pysrc.Loc { return fr.fn.Module().At(s) }

// call returns call site k of the frame's function, nil for none.
func (fr *frame) call(k int32) *pysrc.Call {
	if k < 0 || int(k) >= len(fr.fn.Code().Calls) {
		return nil
	}
	return &fr.fn.Code().Calls[k]
}

// run makes the calls [from, to) of the function.
func (fr *frame) run(from, to int32) {
	for k := from; k < to && int(k) < len(fr.fn.Code().Calls); k++ {
		if !fr.vals.made[k] {
			fr.make(k)
		}
	}
}

// block walks statements in order; true when the block always leaves
// (return, raise, continue, break), so that what follows it is
// unreachable.
func (fr *frame) block(stmts []pysrc.Stmt) bool {
	for i := range stmts {
		if fr.stmt(stmts, i) {
			return true
		}
	}
	return false
}

// stmt walks statement i of stmts; true when it always leaves.
func (fr *frame) stmt(stmts []pysrc.Stmt, i int) bool {
	st := &stmts[i]
	fr.rp.work++
	defer fr.settle()
	switch st.Kind {
	case pysrc.StmtDef:
		return false // analyzed on their own
	case pysrc.StmtIf:
		return fr.ifStmt(stmts, i)
	case pysrc.StmtTry:
		return fr.tryStmt(st)
	case pysrc.StmtWhile:
		c := fr.testOf(st)
		fr.loop(st, c.t)
		return false
	case pysrc.StmtAssert:
		c := fr.testOf(st)
		fr.facts = fr.facts.with(c.t)
		return false
	}
	fr.run(st.From, st.To)
	switch st.Kind {
	case pysrc.StmtAssign:
		v := fr.vals.value(st.Value)
		for _, t := range fr.fn.Assigned(st.Targets) {
			fr.assign(t, v, st)
		}
	case pysrc.StmtReturn:
		fr.ret(st, fr.vals.value(st.Value))
		return true
	case pysrc.StmtRaise, pysrc.StmtBreak, pysrc.StmtContinue:
		return true
	case pysrc.StmtFor:
		fr.settle()
		fr.loop(st, facts{})
	case pysrc.StmtWith:
		fr.settle()
		return fr.block(fr.fn.Block(st.Body))
	case pysrc.StmtMatch:
		fr.settle()
		fr.match(st)
	}
	return false
}

// testOf makes the calls of a statement's test and returns what the
// test establishes: calls in a test establish nothing by returning
// (they are tested), so pending facts are left as they were.
func (fr *frame) testOf(st *pysrc.Stmt) condition {
	saved := fr.pending
	fr.run(st.From, st.To)
	fr.pending = saved
	return fr.vals.test(st.Cond).c
}

// loop walks a loop body and its else clause once, from the facts before
// the loop (with entry added for the body); the body may not run, so
// nothing it establishes holds after the loop.
func (fr *frame) loop(st *pysrc.Stmt, entry facts) {
	before := fr.facts
	fr.facts = before.with(entry)
	fr.block(fr.fn.Block(st.Body))
	fr.facts = before
	if st.Else.Len > 0 {
		fr.block(fr.fn.Block(st.Else))
		fr.facts = before
	}
}

// ifStmt walks the branches with what their tests establish; after the
// statement hold the facts common to the branches that fall through. A
// test of certificate data that no branch leaves on decides nothing, so
// its gates are dropped after the statement.
func (fr *frame) ifStmt(stmts []pysrc.Stmt, i int) bool {
	st := &stmts[i]
	before := fr.facts
	c := fr.testOf(st)
	var clauses []*pysrc.Stmt
	body, elseBody := fr.fn.Block(st.Body), fr.fn.Block(st.Else)
	for len(elseBody) == 1 && elseBody[0].Kind == pysrc.StmtIf && elseBody[0].Elif {
		clauses = append(clauses, &elseBody[0])
		elseBody = fr.fn.Block(elseBody[0].Else)
	}
	if len(clauses) == 0 {
		alternative := elseBody
		if len(alternative) == 0 && leaves(body) && i+1 < len(stmts) {
			// if test: return ... followed by the other branch.
			if k := stmts[i+1].Kind; k == pysrc.StmtReturn || k == pysrc.StmtRaise {
				alternative = stmts[i+1 : i+2]
			}
		}
		fr.decisions(c, before, body, alternative)
	}
	gates := c.gates()
	var ends []facts
	exited := false
	fr.facts = before.with(c.t)
	if fr.block(body) {
		exited = true
	} else {
		ends = append(ends, fr.facts)
	}
	rest := before.with(c.f)
	for _, el := range clauses {
		fr.facts = rest
		ce := fr.testOf(el)
		gates = append(gates, ce.gates()...)
		fr.facts = rest.with(ce.t)
		if fr.block(fr.fn.Block(el.Body)) {
			exited = true
		} else {
			ends = append(ends, fr.facts)
		}
		rest = rest.with(ce.f)
	}
	if len(elseBody) > 0 {
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

// tryStmt: after the statement hold the facts common to the body's end
// (and its else clause) and every handler that falls through; a handler
// starts from the facts before the try.
func (fr *frame) tryStmt(st *pysrc.Stmt) bool {
	before := fr.facts
	var ends []facts
	bodyExits := fr.block(fr.fn.Block(st.Body))
	if !bodyExits && st.Else.Len > 0 {
		bodyExits = fr.block(fr.fn.Block(st.Else))
	}
	bodyEnd := fr.facts
	for _, h := range fr.fn.Clauses(st.Handlers) {
		fr.facts = before
		if !fr.block(fr.fn.Block(h)) {
			ends = append(ends, fr.facts)
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
	if st.Finally.Len > 0 && fr.block(fr.fn.Block(st.Finally)) {
		return true
	}
	return exits
}

// match walks each case from the facts before the statement; after it
// hold the facts common to every case and to no case matching.
func (fr *frame) match(st *pysrc.Stmt) {
	before := fr.facts
	out := before
	for _, body := range fr.fn.Clauses(st.Handlers) {
		fr.facts = before
		if !fr.block(fr.fn.Block(body)) {
			out = out.meet(fr.facts)
		}
	}
	fr.facts = out
}

// leaves reports whether a block ends in a return or raise.
func leaves(b []pysrc.Stmt) bool {
	if len(b) == 0 {
		return false
	}
	k := b[len(b)-1].Kind
	return k == pysrc.StmtReturn || k == pysrc.StmtRaise
}

// assign handles the target t of an assignment statement st of v: the
// sinks of an assignment (request.user, a request attribute,
// META["REMOTE_USER"], the session).
func (fr *frame) assign(t pysrc.Target, v value, st *pysrc.Stmt) {
	at := fr.at(st.Span)
	text := fr.rp.text(fr.at(t.Span))
	switch t.Kind {
	case pysrc.TargetAttr:
		if len(text) > 5 && text[:5] == "self." {
			return
		}
		if fr.vals.value(t.Obj).kind != requestKind {
			if fr.role.passesOn && fr.vals.requestUser(t.Obj) {
				fr.sink(site{at: at, kind: passSink, what: "request.user." + t.Name}, v)
			}
			return
		}
		if identityAttrs[t.Name] {
			fr.sink(site{at: at, kind: identitySink, what: "sets request." + t.Name}, v)
		} else if fr.role.passesOn {
			fr.sink(site{at: at, kind: passSink, what: "request." + t.Name}, v)
		}
	case pysrc.TargetIndex:
		ov := fr.vals.value(t.Obj)
		key := t.Name
		if key == "" {
			if c, _, ok := fr.vals.constant(t.Key); ok && c.Value.Kind == pysrc.LitString {
				key = c.Value.Text
			}
		}
		switch {
		case ov.kind == metaKind && identityEnvironKeys[normalize(key)]:
			fr.sink(site{at: at, kind: identitySink, what: "sets " + key}, v)
		case (ov.kind == metaKind || ov.kind == headersKind) && fr.role.passesOn:
			fr.sink(site{at: at, kind: passSink, what: containerText(text) + "[…]"}, v)
		case ov.kind == sessionKind && fr.role.passesOn:
			fr.sink(site{at: at, kind: passSink, what: "the session"}, v)
		}
	}
}

// containerText returns the container of a subscript's text ("x[k]": "x").
func containerText(subscript string) string {
	for i := len(subscript) - 1; i >= 0; i-- {
		if subscript[i] == '[' {
			return subscript[:i]
		}
	}
	return subscript
}

// ret handles a return statement: in a followed function it is
// collected; in an authentication class the returned data is the
// identity; in a permission class the returned data, or True under a
// test of certificate data, grants access.
func (fr *frame) ret(st *pysrc.Stmt, v value) {
	at := fr.at(returned(fr.fn.Module().Text(st.Span), st.Span))
	falsy := st.Const == pysrc.SingletonNone || st.Const == pysrc.SingletonFalse
	if fr.helper {
		fr.rets = append(fr.rets, ret{at: at, v: v, f: fr.now(), falsy: falsy, true_: st.Const == pysrc.SingletonTrue})
		return
	}
	if fr.own.mwName != "" && falsy && isHook(last(fr.fn.Name)) {
		fr.passesOn(fr.now())
	}
	switch {
	case fr.role.returnsIdentity && v.data():
		fr.sink(site{at: at, kind: identitySink, what: "is returned as the authenticated user"}, v)
	case fr.role.returnsDecision && v.data():
		fr.sink(site{at: at, kind: decisionSink, what: "is returned as the permission decision"}, v)
	case fr.role.returnsDecision && st.Const == pysrc.SingletonTrue:
		fr.grant(at)
	}
}

// returned returns the span of what a return statement (its text, at
// span) returns: the statement without its keyword.
func returned(text string, span pysrc.Span) pysrc.Span {
	rest := strings.TrimLeft(strings.TrimPrefix(text, "return"), " \t")
	if rest == "" || len(rest) == len(text) {
		return span
	}
	return pysrc.Span{Start: span.End - uint32(len(rest)), End: span.End}
}

// passesOn records the facts at a point where middleware hands the
// request on: what holds at every such point is what it guarantees.
func (fr *frame) passesOn(f facts) { fr.hand.passOn = meetInto(fr.hand.passOn, f) }
