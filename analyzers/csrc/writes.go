package csrc

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// touch returns the extent of buffer id for modification; a modified
// extent forgets the sides of an earlier condition.
func (w *walker) touch(st *state, id int) *extent {
	e := st.extentOf(id)
	e.splits = nil
	return e
}

// writable returns the extent r's buffer for a write, nil when the buffer
// is not tracked on this path.
func (w *walker) writable(st *state, r ref) *extent {
	if r.buf < 0 || r.buf >= len(w.bufs) {
		return nil
	}
	e := w.touch(st, r.buf)
	if !e.live || e.escaped || e.full {
		return nil
	}
	return e
}

// write records that n bytes at r are written by who ("strncpy", "the
// loop"). An unknown count or a runtime offset may cover anything: the
// buffer then counts as written. A count equal to the buffer's size fills
// it.
func (w *walker) write(st *state, r ref, n amount, at syntax.Node, who string) {
	if r.some { // on the other paths the bytes are another buffer's
		r = ref{buf: r.buf}
	}
	if !r.off.known || !n.known {
		w.overwrite(st, r)
		e := w.writable(st, r)
		if e == nil {
			return
		}
		keep, from := e.residue, e.resFrom
		e.setFull()
		e.residue, e.resFrom = keep, from // before r's offset
		e.capFill = r.off.known && r.off.val == 0 && n.same(w.bufs[r.buf].size) && !e.sizeStale
		e.steps = withStep(e.steps, step{node: at, msg: fmt.Sprintf("%s writes %s bytes", who, n)})
		return
	}
	w.writeSpans(st, r.buf, spans{{r.off.val, r.off.val + n.val}}, at, who)
}

// writeSpans records that the given bytes of buffer id are written by who.
func (w *walker) writeSpans(st *state, id int, s spans, at syntax.Node, who string) {
	if id >= 0 && id < len(w.bufs) {
		if e := st.extentOf(id); len(e.residue) > 0 {
			e.residue = e.residue.without(s)
		}
	}
	e := w.writable(st, ref{buf: id})
	if e == nil {
		return
	}
	n := s.total()
	e.steps = withStep(e.steps, step{node: at, msg: fmt.Sprintf("%s writes %s", who, plural(n, "byte")), writes: fmt.Sprintf("%s writes %d of", who, n)})
	e.cover = e.cover.union(s)
	e.may = e.may.union(s)
	e.zeros = e.zeros.without(s)
	if b := w.bufs[id]; b.size.known && e.cover.covers(span{0, b.size.val}) {
		e.setFull()
	}
}

