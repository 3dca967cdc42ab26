package csrc

import (
	"fmt"
	"math"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// loop analyzes a for, while or do loop. The body is walked once, from the
// state on entry (the least written: later iterations only add writes).
// After the loop, a buffer the body wrote counts as fully written, since
// the iterations may cover anything — except for the one shape whose
// extent is known: `for (i = lo; i < hi; i++) buf[i] = …;` (or
// `buf[i].m = …;`) with constant bounds and no early exit, which writes
// elements lo to hi. In such a counted loop, an output of `buf[i]` reads
// elements lo to hi, and a loop with lo < hi runs at least once.
// loopMacroArgs handles the condition of a loop macro the repair made a
// while loop (`LIST_FOREACH(p, head, link) {` read as `while (p, head,
// link) {`): a comma expression, whose variables, members and elements
// the macro may assign, as it does its cursor. No loop of C code is
// written so.
func (w *walker) loopMacroArgs(n, cond syntax.Node, st *state) {
	c := stripParens(cond)
	if c.IsNull() || c.Type() != "comma_expression" {
		return
	}
	var args []syntax.Node
	for !c.IsNull() && c.Type() == "comma_expression" {
		args = append(args, c.ChildByFieldName("left"))
		c = c.ChildByFieldName("right")
	}
	args = append(args, c)
	w.macroArgs(n, "of the loop", args, make([]*ref, len(args)), st)
}

func (w *walker) loop(n syntax.Node, st *state) *state {
	w.push()
	defer w.pop()
	typ := n.Type()
	if typ == "for_statement" {
		if init := n.ChildByFieldName("initializer"); !init.IsNull() {
			if init.Type() == "declaration" {
				w.declaration(init, st)
			} else {
				w.expr(init, st)
			}
		}
	}
	cond := n.ChildByFieldName("condition")
	c := amount{known: true, val: 1} // for (;;)
	if !cond.IsNull() {
		v, ok := w.f.constOf(cond, env{w, nil}) // constant whatever the locals hold
		c = amount{known: ok, val: v}
	}
	if typ == "while_statement" {
		w.loopMacroArgs(n, cond, st)
	}
	var skipped *state // where a short-circuit condition is first false
	if typ != "do_statement" {
		if c.known && c.val == 0 {
			w.operand(cond, st)
			return st
		}
		w.heads++
		if shortCircuit(cond) {
			// The body runs where the whole condition held: after
			// `!done && next(&v) == 0`, next wrote v.
			st, skipped = w.branch(cond, st)
		} else {
			w.operand(cond, st)
		}
		w.heads--
	}
	cl, counted := w.countedLoop(n, st)
	fill, fillOK := w.fillLoop(n, cl, counted, st)
	// entry is the state the body starts from, which settle compares
	// with its end; skipped the state that leaves before the body runs.
	entry := st.clone()
	if skipped == nil {
		skipped = entry
	}
	var breaks, continues []*state
	w.breaks = append(w.breaks, &breaks)
	w.continues = append(w.continues, &continues)
	w.loopDepth++
	if counted {
		cl.depth = w.condDepth
		w.counted = append(w.counted, cl)
	} else {
		w.condDepth++
	}
	start := st.clone()
	w.forgetVarying(n, start, cl, counted)
	body := w.stmt(n.ChildByFieldName("body"), start)
	if counted {
		w.counted = w.counted[:len(w.counted)-1]
	} else {
		w.condDepth--
	}
	w.loopDepth--
	w.breaks = w.breaks[:len(w.breaks)-1]
	w.continues = w.continues[:len(w.continues)-1]
	end := joinAll(append(continues, body)...)
	if !end.dead {
		w.heads++
		if typ == "do_statement" {
			w.operand(cond, end)
		} else if u := n.ChildByFieldName("update"); !u.IsNull() {
			w.expr(u, end)
		}
		w.heads--
	}
	var after *state
	switch {
	case typ == "do_statement" && c.known && c.val == 0: // do { … } while (0): runs once
		return joinAll(append(breaks, end)...)
	case c.known && c.val != 0: // while (1): only breaks leave
		after = joinAll(breaks...)
	case typ == "do_statement", counted && cl.hi.known && cl.lo < cl.hi.val && !cl.exits: // runs at least once
		after = joinAll(append(breaks, end)...)
	default:
		after = joinAll(append(breaks, skipped, end)...)
	}
	if after.dead {
		return after
	}
	exit := joinAll(append(breaks, end)...)
	once := counted && cl.hi.known && cl.hi.val-cl.lo == 1
	w.settle(after, entry, exit, n, fill, fillOK, once || invariant(entry, exit))
	return after
}

// forgetVarying drops, from the state a loop's body starts in, the
// values of the locals the loop assigns (but a counted loop's variable,
// which the loop tracks): one walk of the body stands for every
// iteration, and a branch on `state == 0` that a toggling state takes on
// the first alone would leave the other branch's writes unseen.
func (w *walker) forgetVarying(n syntax.Node, st *state, cl countedLoop, counted bool) {
	for name := range assignedIn(n) {
		l := w.lookup(name)
		if l == nil || counted && l.id == cl.ivar {
			continue
		}
		delete(st.consts, l.id)
		delete(st.bounds, l.id)
	}
}

// assignedIn returns the names assigned in n: on the left of an
// assignment, or stepped.
func assignedIn(n syntax.Node) map[string]bool {
	names := map[string]bool{}
	var walk func(syntax.Node)
	walk = func(n syntax.Node) {
		var target syntax.Node
		switch n.Type() {
		case "assignment_expression":
			target = n.ChildByFieldName("left")
		case "update_expression":
			target = n.ChildByFieldName("argument")
		}
		if t := stripParens(target); !t.IsNull() && t.Type() == "identifier" {
			names[t.Text()] = true
		}
		for c := n.FirstChild(); !c.IsNull(); c = c.NextSibling() {
			walk(c)
		}
	}
	walk(n)
	return names
}

// shortCircuit reports whether a condition is a && or || of others, or
// the negation of one.
func shortCircuit(cond syntax.Node) bool {
	c := stripParens(cond)
	for !c.IsNull() && c.Type() == "unary_expression" && c.ChildByFieldName("operator").Text() == "!" {
		c = stripParens(c.ChildByFieldName("argument"))
	}
	if c.IsNull() || c.Type() != "binary_expression" {
		return false
	}
	op := c.ChildByFieldName("operator").Text()
	return op == "&&" || op == "||"
}

// invariant reports whether a loop body leaves every known value and
// pointer as it found them: its next iteration writes what the first
// did.
func invariant(entry, exit *state) bool {
	if len(entry.consts) != len(exit.consts) || len(entry.alias) != len(exit.alias) {
		return false
	}
	for id, v := range entry.consts {
		if v2, ok := exit.consts[id]; !ok || v2 != v {
			return false
		}
	}
	for id, r := range entry.alias {
		if r2, ok := exit.alias[id]; !ok || r2 != r {
			return false
		}
	}
	return true
}

// settle fixes up the state after a loop: what the body wrote or changed
// is only known for the fill loop's buffers, and for a body that runs
// once or repeats itself exactly (exact).
func (w *walker) settle(after, entry, exit *state, n syntax.Node, fill []filled, fillOK, exact bool) {
	filledBufs := map[int]filled{}
	if fillOK {
		for _, f := range fill {
			if g, ok := filledBufs[f.buf]; ok {
				f.s, f.may, f.mayAll = f.s.union(g.s), f.may.union(g.may), f.mayAll || g.mayAll
			}
			filledBufs[f.buf] = f
		}
	}
	for id := range exit.ext {
		before, now := entry.peek(id), *exit.ext[id]
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
			if len(f.s) > 0 {
				w.writeSpans(after, id, f.s, f.at, "the loop")
			} else if e.live && !e.full {
				e.steps = withStep(e.steps, step{node: f.at, msg: f.what, writes: f.what + " of", none: true})
			}
			e.may = e.may.union(f.may)
			e.mayAll = e.mayAll || f.mayAll
			continue
		}
		if e.live && !e.full && !exact {
			e.setFull()
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

// A countedLoop is `for (i = lo; i < hi; i++)` whose body does not
// assign i: unless it leaves early (exits: break, continue, goto), the
// body runs for every i from lo to hi - 1 on every path that gets past
// the loop. A return leaves the function: no path past the loop took it.
type countedLoop struct {
	ivar  int // the local
	lo    int64
	hi    amount
	exits bool
	// depth is the walker's condition depth where the body starts: an
	// access under a condition of the body is not made for every i.
	depth int
}

// countedLoop recognizes a counted loop.
func (w *walker) countedLoop(n syntax.Node, st *state) (countedLoop, bool) {
	if n.Type() != "for_statement" {
		return countedLoop{}, false
	}
	name, lo, ok := w.loopStart(n.ChildByFieldName("initializer"), st)
	if !ok {
		return countedLoop{}, false
	}
	l := w.lookup(name)
	hi, ok := w.loopBound(n.ChildByFieldName("condition"), name, st)
	if l == nil || !ok || !w.isIncrement(n.ChildByFieldName("update"), name) {
		return countedLoop{}, false
	}
	exits, assigned := false, false
	n.ChildByFieldName("body").Walk(func(c syntax.Node) bool {
		switch c.Type() {
		case "compound_statement":
			return !declares(c, name) // an inner i is another variable
		case "break_statement", "continue_statement", "goto_statement":
			exits = true
		case "assignment_expression":
			assigned = assigned || assigns(c.ChildByFieldName("left"), name)
		case "update_expression":
			assigned = assigned || assigns(c.ChildByFieldName("argument"), name)
		case "pointer_expression":
			assigned = assigned || c.ChildByFieldName("operator").Text() == "&" && assigns(c.ChildByFieldName("argument"), name)
		case "switch_statement", "for_statement", "while_statement", "do_statement":
			return false // their break and continue are their own
		}
		return !assigned
	})
	if assigned {
		return countedLoop{}, false
	}
	return countedLoop{ivar: l.id, lo: lo, hi: hi, exits: exits}, true
}

// declares reports whether a block declares a variable name.
func declares(block syntax.Node, name string) bool {
	for _, c := range block.NamedChildren() {
		if c.Type() != "declaration" {
			continue
		}
		for _, d := range c.ChildrenByFieldName("declarator") {
			if declName(d) == name {
				return true
			}
		}
	}
	return false
}

// assigns reports whether an assignment target is the variable name.
func assigns(target syntax.Node, name string) bool {
	t := stripParens(target)
	return !t.IsNull() && t.Type() == "identifier" && t.Text() == name
}

// A filled range is what a counted loop writes into one buffer: the
// bytes every path writes (s) and those some path does (may, mayAll);
// what describes a partial fill for messages.
type filled struct {
	buf    int
	s      spans
	may    spans
	mayAll bool
	at     syntax.Node
	what   string
}

// fillLoop returns what a counted loop writes through the element
// assignments `buf[i] = …` and `buf[i].m = …` that are unconditional
// statements of its body: with constant bounds, elements lo to hi - 1;
// to a bound known only at run time, what the guards before the loop
// bound it by. A loop that may stop early only may write them.
func (w *walker) fillLoop(n syntax.Node, cl countedLoop, counted bool, st *state) ([]filled, bool) {
	if !counted {
		return nil, false
	}
	mustCount, mayCount, what := int64(0), int64(-1), ""
	if cl.hi.known {
		mustCount, mayCount = cl.hi.val-cl.lo, cl.hi.val-cl.lo
		if mustCount <= 0 {
			return nil, false
		}
	} else {
		b, ok := w.boundOf(cl.hi, st)
		if !ok {
			return nil, false
		}
		mustCount = max(0, b.lo-cl.lo)
		if b.hi < math.MaxInt64/2 {
			mayCount = max(0, b.hi-cl.lo)
			what = fmt.Sprintf("the loop writes only the first %s elements (%s ≤ %d)", cl.hi, cl.hi, b.hi)
		} else {
			what = fmt.Sprintf("the loop writes only the first %s elements", cl.hi)
		}
	}
	if cl.exits {
		mustCount = 0
		if what == "" {
			what = "the loop may stop before it writes every element"
		}
	}
	body := n.ChildByFieldName("body")
	stmts := []syntax.Node{body}
	if !body.IsNull() && body.Type() == "compound_statement" {
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
		buf, must, ok := w.rangedPlace(a.ChildByFieldName("left"), cl.ivar, cl.lo, mustCount, st)
		if !ok {
			continue
		}
		f := filled{buf: buf, s: must, may: must, at: a, what: what}
		if mayCount < 0 {
			f.mayAll = true
		} else if _, may, ok := w.rangedPlace(a.ChildByFieldName("left"), cl.ivar, cl.lo, mayCount, st); ok {
			f.may = may
		} else {
			f.mayAll = true
		}
		out = append(out, f)
	}
	return out, len(out) > 0
}

// maxRanged bounds the elements a ranged access lists one by one.
const maxRanged = 4096

// rangedPlace resolves `buf[i]` and `buf[i].m` (and deeper members) for
// the local i (ivar): the buffer and the bytes the lvalue covers for the
// count values of i from lo.
func (w *walker) rangedPlace(n syntax.Node, ivar int, lo, count int64, st *state) (int, spans, bool) {
	n = stripParens(n)
	var chain []syntax.Node
	for !n.IsNull() && n.Type() == "field_expression" && n.ChildByFieldName("operator").Text() == "." {
		chain = append(chain, n.ChildByFieldName("field"))
		n = stripParens(n.ChildByFieldName("argument"))
	}
	if n.IsNull() || n.Type() != "subscript_expression" {
		return 0, nil, false
	}
	if l := w.lookupIdent(stripParens(n.ChildByFieldName("index"))); l == nil || l.id != ivar {
		return 0, nil, false
	}
	r, pt, ok := w.value(n.ChildByFieldName("argument"), st)
	if !ok || r.obj || !r.off.known {
		return 0, nil, false
	}
	unit, t, fieldOff := pt.elemSize(), elemOf(pt), int64(0)
	for i := len(chain) - 1; i >= 0; i-- {
		if t == nil || t.rec == nil {
			return 0, nil, false
		}
		fl, found := t.rec.member(chain[i].Text())
		if !found {
			return 0, nil, false
		}
		fieldOff, t = fieldOff+fl.off, fl.typ
	}
	if t == nil || t.size <= 0 {
		return 0, nil, false
	}
	if count < 0 {
		return 0, nil, false
	}
	start := r.off.val + lo*unit + fieldOff
	if t.size == unit {
		return r.buf, spans(nil).add(span{start, start + count*unit}), true
	}
	if count > maxRanged {
		return 0, nil, false
	}
	var out spans
	for k := int64(0); k < count; k++ {
		out = append(out, span{start + k*unit, start + k*unit + t.size})
	}
	return r.buf, out, true
}

// loopStart reads `i = lo` or `int i = lo`.
func (w *walker) loopStart(init syntax.Node, st *state) (string, int64, bool) {
	if init.IsNull() {
		return "", 0, false
	}
	var name, value syntax.Node
	switch init.Type() {
	case "assignment_expression":
		if init.ChildByFieldName("operator").Text() != "=" {
			return "", 0, false
		}
		name, value = init.ChildByFieldName("left"), init.ChildByFieldName("right")
	case "declaration":
		d := init.ChildByFieldName("declarator")
		if d.IsNull() || d.Type() != "init_declarator" {
			return "", 0, false
		}
		name, value = d.ChildByFieldName("declarator"), d.ChildByFieldName("value")
	default:
		return "", 0, false
	}
	if name.IsNull() || name.Type() != "identifier" {
		return "", 0, false
	}
	v, ok := w.constOf(value, st)
	return name.Text(), v, ok
}

// loopBound reads `i < hi`, `i <= hi`, `i != hi`, `hi > i` or `hi >= i`
// and returns the exclusive upper bound: a constant, or the bound's value
// as far as it is known.
func (w *walker) loopBound(cond syntax.Node, ivar string, st *state) (amount, bool) {
	cond = stripParens(cond)
	if cond.IsNull() || cond.Type() != "binary_expression" {
		return amount{}, false
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
			return amount{}, false
		}
	}
	if stripParens(l).Text() != ivar {
		return amount{}, false
	}
	hi := w.eval(r, st)
	switch {
	case hi.isUnknown():
		return amount{}, false
	case op == "<" || op == "!=":
		return hi, true
	case op == "<=" && hi.known:
		return constant(hi.val + 1), true
	}
	return amount{}, false
}

// isIncrement reports whether update is i++, ++i, i += 1 or i = i + 1.
func (w *walker) isIncrement(update syntax.Node, ivar string) bool {
	if update.IsNull() {
		return false
	}
	switch squeeze(update.Text()) {
	case ivar + "++", "++" + ivar, ivar + "+=1", ivar + "=" + ivar + "+1":
		return true
	}
	return false
}
