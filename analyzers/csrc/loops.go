package csrc

import (
	"github.com/residue-sec/residue/analyzers/syntax"
)

// loop analyzes a for, while or do loop. The body is walked once, from the
// state on entry (the least written: later iterations only add writes).
// After the loop, a buffer the body wrote counts as fully written, since
// the iterations may cover anything — except for the one shape whose
// extent is known: `for (i = lo; i < hi; i++) buf[i] = …;` with constant
// bounds and no early exit, which writes elements lo to hi.
func (w *walker) loop(n *syntax.Node, st *state) *state {
	w.push()
	defer w.pop()
	typ := n.Type()
	if typ == "for_statement" {
		if init := n.ChildByFieldName("initializer"); init != nil {
			if init.Type() == "declaration" {
				w.declaration(init, st)
			} else {
				w.expr(init, st)
			}
		}
	}
	cond := n.ChildByFieldName("condition")
	c := amount{known: true, val: 1} // for (;;)
	if cond != nil {
		v, ok := w.f.constOf(cond, env{w, nil}) // constant whatever the locals hold
		c = amount{known: ok, val: v}
	}
	if typ != "do_statement" {
		w.operand(cond, st)
		if c.known && c.val == 0 {
			return st
		}
	}
	fill, fillOK := w.fillLoop(n, st)
	entry := st.clone()
	var breaks, continues []*state
	w.breaks = append(w.breaks, &breaks)
	w.continues = append(w.continues, &continues)
	w.loopDepth++
	body := w.stmt(n.ChildByFieldName("body"), st.clone())
	w.loopDepth--
	w.breaks = w.breaks[:len(w.breaks)-1]
	w.continues = w.continues[:len(w.continues)-1]
	end := joinAll(append(continues, body)...)
	if !end.dead {
		if typ == "do_statement" {
			w.operand(cond, end)
		} else if u := n.ChildByFieldName("update"); u != nil {
			w.expr(u, end)
		}
	}
	var after *state
	switch {
	case typ == "do_statement" && c.known && c.val == 0: // do { … } while (0): runs once
		return joinAll(append(breaks, end)...)
	case c.known && c.val != 0: // while (1): only breaks leave
		after = joinAll(breaks...)
	case typ == "do_statement":
		after = joinAll(append(breaks, end)...)
	default:
		after = joinAll(append(breaks, entry, end)...)
	}
	if after.dead {
		return after
	}
	w.settle(after, entry, joinAll(append(breaks, end)...), n, fill, fillOK)
	return after
}

// settle fixes up the state after a loop: what the body wrote or changed
// is only known for the fill loop's buffers.
func (w *walker) settle(after, entry, exit *state, n *syntax.Node, fill []filled, fillOK bool) {
	filledBufs := map[int]filled{}
	if fillOK {
		for _, f := range fill {
			filledBufs[f.buf] = f
		}
	}
	for id := range exit.ext {
		before, now := *entry.extentOf(id), exit.ext[id]
		if sameExtent(before, now) || !now.live {
			continue
		}
		e := w.touch(after, id)
		if now.escaped {
			e.escaped = true
			continue
		}
		if f, ok := filledBufs[id]; ok && before.live {
			*e = before
			w.writeSpans(after, id, spans{{f.lo, f.hi}}, f.at, "the loop")
			continue
		}
		if e.live && !e.full {
			e.full = true
			e.steps = withStep(e.steps, step{node: n, msg: "the loop may write all of it"})
		}
	}
	for id := range after.consts {
		if v, ok := exit.consts[id]; !ok || v != entry.consts[id] {
			delete(after.consts, id)
		}
	}
	for id, r := range exit.alias {
		if r2, ok := entry.alias[id]; ok && r2 != r {
			delete(after.alias, id)
			w.touch(after, r.buf).escaped = true
			w.touch(after, r2.buf).escaped = true
		}
	}
}

// A filled range is what a counted loop writes into one buffer.
type filled struct {
	buf    int
	lo, hi int64
	at     *syntax.Node
}

