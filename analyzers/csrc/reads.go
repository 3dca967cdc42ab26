package csrc

import (
	"github.com/residue-sec/residue/analyzers/syntax"
	"strings"
)

// A read is bytes of a tracked buffer that an expression reads by value
// when it is evaluated: a variable, a member, an element, *p.
type read struct {
	buf int
	s   spans
	// n is, when s is nil, the count of bytes read from off: a loop to a
	// bound known only at run time.
	off int64
	n   amount
	// what is the expression read.
	what syntax.Node
}

// valueReads returns the tracked bytes an expression reads: the lvalues
// it converts to values, through casts and arithmetic, and the pointers
// it reads through.
func (w *walker) valueReads(n syntax.Node, st *state) []read {
	n = stripParens(n)
	if n.IsNull() {
		return nil
	}
	switch n.Type() {
	case "identifier":
		l := w.lookup(n.Text())
		switch {
		case l == nil:
		case l.buf >= 0 && (w.bufs[l.buf].kind == scalarBuf || w.bufs[l.buf].kind == recordBuf):
			if b := w.bufs[l.buf]; b.size.known {
				return []read{{buf: l.buf, s: spans{{0, b.size.val}}, what: n}}
			}
		case l.val >= 0:
			return []read{{buf: l.val, s: spans{{0, 8}}, what: n}}
		}
	case "field_expression", "subscript_expression", "pointer_expression":
		if n.Type() == "pointer_expression" && n.ChildByFieldName("operator").Text() != "*" {
			return nil
		}
		out := w.throughReads(n, st)
		if rd, ok := w.rangedRead(n, st); ok {
			return append(out, rd)
		}
		if r, t, ok := w.place(n, st); ok && !r.obj && !r.some && r.off.known && t != nil && t.size > 0 && t.kind != arrayT {
			out = append(out, read{buf: r.buf, s: spans{{r.off.val, r.off.val + t.size}}, what: n})
		}
		return out
	case "binary_expression":
		switch n.ChildByFieldName("operator").Text() {
		case "&&", "||":
			return nil
		}
		return append(w.valueReads(n.ChildByFieldName("left"), st), w.valueReads(n.ChildByFieldName("right"), st)...)
	case "unary_expression":
		return w.valueReads(n.ChildByFieldName("argument"), st)
	}
	return nil
}

// rangedRead reads `buf[i]` (or a member of it) for every i of the
// innermost counted loop, when the access is not under a condition of its
// body.
func (w *walker) rangedRead(n syntax.Node, st *state) (read, bool) {
	if len(w.counted) == 0 {
		return read{}, false
	}
	cl := w.counted[len(w.counted)-1]
	if cl.depth != w.condDepth || cl.exits {
		return read{}, false
	}
	if !cl.hi.known && cl.lo == 0 && n.Type() == "subscript_expression" {
		if l := w.lookupIdent(stripParens(n.ChildByFieldName("index"))); l != nil && l.id == cl.ivar {
			if r, pt, ok := w.value(n.ChildByFieldName("argument"), st); ok && !r.obj && r.off.known {
				return read{buf: r.buf, off: r.off.val, n: w.product(constant(pt.elemSize()), cl.hi), what: n}, true
			}
		}
	}
	if !cl.hi.known || cl.hi.val <= cl.lo {
		return read{}, false
	}
	buf, s, ok := w.rangedPlace(n, cl.ivar, cl.lo, cl.hi.val-cl.lo, st)
	return read{buf: buf, s: s, what: n}, ok
}

// throughReads returns the pointer variables an lvalue reads through
// (*p, p->f, p[i], and a string argument p): their own bytes.
func (w *walker) throughReads(n syntax.Node, st *state) []read {
	n = stripParens(n)
	var base syntax.Node
	switch n.Type() {
	case "identifier":
		base = n
	case "pointer_expression":
		base = n.ChildByFieldName("argument")
	case "field_expression":
		if n.ChildByFieldName("operator").Text() == "->" {
			base = n.ChildByFieldName("argument")
		} else {
			return w.throughReads(n.ChildByFieldName("argument"), st)
		}
	case "subscript_expression":
		base = n.ChildByFieldName("argument")
	}
	base = stripParens(base)
	if base.IsNull() || base.Type() != "identifier" {
		return nil
	}
	if l := w.lookup(base.Text()); l != nil && l.val >= 0 {
		return []read{{buf: l.val, s: spans{{0, 8}}, what: base}}
	}
	return nil
}

