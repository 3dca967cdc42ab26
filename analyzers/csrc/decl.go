package csrc

import (
	"github.com/residue-sec/residue/analyzers/syntax"
)

// declaration declares the variables of a local declaration: arrays,
// records and scalars without initializer become tracked buffers, pointers
// may be bound to a heap block or another buffer.
func (w *walker) declaration(n syntax.Node, st *state) {
	static := false
	for _, c := range namedChildren(n) {
		if c.Type() == "storage_class_specifier" {
			static = static || c.Text() != "register" && c.Text() != "auto"
		}
	}
	base := w.f.baseType(n.ChildByFieldName("type"))
	for _, d := range n.ChildrenByFieldName("declarator") {
		var init syntax.Node
		target := d
		if d.Type() == "init_declarator" {
			init, target = d.ChildByFieldName("value"), d.ChildByFieldName("declarator")
		}
		name, typ, isFunc := w.f.declType(base, target, env{w, st})
		if name == "" || isFunc {
			continue
		}
		if static { // zero-initialized storage
			if !init.IsNull() {
				w.expr(init, st)
			}
			l := w.declareLocal(name, typ)
			if v, ok := w.constOf(init, st); !init.IsNull() && ok && hasQualifier(n, "const") {
				st.setConst(l.id, v)
			}
			continue
		}
		w.declare(d, name, typ, init, st)
		if l := w.lookup(name); l != nil && hasQualifier(n, "const") && target.Type() == "pointer_declarator" {
			l.readOnly = true
		}
	}
}

// hasQualifier reports whether declaration n has type qualifier q (const).
func hasQualifier(n syntax.Node, q string) bool {
	for _, c := range namedChildren(n) {
		if c.Type() == "type_qualifier" && c.Text() == q {
			return true
		}
	}
	return false
}

// declare declares one automatic variable.
func (w *walker) declare(d syntax.Node, name string, typ *ctype, init syntax.Node, st *state) {
	if typ == nil && !init.IsNull() && w.pointsIntoBuffer(init, st) {
		// A type the model does not know, given a pointer into a tracked
		// buffer: a pointer, of elements it does not know.
		typ = pointerTo(nil)
	}
	kind := typeKind(255)
	if typ != nil {
		kind = typ.kind
	}
	switch kind {
	case pointerT:
		l := w.declareLocal(name, typ) // in scope in its initializer: malloc(sizeof *p)
		if init.IsNull() {
			v := w.newBuffer(d, name, ptrBuf, typ, constant(8))
			l.val = v.id
			*st.extentOf(v.id) = extent{live: true}
			return
		}
		if r, bound := w.pointerValue(init, name, typ, st); bound {
			st.setAlias(l.id, r)
		}
		w.pointerCopy(l, d, init, st)
	case arrayT:
		if !init.IsNull() {
			w.expr(init, st)
		}
		l := w.declareLocal(name, typ)
		size := typ.sizeAmount()
		if size.isUnknown() {
			return
		}
		b := w.newBuffer(d, name, arrayBuf, typ, size)
		l.buf = b.id
		*st.extentOf(b.id) = extent{live: true, full: !init.IsNull()}
	case recordT:
		var src *local
		if !init.IsNull() && init.Type() != "initializer_list" {
			src = w.recordLocal(init)
			if src == nil {
				w.expr(init, st)
			}
		}
		l := w.declareLocal(name, typ)
		b := w.newBuffer(d, name, recordBuf, typ, constant(typ.size))
		l.buf = b.id
		e := st.extentOf(b.id)
		*e = extent{live: true}
		switch {
		case init.IsNull():
		case src != nil:
			w.copyRecord(b.id, src.buf, init, st)
		case init.Type() == "initializer_list":
			w.expr(init, st)
			w.initRecord(b, init, st)
		case w.copyValue(b.id, typ.size, init, init, st):
		default:
			e.setFull()
		}
	case scalarT:
		if init.IsNull() {
			l := w.declareLocal(name, typ)
			b := w.newBuffer(d, name, scalarBuf, typ, constant(typ.size))
			l.buf = b.id
			*st.extentOf(b.id) = extent{live: true}
			return
		}
		if _, _, read := w.place(stripParens(init), st); read && typ.size > 0 {
			l := w.declareLocal(name, typ)
			b := w.newBuffer(d, name, scalarBuf, typ, constant(typ.size))
			l.buf = b.id
			*st.extentOf(b.id) = extent{live: true}
			if w.copyValue(b.id, typ.size, init, init, st) {
				w.setValue(l, init, exprVal{}, st)
				return
			}
		}
		v := w.expr(init, st)
		l := w.lookup(name)
		if l == nil || l.buf < 0 {
			l = w.declareLocal(name, typ)
		} else {
			w.touch(st, l.buf).setFull()
		}
		w.setValue(l, init, v, st)
	default:
		if !init.IsNull() {
			w.expr(init, st)
		}
		w.declareLocal(name, typ)
	}
}

