package csrc

import (
	"github.com/residue-sec/residue/analyzers/syntax"
)

// An exprVal is what the analysis keeps of an expression's value: the
// buffers whose written length it is (the count read() returned).
type exprVal struct {
	counts []int
}

// expr analyzes the effects of an expression in evaluation order: calls
// (writers, sinks), assignments, and uses of a buffer's address that the
// analysis cannot follow, which make the buffer escape.
func (w *walker) expr(n syntax.Node, st *state) exprVal {
	if n.IsNull() || st.dead {
		return exprVal{}
	}
	switch n.Type() {
	case "call_expression":
		return w.call(n, st, false)
	case "assignment_expression":
		return w.assign(n, st)
	case "update_expression":
		if !w.stepped(n.ChildByFieldName("argument"), updateDelta(n), st) {
			w.modified(n.ChildByFieldName("argument"), st)
		}
	case "binary_expression":
		return w.binary(n, st)
	case "conditional_expression":
		w.operand(n.ChildByFieldName("condition"), st)
		w.condDepth++
		defer func() { w.condDepth-- }()
		a := st.clone()
		w.expr(n.ChildByFieldName("consequence"), a)
		w.expr(n.ChildByFieldName("alternative"), st)
		*st = *join(st, a)
	case "comma_expression":
		w.expr(n.ChildByFieldName("left"), st)
		return w.expr(n.ChildByFieldName("right"), st)
	case "parenthesized_expression", "cast_expression":
		if n.Type() == "cast_expression" {
			return w.expr(n.ChildByFieldName("value"), st)
		}
		var v exprVal
		for _, c := range namedChildren(n) {
			v = w.expr(c, st)
		}
		return v
	case "unary_expression":
		w.operand(n.ChildByFieldName("argument"), st)
	case "pointer_expression":
		arg := n.ChildByFieldName("argument")
		if n.ChildByFieldName("operator").Text() == "*" {
			w.operand(arg, st)
			return exprVal{}
		}
		if r, _, ok := w.place(arg, st); ok {
			w.escape(r, st) // &x stored or computed with: cannot follow
			return exprVal{}
		}
		w.expr(arg, st)
	case "subscript_expression":
		w.operand(n.ChildByFieldName("argument"), st)
		w.expr(n.ChildByFieldName("index"), st)
	case "field_expression":
		w.operand(n.ChildByFieldName("argument"), st)
	case "identifier":
		if r, _, ok := w.value(n, st); ok {
			w.escape(r, st)
		}
	case "sizeof_expression", "alignof_expression", "offsetof_expression", "string_literal",
		"number_literal", "char_literal", "concatenated_string", "true", "false", "null", "comment":
	default:
		for _, c := range namedChildren(n) {
			w.expr(c, st)
		}
	}
	return exprVal{}
}

// operand analyzes an expression that is only read, compared or
// dereferenced: naming a buffer there is harmless.
func (w *walker) operand(n syntax.Node, st *state) exprVal {
	s := stripParens(n)
	if s.IsNull() {
		return exprVal{}
	}
	switch s.Type() {
	case "identifier":
		return exprVal{}
	case "field_expression", "subscript_expression", "pointer_expression":
		if _, _, ok := w.place(s, st); ok {
			if s.Type() == "subscript_expression" {
				w.expr(s.ChildByFieldName("index"), st)
			}
			return exprVal{}
		}
	}
	return w.expr(n, st)
}

// binary analyzes a binary expression. && and || evaluate their right
// side conditionally. A comparison of a reader's count with anything but
// zero or a negative number checks it (`if (n != sizeof buf) return`): the
// buffer then counts as written.
func (w *walker) binary(n syntax.Node, st *state) exprVal {
	op := n.ChildByFieldName("operator").Text()
	l, r := n.ChildByFieldName("left"), n.ChildByFieldName("right")
	switch op {
	case "&&", "||":
		w.expr(l, st)
		w.condDepth++
		defer func() { w.condDepth-- }()
		a := st.clone()
		w.expr(r, a)
		*st = *join(st, a)
		return exprVal{}
	case "==", "!=", "<", "<=", ">", ">=":
		lv, rv := w.operand(l, st), w.operand(r, st)
		w.checkCount(l, lv, r, st)
		w.checkCount(r, rv, l, st)
		return exprVal{}
	case "+", "-":
		if rf, _, ok := w.value(n, st); ok { // buf + 4 outside a call
			w.escape(rf, st)
			return exprVal{}
		}
	}
	w.expr(l, st)
	w.expr(r, st)
	return exprVal{}
}