// fillLoop recognizes `for (i = lo; i < hi; i++) { … buf[i] = …; … }` with
// constant bounds, lo < hi, no break, continue, goto or return in the body,
// and the element assignments as unconditional statements of the body.
func (w *walker) fillLoop(n *syntax.Node, st *state) ([]filled, bool) {
	if n.Type() != "for_statement" {
		return nil, false
	}
	ivar, lo, ok := w.loopStart(n.ChildByFieldName("initializer"), st)
	if !ok {
		return nil, false
	}
	hi, ok := w.loopBound(n.ChildByFieldName("condition"), ivar, st)
	if !ok || hi <= lo || !w.isIncrement(n.ChildByFieldName("update"), ivar) {
		return nil, false
	}
	body := n.ChildByFieldName("body")
	exits := false
	body.Walk(func(c *syntax.Node) bool {
		switch c.Type() {
		case "break_statement", "continue_statement", "goto_statement", "return_statement":
			exits = true
		}
		return !exits
	})
	if exits {
		return nil, false
	}
	stmts := []*syntax.Node{body}
	if body != nil && body.Type() == "compound_statement" {
		stmts = namedChildren(body)
	}
	var out []filled
	for _, s := range stmts {
		if s.Type() != "expression_statement" || s.NamedChildCount() == 0 {
			continue
		}
		a := s.NamedChild(0)
		if a.Type() != "assignment_expression" || a.ChildByFieldName("operator").Text() != "=" {
			continue
		}
		left := stripParens(a.ChildByFieldName("left"))
		if left == nil || left.Type() != "subscript_expression" || stripParens(left.ChildByFieldName("index")).Text() != ivar {
			continue
		}
		r, t, ok := w.value(left.ChildByFieldName("argument"), st)
		if !ok || r.obj || !r.off.known {
			continue
		}
		unit := t.elemSize()
		out = append(out, filled{buf: r.buf, lo: r.off.val + lo*unit, hi: r.off.val + hi*unit, at: a})
	}
	return out, len(out) > 0
}

// loopStart reads `i = lo` or `int i = lo`.
func (w *walker) loopStart(init *syntax.Node, st *state) (string, int64, bool) {
	if init == nil {
		return "", 0, false
	}
	var name, value *syntax.Node
	switch init.Type() {
	case "assignment_expression":
		if init.ChildByFieldName("operator").Text() != "=" {
			return "", 0, false
		}
		name, value = init.ChildByFieldName("left"), init.ChildByFieldName("right")
	case "declaration":
		d := init.ChildByFieldName("declarator")
		if d == nil || d.Type() != "init_declarator" {
			return "", 0, false
		}
		name, value = d.ChildByFieldName("declarator"), d.ChildByFieldName("value")
	default:
		return "", 0, false
	}
	if name == nil || name.Type() != "identifier" {
		return "", 0, false
	}
	v, ok := w.constOf(value, st)
	return name.Text(), v, ok
}

// loopBound reads `i < hi`, `i <= hi`, `i != hi`, `hi > i` or `hi >= i`
// and returns the exclusive upper bound.
func (w *walker) loopBound(cond *syntax.Node, ivar string, st *state) (int64, bool) {
	cond = stripParens(cond)
	if cond == nil || cond.Type() != "binary_expression" {
		return 0, false
	}
	op := cond.ChildByFieldName("operator").Text()
	l, r := cond.ChildByFieldName("left"), cond.ChildByFieldName("right")
	if stripParens(r).Text() == ivar {
		l, r = r, l
		switch op {
		case ">":
			op = "<"
		case ">=":
			op = "<="
		case "<", "<=":
			return 0, false
		}
	}
	if stripParens(l).Text() != ivar {
		return 0, false
	}
	hi, ok := w.constOf(r, st)
	if !ok {
		return 0, false
	}
	switch op {
	case "<", "!=":
		return hi, true
	case "<=":
		return hi + 1, true
	}
	return 0, false
}

// isIncrement reports whether update is i++, ++i, i += 1 or i = i + 1.
func (w *walker) isIncrement(update *syntax.Node, ivar string) bool {
	if update == nil {
		return false
	}
	switch squeeze(update.Text()) {
	case ivar + "++", "++" + ivar, ivar + "+=1", ivar + "=" + ivar + "+1":
		return true
	}
	return false
}