// setValue records what an integer local holds after it is assigned the
// expression init: its constant value, or the count some reader returned.
func (w *walker) setValue(l *local, init syntax.Node, v exprVal, st *state) {
	delete(st.consts, l.id)
	delete(st.bounds, l.id)
	if v, ok := w.constOf(init, st); ok {
		st.setConst(l.id, v)
	}
	for _, id := range v.counts {
		e := w.touch(st, id)
		if e.dep != nil {
			d := *e.dep
			d.count = l.id
			e.dep = &d
		}
	}
}

// recordLocal returns the tracked record local an initializer or
// right-hand side names, nil otherwise.
func (w *walker) recordLocal(n syntax.Node) *local {
	n = stripParens(n)
	if n.IsNull() || n.Type() != "identifier" {
		return nil
	}
	if l := w.lookup(n.Text()); l != nil && l.buf >= 0 && w.bufs[l.buf].kind == recordBuf {
		return l
	}
	return nil
}

// copyRecord gives record dst the written bytes of record src.
func (w *walker) copyRecord(dst, src int, at syntax.Node, st *state) {
	from := st.peek(src)
	e := w.touch(st, dst)
	if !from.live {
		e.setFull()
		return
	}
	e.full, e.cover, e.dep, e.may, e.mayAll = from.full, from.cover, from.dep, from.may, from.mayAll
	e.steps = withStep(from.steps, step{node: at, msg: "copied from " + w.bufs[src].name})
}

// initRecord applies a brace initializer to a struct or union. Members
// without an initializer are zeroed, but padding is not, except that GCC
// and Clang zero the whole object for `= {0}`; `= {}` (C23) zeroes it by
// definition. For a union, `= {0}` initializes only the first member.
func (w *walker) initRecord(b *buffer, init syntax.Node, st *state) {
	items := namedChildren(init)
	rec := b.typ.rec
	var cover spans
	switch {
	case len(items) == 0:
		w.touch(st, b.id).setFull()
		return
	case rec.union:
		for _, it := range items {
			fl := rec.fields[0]
			if it.Type() == "initializer_pair" {
				if m, ok := rec.member(designatorField(it).Text()); ok {
					fl = m
				}
			}
			cover = cover.add(span{fl.off, fl.off + fl.typ.size})
		}
	case isZeroInit(init):
		w.touch(st, b.id).setFull()
		return
	default:
		cover = b.typ.dataSpans(0, nil)
	}
	w.writeSpans(st, b.id, cover, init, "the initializer")
}

// isZeroInit reports whether an initializer list is {0} (possibly nested).
func isZeroInit(n syntax.Node) bool {
	items := namedChildren(n)
	if len(items) != 1 {
		return false
	}
	switch it := items[0]; it.Type() {
	case "number_literal":
		return it.Text() == "0"
	case "initializer_list":
		return isZeroInit(it)
	}
	return false
}

// designatorField returns the field name of `.name = value`.
func designatorField(pair syntax.Node) syntax.Node {
	d := pair.ChildByFieldName("designator")
	if d.IsNull() || d.Type() != "field_designator" || d.NamedChildCount() == 0 {
		return syntax.Node{}
	}
	return d.NamedChild(0)
}

// copyValue gives buffer dst (size bytes) the bytes an rvalue reads from
// tracked memory (the value of x = y, x = *p, x = s.f): written where
// they were, and remembering where they came from. It reports false when
// rhs reads no tracked memory of that size.
func (w *walker) copyValue(dst int, size int64, rhs, at syntax.Node, st *state) bool {
	src, t, ok := w.place(stripParens(rhs), st)
	if !ok || src.obj || !src.off.known || t == nil || t.size != size || src.buf == dst {
		return false
	}
	w.touch(st, dst)
	*st.extentOf(dst) = extent{live: true}
	w.copyBytes(st, ref{buf: dst, off: constant(0)}, src, size, at, "the assignment")
	e := st.extentOf(dst)
	e.origin = &origin{buf: src.buf, off: src.off.val}
	return true
}

// pointerCopy handles a pointer variable given a value read from tracked
// memory (p = *pp): its own bytes become a copy of those, so that reading
// through it is reading them. Another value writes them.
func (w *walker) pointerCopy(l *local, d, rhs syntax.Node, st *state) {
	if _, _, read := w.place(stripParens(rhs), st); read && l.val < 0 {
		v := w.newBuffer(d, l.name, ptrBuf, l.typ, constant(8))
		l.val = v.id
		*st.extentOf(v.id) = extent{live: true}
	}
	if l.val < 0 {
		return
	}
	if !w.copyValue(l.val, 8, rhs, rhs, st) {
		w.touch(st, l.val)
		*st.extentOf(l.val) = extent{live: true}
		w.touch(st, l.val).setFull()
	}
}