func plural(n int64, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// writeRest records that everything from r to the end of its buffer is
// written (an unknown function received the pointer).
func (w *walker) writeRest(st *state, r ref, at syntax.Node, who string) {
	if r.some {
		r = ref{buf: r.buf}
	}
	w.overwrite(st, r)
	e := w.writable(st, r)
	if e == nil {
		return
	}
	if b := w.bufs[r.buf]; r.off.known && r.off.val > 0 && b.size.known {
		w.writeSpans(st, r.buf, spans{{r.off.val, b.size.val}}, at, who)
		return
	}
	keep, from := e.residue, e.resFrom
	e.steps = withStep(e.steps, step{node: at, msg: who + " may write all of it"})
	e.setFull()
	e.residue, e.resFrom = keep, from // before r's offset
}

// writeElem records an assignment to an lvalue of type t at r. A runtime
// index outside a loop writes one element somewhere: no byte is certainly
// written. Inside a loop it may write them all.
func (w *walker) writeElem(st *state, r ref, t *ctype, at syntax.Node, who string) {
	if r.some {
		w.write(st, r, amount{}, at, who)
		return
	}
	if t == nil || t.size <= 0 {
		w.write(st, r, amount{}, at, who)
		return
	}
	if !r.off.known {
		if w.loopDepth > 0 {
			w.write(st, r, amount{}, at, who)
		}
		return
	}
	w.write(st, r, constant(t.size), at, who)
}

// writeDep records a write whose length is decided at run time: a string
// and its NUL (stringWriter), or the count a reader returns (counted).
// Bytes written before stay written.
func (w *walker) writeDep(st *state, r ref, kind writeKind, at syntax.Node, what string) []int {
	if r.some {
		w.write(st, r, amount{}, at, what)
		return nil
	}
	e := w.writable(st, r)
	if e == nil {
		return nil
	}
	if !r.off.known {
		w.write(st, r, amount{}, at, what)
		return nil
	}
	e.steps = withStep(e.steps, step{node: at, msg: what})
	e.dep = &dep{kind: kind, what: what, count: -1, node: at}
	if kind == stringWriter { // at least the NUL
		e.cover = e.cover.add(span{r.off.val, r.off.val + 1})
		e.may = e.may.add(span{r.off.val, r.off.val + 1})
		e.mayString = true
	}
	return []int{r.buf}
}

// applyWriter applies a known writer (memset, strcpy, read...) to its
// destination argument; it returns the buffers a counted writer filled.
func (w *walker) applyWriter(call syntax.Node, name string, spec writerSpec, args []syntax.Node, refs []*ref, st *state) []int {
	if spec.dst >= len(args) || refs[spec.dst] == nil {
		return nil
	}
	r := *refs[spec.dst]
	if r.obj {
		return nil
	}
	count := amount{}
	if spec.n >= 0 && spec.n < len(args) {
		count = w.eval(args[spec.n], st)
		if spec.factor >= 0 && spec.factor < len(args) {
			count = w.product(count, w.eval(args[spec.factor], st))
		}
	}
	switch spec.kind {
	case exact:
		if spec.src >= 0 && spec.src < len(refs) && refs[spec.src] != nil && count.known && r.off.known {
			w.copyBytes(st, r, *refs[spec.src], count.val, call, name)
			return nil
		}
		w.write(st, r, count, call, name)
		if name == "memset" && len(args) > 1 && count.known && r.off.known && !r.some {
			if v, ok := w.constOf(args[1], st); ok && v == 0 {
				w.markZero(st, r.buf, spans{{r.off.val, r.off.val + count.val}})
			}
		}
	case stringWriter:
		what := spec.what
		if spec.src >= 0 && spec.src < len(args) {
			what = fmt.Sprintf(what, collapse(args[spec.src].Text()))
		}
		if n, ok := w.stringLength(name, args); ok && r.off.known && r.off.val == 0 && n.same(w.bufs[r.buf].size) {
			w.write(st, r, n, call, name+" writes "+what+", exactly")
			return nil
		}
		return w.writeDep(st, r, stringWriter, call, name+" writes "+what)
	case counted:
		if _, ok := countOuts[name]; !ok {
			return w.writeDep(st, r, counted, call, name+" writes the count it returns")
		}
		// The count goes to *readbytes, a local's address (call takes
		// the call for an unknown callee's otherwise); what the call
		// returns is no count.
		x, l := w.countOut(name, args)
		w.renamed(x.Text(), st)
		for _, id := range w.writeDep(st, r, counted, call, name+" writes the count it stores in "+x.Text()) {
			d := *st.ext[id].dep
			d.count = l.id
			w.touch(st, id).dep = &d
		}
	}
	return nil
}

// copyBytes copies n bytes from src to dst: the destination bytes are
// written where the source bytes were (an uninitialized source stays
// uninitialized in the copy).
func (w *walker) copyBytes(st *state, dst, src ref, n int64, call syntax.Node, name string) {
	from := st.peek(src.buf)
	if !from.live || from.escaped || from.full || !src.off.known || from.dep != nil || dst.some || src.some ||
		w.fromCaller(src.buf, st) && w.bufs[dst.buf].param >= 0 {
		w.write(st, dst, constant(n), call, name)
		return
	}
	e := w.writable(st, dst)
	if e == nil {
		return
	}
	e.steps = mergeSteps(e.steps, from.steps)
	rng, shift := spans{{src.off.val, src.off.val + n}}, dst.off.val-src.off.val
	if w.report == nil {
		w.copyResidue(e, from, src, rng, shift, call, name)
		if w.fromCaller(src.buf, st) {
			e.callerBytes(rng.shift(shift))
		}
	}
	maybe := from.may.intersect(rng)
	if from.mayAll {
		maybe = rng
	}
	e.may = e.may.union(maybe.shift(shift))
	part := from.cover.intersect(rng).shift(shift)
	if len(part) == 0 {
		msg := name + " copies " + w.bufs[src.buf].name + ", which is not written"
		if w.report == nil && w.fromCaller(src.buf, st) {
			// in a summary, the caller's memory: what the caller wrote
			msg = fmt.Sprintf("%s copies %d bytes of the caller's %s", name, n, w.bufs[src.buf].name)
		}
		e.steps = withStep(e.steps, step{node: call, msg: msg, none: true})
		return
	}
	w.writeSpans(st, dst.buf, part, call, name+" (from "+w.bufs[src.buf].name+")")
}

// product multiplies two counts (fread's size and nmemb).
func (w *walker) product(a, b amount) amount {
	switch {
	case a.known && b.known:
		return constant(a.val * b.val)
	case a.known && a.val == 1:
		return b
	case b.known && b.val == 1:
		return a
	case a.isUnknown() || b.isUnknown():
		return amount{}
	}
	return symbolic("("+a.key()+"*"+b.key()+")", a.String()+" * "+b.String())
}

// markZero records that the bytes s of buffer id were just written with
// zero.
func (w *walker) markZero(st *state, id int, s spans) {
	if e := st.extentOf(id); e.live && !e.full {
		e.zeros = e.zeros.union(s)
	}
}

// fromCaller reports whether, in summary mode, a buffer holds the
// caller's data: a parameter's memory, or a copy of it. Copied to
// another parameter's memory, it counts as written.
func (w *walker) fromCaller(id int, st *state) bool {
	if w.bufs[id].param >= 0 {
		return true
	}
	o := st.extentOf(id).origin
	return o != nil && w.bufs[o.buf].param >= 0
}

// stringLength returns, as the allocation of an exactly sized block
// would spell it, the bytes a string writer writes with its NUL:
// strlen(src) + 1 for strcpy, the fixed text + 1 + strlen(arg) for a
// sprintf whose only conversion is one %s.
func (w *walker) stringLength(name string, args []syntax.Node) (amount, bool) {
	var arg syntax.Node
	fixed := int64(0)
	switch name {
	case "strcpy", "stpcpy":
		if len(args) < 2 {
			return amount{}, false
		}
		arg = args[1]
	case "sprintf":
		if len(args) != 3 {
			return amount{}, false
		}
		format, ok := formatText(args[1])
		if !ok || strings.Count(format, "%") != 1 || !strings.Contains(format, "%s") {
			return amount{}, false
		}
		fixed, arg = int64(len(format)-2), args[2]
	default:
		return amount{}, false
	}
	k := strconv.FormatInt(fixed+1, 10)
	s := "strlen(" + w.f.normalize(arg) + ")"
	return symbolic("("+s+"+"+k+")", s+" + "+k), true
}
