package csrc

import (
	"strings"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// call analyzes a function call: its arguments first, then what the
// callee does with the buffers it receives. discarded is set when the
// call's result is ignored.
func (w *walker) call(n syntax.Node, st *state, discarded bool) exprVal {
	fn := n.ChildByFieldName("function")
	args := namedChildren(n.ChildByFieldName("arguments"))
	name := ""
	if !fn.IsNull() && fn.Type() == "identifier" {
		name = resolveAlias(w.f.u, fn.Text())
	} else {
		w.expr(fn, st)
	}
	if name == "sizeof" || name == "offsetof" {
		return exprVal{}
	}
	refs := make([]*ref, len(args))
	var counts []int
	for i, a := range args {
		if i == 0 && resizers[name] {
			continue // &obj: resized below
		}
		if r, _, ok := w.value(a, st); ok {
			refs[i] = &r
			continue
		}
		counts = append(counts, w.expr(a, st).counts...)
	}
	w.sinkCall(n, name, args, refs, st)
	w.printCall(n, name, args, refs, st)
	spec, isWriter := writers[name]
	if _, ok := countOuts[name]; ok {
		if _, l := w.countOut(name, args); l == nil {
			// The count goes where a pointer points: what it was may
			// stay on a local, so the call is an unknown callee's.
			isWriter = false
		}
	}
	id, hasCallee := w.callee(name)
	// A callee that may write through a pointer it gets forgets the
	// value of the local it points to (clobbered), before its effect.
	unknownWrites := func(i int) bool { return name == "" || !w.an.repo.readsOnly(name, i) }
	switch {
	case name == "":
		w.clobbered(args, refs, st, unknownWrites)
		w.unknownCall(n, "the call", append(refs, w.throughAddress(args, st)...), st)
		w.addressed(args, st)
	case resizers[name]:
		w.clobbered(args, refs, st, unknownWrites)
		if len(args) > 0 {
			w.resized(n, name, args[0], st)
		}
	case isWriter:
		out, hasOut := countOuts[name]
		w.clobbered(args, refs, st, func(i int) bool { return i == spec.dst || hasOut && i == out })
		return exprVal{counts: w.applyWriter(n, name, spec, args, refs, st)}
	case readers[name] || dataAccessors[name] || allocators[name] || zeroAllocators[name] ||
		bytesFactories[name] != "" || name == buildValue || w.an.sinks[name].verb != "":
	case hasCallee:
		s := w.summaryOf(id)
		w.clobbered(args, refs, st, func(i int) bool {
			return s == nil || i >= len(s.ok) || s.ok[i].kind != effNone || s.any[i].kind != effNone
		})
		return exprVal{counts: w.applySummary(n, name, id, args, refs, st, discarded)}
	default:
		w.clobbered(args, refs, st, unknownWrites)
		w.unknownCall(n, name+"()", append(refs, w.throughAddress(args, st)...), st)
		w.addressed(args, st)
		if m := w.f.u.macro(name); m != nil && m.fn || m == nil && (loopName(name) || upperName(name) && !w.an.repo.declares(name)) {
			w.macroArgs(n, name, args, refs, st)
		}
	}
	return exprVal{counts: counts}
}

// unknownCall handles a callee whose effect is unknown: it is assumed to
// fill every buffer it receives, from the pointer it gets to the end. A
// Python object handed to it escapes.
func (w *walker) unknownCall(n syntax.Node, callee string, refs []*ref, st *state) {
	for _, r := range refs {
		switch {
		case r == nil:
		case r.obj:
			w.escape(*r, st)
		default:
			w.writeRest(st, *r, n, callee)
		}
	}
}

// throughAddress returns where the pointer locals whose address an
// unknown callee gets point: it may write through them (OpenSSL's
// i2d_SSL_SESSION(sess, &p) stores the encoding where p points, and
// moves p past it).
func (w *walker) throughAddress(args []syntax.Node, st *state) []*ref {
	var out []*ref
	for _, a := range args {
		l := w.lookupIdent(addressOf(a))
		if l == nil || l.readOnly {
			continue // (d2i_X509(NULL, &p, n) reads where a const p points)
		}
		if r, ok := st.alias[l.id]; ok && !r.obj {
			out = append(out, &r)
		}
	}
	return out
}

// clobbered forgets the values of the locals a callee may write through
// the pointers it gets at the arguments writes says it may write
// (get_int(&flag), PyArg_ParseTuple(args, "i", &n), or p after p =
// &flag; a copy's destination, not its source; a parameter a repository
// function's summary writes): after the call, a test of one may go either
// way.
func (w *walker) clobbered(args []syntax.Node, refs []*ref, st *state, writes func(int) bool) {
	var ls []*local
	for i, a := range args {
		if !writes(i) {
			continue
		}
		if l := w.lookupIdent(addressOf(a)); l != nil {
			ls = append(ls, l)
		}
		if r := refs[i]; r != nil && !r.obj && r.buf >= 0 && r.buf < len(w.bufs) {
			if l := w.lookup(w.bufs[r.buf].name); l != nil && l.buf == r.buf {
				ls = append(ls, l)
			}
		}
	}
	for _, l := range ls {
		delete(st.consts, l.id)
		delete(st.bounds, l.id)
	}
}

// countOut returns the local a counted writer that stores its count
// through a pointer (countOuts) is given the address of, and that
// argument's operand; nil when it is given none.
func (w *walker) countOut(name string, args []syntax.Node) (syntax.Node, *local) {
	out := countOuts[name]
	if out >= len(args) {
		return syntax.Node{}, nil
	}
	x := addressOf(args[out])
	return x, w.lookupIdent(x)
}

// addressed records that an unknown callee given &x may have changed x:
// a size or a count named after it no longer describes its buffer
// (refill(fd, &n) before if (n > 0) memcpy(buf, src, n)).
func (w *walker) addressed(args []syntax.Node, st *state) {
	for _, a := range args {
		if x := addressOf(a); w.lookupIdent(x) != nil {
			w.renamed(x.Text(), st)
		}
	}
}

// addressOf returns x of an argument &x, no node for any other.
func addressOf(a syntax.Node) syntax.Node {
	a = stripParens(a)
	if a.IsNull() || a.Type() != "pointer_expression" || a.ChildByFieldName("operator").Text() != "&" {
		return syntax.Node{}
	}
	return stripParens(a.ChildByFieldName("argument"))
}

// resized handles _PyBytes_Resize(&obj, n): the object now holds only
// what was written.
func (w *walker) resized(n syntax.Node, name string, arg syntax.Node, st *state) {
	a := stripParens(arg)
	if !a.IsNull() && a.Type() == "pointer_expression" {
		a = a.ChildByFieldName("argument")
	}
	r, _, ok := w.value(a, st)
	if !ok {
		return
	}
	if e := w.writable(st, r); e != nil {
		e.steps = withStep(e.steps, step{node: n, msg: name + " shrinks it to the bytes written"})
		e.setFull()
	}
}

// loopName reports whether a callee's name is a loop macro's
// (LIST_FOREACH, TAILQ_FOREACH_SAFE, list_for_each): one neither defined
// nor declared is a macro of a header not read, whose cursor it assigns.
// So is one named in upper case (upperName) that no file declares;
// another unknown callee is taken as a function.
func loopName(name string) bool {
	lower := strings.ToLower(name)
	return strings.Contains(lower, "foreach") || strings.Contains(lower, "for_each")
}

// upperName reports whether a callee is named as macros are (NS_GET16, GETSHORT): upper case, with a digit or
// an underscore; a macro of a header not read may assign its arguments.
func upperName(name string) bool {
	return strings.ToUpper(name) == name && strings.ContainsAny(name, "_0123456789") && strings.ContainsAny(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
}

// macroArgs handles a call of a function-like macro: unlike a function,
// it may assign the variables, members and elements it is given.
func (w *walker) macroArgs(n syntax.Node, name string, args []syntax.Node, refs []*ref, st *state) {
	for i, a := range args {
		if refs[i] != nil {
			continue
		}
		if r, _, ok := w.place(stripParens(a), st); ok && !r.obj {
			w.write(st, ref{buf: r.buf}, amount{}, n, "the macro "+name)
		}
	}
}
