package csrc

import (
	"fmt"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// assign analyzes an assignment: the right side first, then the store.
func (w *walker) assign(n syntax.Node, st *state) exprVal {
	op := n.ChildByFieldName("operator").Text()
	left, right := stripParens(n.ChildByFieldName("left")), n.ChildByFieldName("right")
	if left.IsNull() {
		return w.expr(right, st)
	}
	if l := w.lookupIdent(left); l != nil && op == "=" {
		switch {
		case l.typ != nil && l.typ.kind == pointerT && l.buf < 0, l.typ == nil && l.buf < 0 && w.pointsIntoBuffer(right, st):
			// A variable of a type the model does not know (a macro of a
			// header it did not find) holds a pointer when one is
			// assigned to it.
			typ := l.typ
			if typ == nil {
				typ = pointerTo(nil) // of elements the model does not know
			}
			r, bound := w.pointerValue(right, l.name, typ, st)
			w.renamed(l.name, st)
			delete(st.alias, l.id)
			if bound {
				st.setAlias(l.id, r)
			}
			w.pointerCopy(l, left, right, st)
			return exprVal{}
		case l.buf >= 0 && w.bufs[l.buf].kind == scalarBuf && w.copyValue(l.buf, w.bufs[l.buf].size.val, right, n, st):
			w.renamed(l.name, st)
			delete(st.consts, l.id)
			delete(st.bounds, l.id)
			return exprVal{}
		case l.buf >= 0 && w.bufs[l.buf].kind == recordBuf:
			if src := w.recordLocal(right); src != nil {
				w.copyRecord(l.buf, src.buf, n, st)
				return exprVal{}
			}
		}
	}
	v := w.expr(right, st)
	w.store(left, right, op, v, n, st)
	return v
}

func (w *walker) lookupIdent(n syntax.Node) *local {
	if n.IsNull() || n.Type() != "identifier" {
		return nil
	}
	return w.lookup(n.Text())
}

// store records the write of an assignment to left.
func (w *walker) store(left, right syntax.Node, op string, v exprVal, at syntax.Node, st *state) {
	if left.Type() == "identifier" {
		name := left.Text()
		w.renamed(name, st)
		l := w.lookup(name)
		if l == nil {
			return
		}
		if l.buf >= 0 {
			w.write(st, ref{buf: l.buf, off: constant(0)}, amount{}, at, "the assignment to "+name)
		}
		if op == "=" {
			w.setValue(l, right, v, st)
			return
		}
		if k, ok := w.constOf(right, st); ok && (op == "+=" || op == "-=") {
			if op == "-=" {
				k = -k
			}
			if w.stepped(left, k, st) {
				return
			}
		}
		delete(st.consts, l.id)
		delete(st.bounds, l.id)
		if r, ok := st.alias[l.id]; ok { // p += n: the offset is no longer known
			st.setAlias(l.id, ref{buf: r.buf, obj: r.obj})
		}
		return
	}
	r, t, ok := w.steppedPlace(left, st)
	if !ok {
		r, t, ok = w.place(left, st)
	}
	if !ok {
		if src := w.recordLocal(right); src != nil && op == "=" {
			w.assignSink(at, left, src, st)
		}
		w.operand(left, st)
		return
	}
	if left.Type() == "subscript_expression" {
		w.expr(left.ChildByFieldName("index"), st)
	}
	if left.Type() == "pointer_expression" {
		if arg := stripParens(left.ChildByFieldName("argument")); !arg.IsNull() && arg.Type() == "update_expression" {
			w.expr(arg, st) // *p++ = v: p moves after the write's place
		}
	}
	if src := w.scalarLocal(right); src != nil && op == "=" {
		if se := st.extentOf(src.buf); se.live && !se.full && !se.escaped && !w.fromCaller(src.buf, st) && !settled(se, w.bufs[src.buf].size) {
			if e := w.writable(st, r); e != nil {
				e.steps = withStep(e.steps, step{node: at, msg: fmt.Sprintf("%s is assigned %s, which is not initialized", collapse(left.Text()), src.name), none: true})
			}
			return
		}
	}
	if src := w.recordLocal(right); src != nil && op == "=" && r.off.known && t != nil && t.kind == recordT {
		w.copyFields(st, r, src, at)
		return
	}
	w.writeElem(st, r, t, at, "the assignment to "+collapse(left.Text()))
	if v, ok := w.constOf(right, st); ok && v == 0 && op == "=" && r.off.known && !r.some && t != nil && t.size > 0 {
		w.markZero(st, r.buf, spans{{r.off.val, r.off.val + t.size}})
		if e := st.extentOf(r.buf); t.size == 1 && e.live && !e.full {
			e.terminated = true // s[k] = '\0': a string ends here
		}
	}
}

// steppedPlace resolves the place of an assignment whose index or
// pointer steps, b[n++] = v or *p++ = v (++n, --p: the value after), in
// straight-line code where n's value or p's offset is known: where it
// was when the step ran. The step itself is the walk's of the index or
// the argument, after. ok false for any other lvalue; in a loop, or as a
// call's argument, a step has no one value and the place is not known.
func (w *walker) steppedPlace(left syntax.Node, st *state) (ref, *ctype, bool) {
	left = stripParens(left)
	if left.IsNull() || w.inLoop() {
		return ref{}, nil, false
	}
	var upd syntax.Node
	switch left.Type() {
	case "subscript_expression":
		upd = stripParens(left.ChildByFieldName("index"))
	case "pointer_expression":
		if left.ChildByFieldName("operator").Text() == "*" {
			upd = stripParens(left.ChildByFieldName("argument"))
		}
	}
	if upd.IsNull() || upd.Type() != "update_expression" {
		return ref{}, nil, false
	}
	arg := stripParens(upd.ChildByFieldName("argument"))
	l := w.lookupIdent(arg)
	if l == nil {
		return ref{}, nil, false
	}
	delta := int64(0)
	if upd.StartByte() < arg.StartByte() {
		delta = updateDelta(upd) // ++n: the value after
	}
	if left.Type() == "subscript_expression" {
		v, ok := st.consts[l.id]
		if !ok {
			return ref{}, nil, false
		}
		base, t, ok := w.value(left.ChildByFieldName("argument"), st)
		if !ok || base.obj {
			return ref{}, nil, false
		}
		return w.offset(base, constant(v+delta), t), elemOf(t), true
	}
	r, ok := st.alias[l.id]
	if !ok || r.obj || !r.off.known {
		return ref{}, nil, false
	}
	return w.offset(r, constant(delta), l.typ), elemOf(l.typ), true
}

// settled reports whether every byte of a scalar of the given size is,
// on every path, written or copied from the caller's memory.
func settled(e *extent, size amount) bool {
	s, _ := e.settledOf()
	return size.known && len(spans{{0, size.val}}.without(s)) == 0
}

// copyFields handles dst.member = src for a tracked record src: the
// member's bytes are written where src's were.
func (w *walker) copyFields(st *state, dst ref, src *local, at syntax.Node) {
	w.copyBytes(st, dst, ref{buf: src.buf, off: constant(0)}, w.bufs[src.buf].typ.size, at, "the assignment")
}

// scalarLocal returns the tracked scalar local an expression names.
func (w *walker) scalarLocal(n syntax.Node) *local {
	l := w.lookupIdent(stripParens(n))
	if l != nil && l.buf >= 0 && w.bufs[l.buf].kind == scalarBuf {
		return l
	}
	return nil
}

// pointerValue analyzes the value a pointer variable is given: a new heap
// block, a new bytes object with an uninitialized buffer, or a pointer
// into a tracked buffer. It reports whether the variable is bound.
func (w *walker) pointerValue(rhs syntax.Node, name string, typ *ctype, st *state) (ref, bool) {
	if c := stripParens(rhs); !c.IsNull() && c.Type() == "call_expression" {
		fn := c.ChildByFieldName("function")
		fname := ""
		if !fn.IsNull() && fn.Type() == "identifier" {
			fname = resolveAlias(w.f.u, fn.Text())
		}
		args := namedChildren(c.ChildByFieldName("arguments"))
		switch {
		case allocators[fname] && len(args) == 1:
			w.expr(args[0], st)
			b := w.newBuffer(c, name, heapBuf, elemOf(typ), w.eval(args[0], st))
			b.origin = collapse(c.Text())
			*st.extentOf(b.id) = extent{live: true}
			return ref{buf: b.id, off: constant(0)}, true
		case bytesFactories[fname] != "" && len(args) == 2 && isNull(args[0]):
			w.expr(args[1], st)
			b := w.newBuffer(c, name, bytesBuf, scalar("char", 1), w.eval(args[1], st))
			b.origin, b.resizer = collapse(c.Text()), bytesFactories[fname]
			*st.extentOf(b.id) = extent{live: true}
			return ref{buf: b.id, off: constant(0), obj: true}, true
		}
	}
	if r, _, ok := w.value(rhs, st); ok {
		return r, true
	}
	w.expr(rhs, st)
	return ref{}, false
}

// pointsIntoBuffer reports whether rhs is a pointer into a buffer the
// function tracks (a cast of PyBytes_AsString's result, an alias).
func (w *walker) pointsIntoBuffer(rhs syntax.Node, st *state) bool {
	_, _, ok := w.value(rhs, st)
	return ok
}

// isNull reports whether n is NULL or 0.
func isNull(n syntax.Node) bool {
	n = stripParens(n)
	if n.IsNull() {
		return false
	}
	switch n.Type() {
	case "null":
		return true
	case "identifier", "number_literal":
		t := n.Text()
		return t == "NULL" || t == "0"
	}
	return false
}
