package csrc

import (
	"github.com/residue-sec/residue/analyzers/syntax"
)

// place resolves an lvalue to the tracked memory it designates: a tracked
// variable, a member, an element, or what a bound pointer points to. It
// returns the reference and the lvalue's type (nil when unknown).
func (w *walker) place(n syntax.Node, st *state) (ref, *ctype, bool) {
	n = stripParens(n)
	if n.IsNull() {
		return ref{}, nil, false
	}
	switch n.Type() {
	case "identifier":
		l := w.lookup(n.Text())
		switch {
		case l == nil:
		case l.buf >= 0:
			return ref{buf: l.buf, off: constant(0)}, l.typ, true
		case l.val >= 0:
			return ref{buf: l.val, off: constant(0)}, l.typ, true
		}
		return ref{}, nil, false
	case "pointer_expression":
		if n.ChildByFieldName("operator").Text() != "*" {
			return ref{}, nil, false
		}
		r, t, ok := w.value(n.ChildByFieldName("argument"), st)
		return r, elemOf(t), ok && !r.obj
	case "subscript_expression":
		r, t, ok := w.value(n.ChildByFieldName("argument"), st)
		if !ok || r.obj {
			return ref{}, nil, false
		}
		return w.offset(r, w.constAmount(n.ChildByFieldName("index"), st), t), elemOf(t), true
	case "field_expression":
		var r ref
		var t *ctype
		ok := false
		if n.ChildByFieldName("operator").Text() == "->" {
			r, t, ok = w.value(n.ChildByFieldName("argument"), st)
			t = elemOf(t)
		} else {
			r, t, ok = w.place(n.ChildByFieldName("argument"), st)
		}
		if !ok || r.obj {
			return ref{}, nil, false
		}
		if t == nil || t.rec == nil {
			return ref{buf: r.buf, obj: false}, nil, true // a member at an unknown offset
		}
		fl, found := t.rec.member(n.ChildByFieldName("field").Text())
		if !found {
			return ref{buf: r.buf}, nil, true
		}
		return w.offset(r, constant(fl.off), nil), fl.typ, true
	}
	return ref{}, nil, false
}

// value resolves a pointer-valued expression to the tracked memory it
// points into: an array (which decays), a bound pointer, &lvalue, pointer
// arithmetic, casts, and PyBytes_AS_STRING(obj). The type returned is the
// pointer's (or array's) type, for the unit of arithmetic.
func (w *walker) value(n syntax.Node, st *state) (ref, *ctype, bool) {
	if n.IsNull() {
		return ref{}, nil, false
	}
	switch n.Type() {
	case "parenthesized_expression":
		if n.NamedChildCount() != 1 {
			return ref{}, nil, false
		}
		return w.value(n.NamedChild(0), st)
	case "cast_expression":
		r, t, ok := w.value(n.ChildByFieldName("value"), st)
		if ct := w.f.typeDescriptor(n.ChildByFieldName("type")); ct != nil && ct.kind == pointerT {
			t = ct
		}
		return r, t, ok
	case "identifier":
		l := w.lookup(n.Text())
		if l == nil {
			return ref{}, nil, false
		}
		if r, ok := st.alias[l.id]; ok {
			return r, l.typ, true
		}
		if l.buf >= 0 && l.typ != nil && l.typ.kind == arrayT {
			return ref{buf: l.buf, off: constant(0)}, l.typ, true
		}
	case "pointer_expression":
		if n.ChildByFieldName("operator").Text() == "&" {
			r, t, ok := w.place(n.ChildByFieldName("argument"), st)
			return r, pointerTo(t), ok
		}
		// *pp: the pointer stored at the start of a parameter's memory
		r, t, ok := w.place(n, st)
		if ok && !r.obj && r.off.known && r.off.val == 0 && t != nil && t.kind == pointerT {
			if id := w.innerOf(n, r.buf, t, st); id >= 0 {
				return ref{buf: id, off: constant(0)}, t, true
			}
		}
	case "field_expression", "subscript_expression":
		if r, t, ok := w.place(n, st); ok && t != nil && t.kind == arrayT {
			return r, t, true // an array member decays to a pointer
		}
	case "binary_expression":
		op := n.ChildByFieldName("operator").Text()
		if op != "+" && op != "-" {
			return ref{}, nil, false
		}
		l, r := n.ChildByFieldName("left"), n.ChildByFieldName("right")
		if p, t, ok := w.value(l, st); ok {
			k := w.constAmount(r, st)
			if op == "-" {
				k = negate(k)
			}
			return w.offset(p, k, t), t, true
		}
		if op == "+" {
			if p, t, ok := w.value(r, st); ok {
				return w.offset(p, w.constAmount(l, st), t), t, true
			}
		}
	case "call_expression":
		fn := n.ChildByFieldName("function")
		args := namedChildren(n.ChildByFieldName("arguments"))
		if !fn.IsNull() && dataAccessors[fn.Text()] && len(args) == 1 {
			if r, _, ok := w.value(args[0], st); ok && r.obj {
				return ref{buf: r.buf, off: constant(0)}, pointerTo(scalar("char", 1)), true
			}
		}
	}
	return ref{}, nil, false
}

// offset moves r by k elements of the pointer or array type t (bytes for
// a nil t).
func (w *walker) offset(r ref, k amount, t *ctype) ref {
	if r.off.known && k.known {
		return ref{buf: r.buf, off: constant(r.off.val + k.val*t.elemSize()), obj: r.obj}
	}
	return ref{buf: r.buf, obj: r.obj}
}

func negate(a amount) amount {
	if a.known {
		return constant(-a.val)
	}
	return amount{}
}

// elemOf returns the element or pointee type of an array or pointer.
func elemOf(t *ctype) *ctype {
	if t != nil && (t.kind == pointerT || t.kind == arrayT) {
		return t.elem
	}
	return nil
}

// baseName returns the variable a destination expression is rooted in:
// out for out, out + n, &out[2], out->field, *out.
func (w *walker) baseName(n syntax.Node) string {
	for i := 0; !n.IsNull() && i < maxDepth*4; i++ {
		switch n.Type() {
		case "identifier":
			return n.Text()
		case "parenthesized_expression":
			n = n.NamedChild(0)
		case "cast_expression":
			n = n.ChildByFieldName("value")
		case "pointer_expression", "field_expression", "subscript_expression":
			n = n.ChildByFieldName("argument")
		case "binary_expression":
			n = n.ChildByFieldName("left")
		default:
			return ""
		}
	}
	return ""
}

// innerOf returns the buffer the pointer stored at the start of buffer
// id points to: in summary mode, what a pointer parameter's pointee
// points to (the caller's `&data` with data a pointer); -1 otherwise.
func (w *walker) innerOf(at syntax.Node, id int, t *ctype, st *state) int {
	b := w.bufs[id]
	if b.inner >= 0 {
		return b.inner
	}
	if w.report != nil || b.param < 0 || b.depth != 1 {
		return -1
	}
	in := w.newBuffer(at, b.name, paramBuf, t.elem, amount{})
	in.param, in.depth = b.param, 2
	b.inner = in.id
	*st.extentOf(in.id) = extent{live: true}
	return in.id
}
