package csrc

import (
	"fmt"
	"slices"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// A sink is a place where bytes of a buffer leave the function.
type sink struct {
	at      syntax.Node
	r       ref
	leaving amount
	// lenArg is the argument holding the byte count, no node for returns.
	lenArg syntax.Node
	// verb says what happens to the bytes ("sent by send()").
	verb string
	// membersOnly is set where padding may or may not be copied (struct
	// assignment and return): only unwritten members are reported.
	membersOnly bool
	// python marks a sink that copies the bytes into a Python object.
	python bool
}

// A verdict says which bytes of a buffer leave uninitialized.
type verdict struct {
	// whole is set when every byte of the buffer leaves.
	whole bool
	// gaps are the unwritten bytes that leave, when the count is constant.
	gaps spans
	// definite is set when no path wrote any of those bytes.
	definite bool
}

// judge decides whether bytes [off, off+leaving) of buffer b leave
// without having been written. Unknown counts never do; a runtime-length
// write (a string, a read) makes only a send of the whole buffer a leak,
// since a shorter send may stay within what was written. A runtime count
// of a buffer no path wrote a byte of is a leak whatever its value (but
// none).
func judge(b *buffer, e extent, off int64, leaving amount) (verdict, bool) {
	if leaving.isUnknown() || e.full || e.escaped || !e.live {
		return verdict{}, false
	}
	v := verdict{}
	if off == 0 {
		v.whole = leaving.known && b.size.known && leaving.val >= b.size.val ||
			!leaving.known && leaving.same(b.size) && !e.sizeStale
	}
	if !leaving.known {
		// the whole block leaves: what a runtime-length write or the
		// constant writes do not cover is unwritten (unless the block is
		// no larger than they are)
		v.definite = e.definite(e.cover.gaps(span{0, 1 << 62}))
		return v, v.whole || v.definite && untouched(e)
	}
	end := off + leaving.val
	if b.size.known && end > b.size.val {
		end = b.size.val
	}
	if end <= off {
		return v, false
	}
	v.gaps = e.cover.gaps(span{off, end})
	v.definite = e.definite(v.gaps)
	return v, len(v.gaps) > 0 && (e.dep == nil || v.whole)
}

// untouched reports whether no path wrote, copied or filled any byte of
// the buffer, nor handed it to a function: a summary that says a callee
// writes none of it may have missed that it writes the count it returns
// (uwsgi's read wrappers, whose error paths return a variable).
func untouched(e extent) bool {
	return len(e.steps) == 0 && len(e.cover) == 0 && len(e.may) == 0 && !e.mayAll && e.dep == nil && len(e.caller) == 0 && len(e.residue) == 0 && len(e.zeros) == 0 && !e.mayString
}

// checkSink reports the bytes of a buffer that leave unwritten at a sink.
func (w *walker) checkSink(s sink, st *state) {
	b := w.bufs[s.r.buf]
	e := st.peek(s.r.buf)
	if s.r.obj || s.r.some || !s.r.off.known {
		return
	}
	if !s.lenArg.IsNull() && w.lengthWritten(s.lenArg, s.r, e, st) {
		if w.isStrlen(s.lenArg, s.r, st) { // strlen(buf) reads buf as a string first
			w.checkString(s.at, s.r, s.verb, "strlen()", st)
		}
		return
	}
	if w.report == nil {
		w.sinkOut(s, b, e)
		return
	}
	v, leak := judge(b, e, s.r.off.val, s.leaving)
	if !leak {
		return
	}
	if rt := b.recordType(); rt != nil && len(v.gaps) > 0 {
		unwritten := v.gaps.intersect(rt.dataSpans(0, nil))
		if len(unwritten) > 0 {
			v.definite = e.definite(unwritten) // padding is never written
		}
		if len(unwritten) == 0 {
			if !s.membersOnly {
				w.emit(PaddingOut, s, b, e, v, nil, nil)
			}
			return
		}
		whole, part := rt.fieldNames("", unwritten)
		w.emit(BytesOut, s, b, e, v, whole, part)
		return
	}
	w.emit(BytesOut, s, b, e, v, nil, nil)
}

// isStrlen reports whether a count is strlen of the buffer r points into.
func (w *walker) isStrlen(lenArg syntax.Node, r ref, st *state) bool {
	n := stripParens(lenArg)
	if n.IsNull() || n.Type() != "call_expression" || !stringLengths[n.ChildByFieldName("function").Text()] {
		return false
	}
	args := namedChildren(n.ChildByFieldName("arguments"))
	if len(args) == 0 {
		return false
	}
	s, _, ok := w.value(args[0], st)
	return ok && s.buf == r.buf
}

// recordType returns the struct or union type a buffer holds: a record
// variable, or a heap block of exactly one record.
func (b *buffer) recordType() *ctype {
	switch {
	case b.typ == nil || b.typ.kind != recordT:
		return nil
	case b.kind == recordBuf, b.kind == heapBuf && b.size.known && b.size.val == b.typ.size:
		return b.typ
	}
	return nil
}

// lengthWritten reports whether a sink's count is what was written: the
// count variable a reader's result went to, or strlen of the buffer.
func (w *walker) lengthWritten(lenArg syntax.Node, r ref, e extent, st *state) bool {
	n := stripParens(lenArg)
	if n.IsNull() {
		return false
	}
	switch n.Type() {
	case "identifier":
		l := w.lookup(n.Text())
		return l != nil && e.dep != nil && e.dep.count == l.id
	case "call_expression":
		fn := n.ChildByFieldName("function")
		args := namedChildren(n.ChildByFieldName("arguments"))
		if fn.IsNull() || !stringLengths[fn.Text()] || len(args) == 0 {
			return false
		}
		s, _, ok := w.value(args[0], st)
		return ok && s.buf == r.buf
	}
	return false
}

// emit records an output at the sink, once per sink and buffer.
func (w *walker) emit(kind OutputKind, s sink, b *buffer, e extent, v verdict, whole, part []string) {
	key := [2]uint32{s.at.StartByte(), b.decl.StartByte()}
	if w.seen[key] {
		return
	}
	w.seen[key] = true
	o := Output{Kind: kind, At: s.at, Buffer: b.info(), Verb: s.verb, Leaving: s.leaving.String(), Offset: s.r.off.val,
		Whole: v.whole, Definite: v.definite, Members: whole, Partial: part, Written: wrote(b, e), ToPython: s.python}
	for _, g := range v.gaps {
		o.Gaps = append(o.Gaps, Range{g.lo, g.hi})
	}
	for _, st := range e.steps {
		o.Steps = append(o.Steps, Step{At: st.node, Message: st.msg})
	}
	w.outputs = append(w.outputs, o)
}

// emitRead records an output of a value read, a pointer read through or
// a string read.
func (w *walker) emitRead(kind OutputKind, s sink, b *buffer, e extent, v verdict, what syntax.Node) {
	n := len(w.outputs)
	w.emit(kind, s, b, e, v, nil, nil)
	if len(w.outputs) == n {
		return
	}
	o := &w.outputs[n]
	o.What = collapse(what.Text())
	if kind == StringOut {
		o.NoNUL = v.whole
	}
	if rt := b.recordType(); rt != nil && kind == ValueOut {
		o.Members, o.Partial = rt.fieldNames("", v.gaps.intersect(rt.dataSpans(0, nil)))
	}
}

// info describes a buffer for outputs.
func (b *buffer) info() BufferInfo {
	bi := BufferInfo{Name: b.name, Kind: b.kind, Decl: b.decl, Size: b.size.String(), Origin: b.origin, Resizer: b.resizer}
	if b.typ != nil {
		bi.Type = b.typ.name
	}
	return bi
}

// wrote says how much of a buffer is known written, as the start of a
// message: "strcpy writes strlen(name)+1 of", "nothing writes".
func wrote(b *buffer, e extent) string {
	if e.dep != nil {
		return e.dep.what + " of"
	}
	n := e.cover.total()
	if b.size.known {
		n = e.cover.intersect(spans{{0, b.size.val}}).total()
	}
	if len(e.steps) == 1 && e.steps[0].writes != "" && (n > 0) != e.steps[0].none {
		return e.steps[0].writes
	}
	if n == 0 && len(e.steps) > 1 && slices.ContainsFunc(e.steps, func(s step) bool { return s.writes != "" }) &&
		!slices.ContainsFunc(e.steps, func(s step) bool { return !s.none || s.writes != e.steps[0].writes }) {
		// The same call, made again, failing each time.
		return e.steps[0].writes
	}
	if n > 0 {
		return fmt.Sprintf("the writes cover %d of", n)
	}
	for _, s := range e.steps {
		if !s.none {
			return "on some path nothing writes"
		}
	}
	if e.elsewhere {
		return "on some path nothing writes"
	}
	return "nothing writes"
}

// bytesReturn checks a bytes object returned to Python.
func (w *walker) bytesReturn(at syntax.Node, b *buffer, st *state) {
	if bd, ok := w.boundOf(b.size, st); ok && !b.size.known && bd.hi <= 0 {
		return // an empty object: `if (len == 0) return result;`
	}
	e := st.peek(b.id)
	e.sizeStale = false // the object leaves whole, whatever its size's variable holds now
	v, leak := judge(b, e, 0, b.size)
	if !leak {
		return
	}
	s := sink{at: at, r: ref{buf: b.id, off: constant(0)}, leaving: b.size, verb: "returned to Python", python: true}
	w.emit(BytesObjectOut, s, b, e, v, nil, nil)
}

// sinkOut records, in summary mode, the unwritten bytes of a parameter's
// memory that a sink sends: constant byte ranges, or a count that is a
// parameter when the function wrote none of them.
func (w *walker) sinkOut(s sink, b *buffer, e extent) {
	if !e.live || e.escaped || e.full || e.dep != nil {
		return
	}
	off := s.r.off.val
	if s.leaving.known {
		end := off + s.leaving.val
		if b.size.known {
			end = min(end, b.size.val)
		}
		if gaps := e.cover.gaps(span{off, end}); end > off && len(gaps) > 0 {
			w.recordOut(b, e, gaps, amount{}, false, s.verb, s.python)
		}
		return
	}
	if off == 0 && !s.leaving.isUnknown() && len(e.cover) == 0 {
		w.recordOut(b, e, nil, s.leaving, false, s.verb, s.python)
	}
}