// checkRead judges bytes an output reads by value: those that were not
// written leave (in summary mode, those of the caller's memory are
// recorded).
func (w *walker) checkRead(at syntax.Node, rd read, verb string, st *state) {
	b := w.bufs[rd.buf]
	e := st.peek(rd.buf)
	if rd.s == nil && !rd.n.isUnknown() {
		w.checkSink(sink{at: at, r: ref{buf: rd.buf, off: constant(rd.off)}, leaving: rd.n, verb: verb}, st)
		return
	}
	if !e.live || e.escaped || e.full || e.dep != nil {
		return
	}
	var gaps spans
	for _, s := range rd.s {
		gaps = gaps.union(e.cover.gaps(s))
	}
	if len(gaps) == 0 {
		return
	}
	// A value CPython turns into an object is reported where no path
	// writes it: values some paths leave unwritten are read on paths the
	// code keeps apart (a port set with the address the code tests).
	pyValue := strings.HasPrefix(verb, pythonObject)
	if w.report == nil {
		if !pyValue {
			w.recordOut(b, e, gaps, amount{}, false, verb, false)
		}
		return
	}
	kind := ValueOut
	if b.kind == ptrBuf {
		kind = PointerOut
	}
	v := verdict{gaps: gaps, definite: e.definite(gaps), whole: b.size.known && gaps.covers(span{0, b.size.val})}
	if rt := b.recordType(); rt != nil {
		if data := gaps.intersect(rt.dataSpans(0, nil)); len(data) > 0 {
			v.definite = e.definite(data) // padding is never written
		}
	}
	if pyValue && !v.definite {
		return
	}
	s := sink{at: at, r: ref{buf: b.id, off: constant(gaps[0].lo)}, leaving: constant(gaps.total()), verb: verb}
	w.emitRead(kind, s, b, e, v, rd.what)
}

// checkString judges the string an output reads from r (reader reads it:
// the output itself, or strlen for its count): the bytes up to
// the first NUL written, or, when none is and nothing is written, the
// bytes past the start it reads without end.
func (w *walker) checkString(at syntax.Node, r ref, verb, reader string, st *state) {
	if r.obj || r.some || !r.off.known {
		return
	}
	b := w.bufs[r.buf]
	e := st.peek(r.buf)
	if !e.live || e.escaped || e.full || e.dep != nil {
		return
	}
	if w.report == nil {
		if len(e.cover.intersect(spans{{r.off.val, r.off.val + 1}})) == 0 {
			w.recordOut(b, e, nil, amount{}, true, verb, false)
		}
		return
	}
	end := int64(1 << 62)
	if b.size.known {
		end = b.size.val
	}
	if end <= r.off.val {
		return
	}
	stop, nul := end, false
	for _, z := range e.zeros.intersect(e.cover) {
		if z.hi > r.off.val {
			stop, nul = max(z.lo, r.off.val)+1, true
			break
		}
	}
	gaps := e.cover.gaps(span{r.off.val, stop})
	switch {
	case len(gaps) == 0:
		return
	case !nul && (e.mayAll || len(e.may.intersect(spans{{r.off.val, end}})) > 0):
		return // a byte written on some path may end the string
	}
	v := verdict{gaps: gaps, definite: e.definite(gaps), whole: !nul && r.off.val == 0}
	s := sink{at: at, r: r, leaving: constant(gaps.total()), verb: verb}
	n := len(w.outputs)
	w.emitRead(StringOut, s, b, e, v, syntax.Node{})
	if len(w.outputs) > n {
		w.outputs[n].Reader = reader
	}
}