// checkCount marks as written the buffers whose count side is compared
// with other, unless other is a constant at most zero (an error check).
func (w *walker) checkCount(side syntax.Node, v exprVal, other syntax.Node, st *state) {
	ids := v.counts
	if s := stripParens(side); !s.IsNull() && s.Type() == "identifier" {
		if l := w.lookup(s.Text()); l != nil {
			for id := range st.ext {
				if d := st.ext[id].dep; d != nil && d.count == l.id {
					ids = append(ids, id)
				}
			}
		}
	}
	if len(ids) == 0 {
		return
	}
	if v, ok := w.constOf(other, st); ok && v <= 0 {
		return
	}
	for _, id := range ids {
		e := w.touch(st, id)
		e.setFull()
	}
}

// escape stops tracking the buffer r points into.
func (w *walker) escape(r ref, st *state) {
	w.touch(st, r.buf).escaped = true
}

// modified handles x++, x--: x's value is no longer known, and a pointer
// moved by it no longer has a known offset.
func (w *walker) modified(target syntax.Node, st *state) {
	t := stripParens(target)
	if t.IsNull() {
		return
	}
	if t.Type() != "identifier" {
		w.operand(t, st)
		return
	}
	name := t.Text()
	w.renamed(name, st)
	l := w.lookup(name)
	if l == nil {
		return
	}
	delete(st.consts, l.id)
	delete(st.bounds, l.id)
	if r, ok := st.alias[l.id]; ok {
		st.setAlias(l.id, ref{buf: r.buf, obj: r.obj})
	}
	if l.buf >= 0 {
		w.touch(st, l.buf).setFull()
	}
}

// stepped adds delta to a local of known value (i++, i += 2), or moves a
// pointer into a buffer by delta elements (p++), keeping what is known;
// false when the local's value or the pointer's offset is not known.
func (w *walker) stepped(target syntax.Node, delta int64, st *state) bool {
	t := stripParens(target)
	if t.IsNull() || t.Type() != "identifier" || w.inLoop() {
		return false
	}
	l := w.lookup(t.Text())
	if l == nil {
		return false
	}
	if v, ok := st.consts[l.id]; ok {
		w.renamed(l.name, st)
		st.setConst(l.id, v+delta)
		delete(st.bounds, l.id)
		if l.buf >= 0 {
			w.touch(st, l.buf).setFull()
		}
		return true
	}
	r, ok := st.alias[l.id]
	if !ok || !r.off.known || l.typ == nil || l.typ.elem == nil || l.typ.elem.size <= 0 {
		return false
	}
	w.renamed(l.name, st)
	r.off = constant(r.off.val + delta*l.typ.elem.size)
	st.setAlias(l.id, r)
	if l.buf >= 0 {
		w.touch(st, l.buf).setFull()
	}
	return true
}

// inLoop reports whether the walk is in a loop's condition, update or
// body, which one walk stands for every iteration of: a local stepped
// there has no one value.
func (w *walker) inLoop() bool { return w.heads > 0 || w.loopDepth > 0 }

// renamed records that a variable changed: sizes and counts named after it
// no longer describe their buffers.
func (w *walker) renamed(name string, st *state) {
	w.forget(st, name)
	l := w.lookup(name)
	for id := range st.ext {
		e := st.ext[id]
		if !e.live {
			continue
		}
		if w.bufs[id].size.mentions(name) && !e.sizeStale {
			w.touch(st, id).sizeStale = true
		}
		if l != nil && e.dep != nil && e.dep.count == l.id {
			d := *e.dep
			d.count = -1
			w.touch(st, id).dep = &d
		}
	}
}
