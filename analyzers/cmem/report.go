package cmem

import (
	"fmt"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// A sink is a place where bytes of a buffer leave the function.
type sink struct {
	at      *source.Node
	r       ref
	leaving amount
	// lenArg is the argument holding the byte count, nil for returns.
	lenArg *source.Node
	// verb says what happens to the bytes ("sent by send()").
	verb string
	// membersOnly is set where padding may or may not be copied (struct
	// assignment and return): only unwritten members are reported.
	membersOnly bool
}

// A verdict says which bytes of a buffer leave uninitialized.
type verdict struct {
	// whole is set when every byte of the buffer leaves.
	whole bool
	// gaps are the unwritten bytes that leave, when the count is constant.
	gaps spans
}

// judge decides whether bytes [off, off+leaving) of buffer b leave
// without having been written. Unknown counts never do; a runtime-length
// write (a string, a read) makes only a send of the whole buffer a leak,
// since a shorter send may stay within what was written.
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
		return v, v.whole && (e.dep != nil || len(e.cover) == 0)
	}
	end := off + leaving.val
	if b.size.known && end > b.size.val {
		end = b.size.val
	}
	if end <= off {
		return v, false
	}
	v.gaps = e.cover.gaps(span{off, end})
	return v, len(v.gaps) > 0 && (e.dep == nil || v.whole)
}

// checkSink reports the bytes of a buffer that leave unwritten at a sink.
func (w *walker) checkSink(s sink, st *state) {
	b := w.bufs[s.r.buf]
	e := *st.extentOf(s.r.buf)
	w.needSummaries = w.needSummaries || e.callee
	if s.r.obj || !s.r.off.known || s.lenArg != nil && w.lengthWritten(s.lenArg, s.r, e, st) {
		return
	}
	v, leak := judge(b, e, s.r.off.val, s.leaving)
	if !leak {
		return
	}
	if rt := b.recordType(); rt != nil && len(v.gaps) > 0 {
		unwritten := v.gaps.intersect(rt.dataSpans(0, nil))
		if len(unwritten) == 0 {
			if !s.membersOnly {
				w.reportPadding(s, b, e, v)
			}
			return
		}
		whole, part := rt.fieldNames("", unwritten)
		w.reportOutput(s, b, e, v, whole, part)
		return
	}
	w.reportOutput(s, b, e, v, nil, nil)
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
func (w *walker) lengthWritten(lenArg *source.Node, r ref, e extent, st *state) bool {
	n := stripParens(lenArg)
	if n == nil {
		return false
	}
	switch n.Type() {
	case "identifier":
		l := w.lookup(w.f.text(n))
		return l != nil && e.dep != nil && e.dep.count == l.id
	case "call_expression":
		fn := n.ChildByFieldName("function")
		args := namedChildren(n.ChildByFieldName("arguments"))
		if fn == nil || !stringLengths[w.f.text(fn)] || len(args) == 0 {
			return false
		}
		s, _, ok := w.value(args[0], st)
		return ok && s.buf == r.buf
	}
	return false
}

// maxFlow caps the steps of a finding's code flow.
const maxFlow = 12

// emit reports a finding at the sink with the buffer's declaration as
// related location and the flow declaration → writes → sink.
func (w *walker) emit(rule string, s sink, b *buffer, e extent, msg, leave string) {
	key := [2]uint32{s.at.StartByte(), b.decl.StartByte()}
	if w.seen[key] {
		return
	}
	w.seen[key] = true
	p := w.pass
	decl := p.Location(b.decl, w.declMessage(b))
	flow := []analyzers.Step{{Location: decl}}
	steps := e.steps
	if len(steps) > maxFlow {
		steps = steps[len(steps)-maxFlow:]
	}
	for _, st := range steps {
		flow = append(flow, analyzers.Step{Location: p.Location(st.node, st.msg)})
	}
	flow = append(flow, analyzers.Step{Location: p.Location(s.at, leave)})
	w.findings = append(w.findings, analyzers.Finding{
		RuleID:   rule,
		Message:  msg,
		Location: p.Location(s.at, ""),
		Related:  []analyzers.Location{decl},
		Flow:     flow,
	})
}

// declMessage describes where a buffer comes from.
func (w *walker) declMessage(b *buffer) string {
	switch b.kind {
	case heapBuf:
		return fmt.Sprintf("%s = %s: %s bytes, uninitialized", b.name, b.origin, b.size)
	case bytesBuf:
		return fmt.Sprintf("%s = %s: a buffer of %s bytes, uninitialized", b.name, b.origin, b.size)
	case recordBuf:
		return fmt.Sprintf("%s (%s, %s bytes) is declared here", b.name, b.typ.name, b.size)
	case scalarBuf:
		return fmt.Sprintf("%s (%s bytes) is declared without initializer", b.name, b.size)
	}
	return fmt.Sprintf("%s (%s bytes) is declared here", b.name, b.size)
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

// leaves says which bytes leave and how: "all 256 are sent by send()".
func leaves(s sink, b *buffer, v verdict) string {
	switch {
	case v.whole:
		return fmt.Sprintf("all %s are %s", b.size, s.verb)
	case s.r.off.val == 0:
		return fmt.Sprintf("the first %s are %s", s.leaving, s.verb)
	}
	return fmt.Sprintf("%s from byte %d are %s", s.leaving, s.r.off.val, s.verb)
}

// spanList renders byte ranges: "1-3, 9".
func spanList(s spans) string {
	parts := make([]string, len(s))
	for i, x := range s {
		if x.hi-x.lo == 1 {
			parts[i] = fmt.Sprint(x.lo)
		} else {
			parts[i] = fmt.Sprintf("%d-%d", x.lo, x.hi-1)
		}
	}
	return strings.Join(parts, ", ")
}
