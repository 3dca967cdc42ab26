package csrc

import (
	"github.com/residue-sec/residue/analyzers/syntax"
	"strings"
)

// A call to a function defined in the repository is resolved by analyzing
// the definition: each pointer parameter gets a summary of what the
// function writes through it.

// effectKind says what a function does to a buffer it receives.
type effectKind uint8

const (
	effAll    effectKind = iota // may write all of it (unknown code's default)
	effNone                     // writes none of it
	effBytes                    // writes these constant byte ranges
	effCap                      // writes as many bytes as its capacity argument says
	effString                   // writes a string and its NUL
	effCount                    // writes as many bytes as it returns
)

type effect struct {
	kind   effectKind
	cover  spans
	capArg int
}

// A summary holds, per parameter, the effect of a call whose result the
// caller uses (what some path writes: which path ran is the result's to
// say, and the analysis does not follow it) and of one whose result is
// ignored (what every path writes, early error returns included).
type summary struct {
	ok, any []effect
	// outs are the caller's memory the function lets leave.
	outs []outEffect
	// void is set for a function that returns nothing: a caller cannot
	// check whether it wrote.
	void bool
	// residue is, per parameter, the bytes of what it points to that the
	// function fills from memory nothing wrote.
	residue []paramResidue
}

// bottom is the summary a recursive component starts from: it writes
// none of its parameters.
func bottom(n int) *summary {
	s := &summary{ok: make([]effect, n), any: make([]effect, n)}
	for i := range n {
		s.ok[i], s.any[i] = effect{kind: effNone}, effect{kind: effNone}
	}
	return s
}

// sameSummary reports whether two summaries say the same.
func sameSummary(a, b *summary) bool {
	if a == nil || b == nil {
		return a == b
	}
	if len(a.ok) != len(b.ok) {
		return false
	}
	for i := range a.ok {
		if !sameEffect(a.ok[i], b.ok[i]) || !sameEffect(a.any[i], b.any[i]) {
			return false
		}
	}
	return sameOuts(a.outs, b.outs) && sameResidue(a.residue, b.residue)
}

// summarize walks function id in summary mode: each pointer parameter
// points to a tracked buffer, and the extents at the returns say what
// the function writes. inside answers the summaries of its own
// component. It returns nil when the function cannot be analyzed.
func (a *Analysis) summarize(id int, inside func(int) (*summary, bool)) *summary {
	ref := a.graph.funcs[id]
	fn := ref.node
	if fn.HasError() {
		return nil
	}
	f := newContext(a.repo).scope(a.repo.unit(ref.part.File))
	w := newWalker(a, f, fn, nil)
	w.sums = inside
	end := w.run(true)
	ps := params(fn)
	s := &summary{ok: make([]effect, len(ps)), any: make([]effect, len(ps)), outs: mergeOuts(w.outs), void: returnsVoid(fn)}
	allStates := []*state{end}
	for _, r := range w.returns {
		allStates = append(allStates, r.st)
	}
	allSt := joinAll(allStates...)
	s.residue = residueOf(w, ps, allSt)
	for i, p := range ps {
		id, tracked := w.created[p]
		if !tracked {
			continue
		}
		b := w.bufs[id]
		s.ok[i], s.any[i] = effectOf(b, allSt.peek(id), true), effectOf(b, allSt.peek(id), false)
		if constPointee(p) && !castsAway(fn, declName(p.ChildByFieldName("declarator"))) {
			// It cannot write through it but by casting const away
			// (((uint64_t *)out)[0] = h1): what it writes at known
			// places counts, what it hands on or loses does not.
			ext := allSt.peek(id)
			ext.escaped, ext.full, ext.mayAll = false, false, false
			if len(ext.cover) == 0 && len(ext.may) == 0 {
				s.ok[i], s.any[i] = effect{kind: effNone}, effect{kind: effNone}
			} else {
				s.ok[i], s.any[i] = effectOf(b, ext, true), effectOf(b, ext, false)
			}
		}
		if f.countWriter(fn, w, b) {
			s.ok[i] = effect{kind: effCount}
		}
	}
	return s
}

// effectOf turns the extent of a parameter buffer at the function's exits
// into an effect. With may, what some path writes counts as written: the
// effect of a call that succeeded, when which path it took (an entry
// found, a string or a number returned) is not known to the caller.
func effectOf(b *buffer, e extent, may bool) effect {
	cover := e.cover
	if may {
		cover = cover.union(e.may)
	}
	switch {
	case !e.live || e.escaped:
		return effect{kind: effAll}
	case e.full && e.capFill && b.capacity >= 0:
		return effect{kind: effCap, capArg: b.capacity}
	case e.full, may && e.mayAll:
		return effect{kind: effAll}
	case e.dep != nil && e.dep.kind == stringWriter, may && e.mayString:
		return effect{kind: effString}
	case e.dep != nil:
		return effect{kind: effAll}
	case len(cover) == 0:
		return effect{kind: effNone}
	}
	return effect{kind: effBytes, cover: cover}
}

// isError reports whether a returned value is an error code: a negative
// constant, NULL, or a call to a function of the repository that only returns
// negative constants (`return fail("...")`).
func (f *scope) isError(v syntax.Node) bool {
	v = stripParens(v)
	if v.IsNull() {
		return false
	}
	if a, ok := f.constOf(v, nil); ok {
		return a < 0 || v.Text() == "NULL"
	}
	switch v.Type() {
	case "unary_expression":
		return v.ChildByFieldName("operator").Text() == "-"
	case "identifier":
		return v.Text() == "NULL"
	case "call_expression":
		fn := v.ChildByFieldName("function")
		return !fn.IsNull() && fn.Type() == "identifier" && f.errorOnly(fn.Text())
	}
	return false
}

// errorOnly reports whether every return of a function yields a negative
// constant.
func (f *scope) errorOnly(name string) bool {
	fn, in := f.function(name)
	if fn.IsNull() || fn.HasError() {
		return false
	}
	n, ok := 0, true
	fn.ChildByFieldName("body").Walk(func(c syntax.Node) bool {
		if c.Type() == "return_statement" {
			a, known := in.constOf(c.NamedChild(0), nil)
			ok = ok && known && a < 0
			n++
			return false
		}
		return ok
	})
	return ok && n > 0
}

// countWriter recognizes a function that writes a data-dependent prefix
// of a buffer and returns its length: every successful return yields the
// same non-constant expression E, and either the buffer's capacity
// parameter is only compared (against E among others: a bound, not an
// amount to fill), or E is the index the function writes the buffer at
// (`dst[n++] = c; … return n;`).
func (f *scope) countWriter(fn syntax.Node, w *walker, b *buffer) bool {
	var values []syntax.Node
	for _, r := range w.returns {
		values = append(values, successValues(f, r.value)...)
	}
	if len(values) == 0 {
		return false
	}
	e := f.normalize(values[0])
	for _, v := range values {
		if _, known := f.constOf(v, nil); known || f.normalize(v) != e {
			return false
		}
	}
	body := fn.ChildByFieldName("body")
	if b.capacity >= 0 {
		c := declName(params(fn)[b.capacity].ChildByFieldName("declarator"))
		if f.onlyCompared(body, c) && f.comparedWith(body, c, e) {
			return true
		}
	}
	return f.indexes(body, b.name, e)
}

// successValues returns the non-error values a return can yield: both
// arms of a conditional, minus errors.
func successValues(f *scope, v syntax.Node) []syntax.Node {
	s := stripParens(v)
	if s.IsNull() {
		return nil
	}
	if s.Type() == "conditional_expression" {
		return append(successValues(f, s.ChildByFieldName("consequence")), successValues(f, s.ChildByFieldName("alternative"))...)
	}
	if f.isError(s) {
		return nil
	}
	return []syntax.Node{s}
}

// onlyCompared reports whether every use of name in body is an operand of
// a comparison.
func (f *scope) onlyCompared(body syntax.Node, name string) bool {
	ok := true
	body.Walk(func(c syntax.Node) bool {
		if !ok {
			return false
		}
		if c.Type() == "identifier" && c.Text() == name {
			p := c.Parent()
			for !p.IsNull() && (p.Type() == "parenthesized_expression" || p.Type() == "cast_expression") {
				p = p.Parent()
			}
			ok = !p.IsNull() && p.Type() == "binary_expression" && isComparison(p.ChildByFieldName("operator").Text())
		}
		return true
	})
	return ok
}

// comparedWith reports whether body compares name with expression e.
func (f *scope) comparedWith(body syntax.Node, name, e string) bool {
	found := false
	body.Walk(func(c syntax.Node) bool {
		if found || c.Type() != "binary_expression" || !isComparison(c.ChildByFieldName("operator").Text()) {
			return !found
		}
		l, r := f.normalize(c.ChildByFieldName("left")), f.normalize(c.ChildByFieldName("right"))
		found = l == name && r == e || l == e && r == name
		return !found
	})
	return found
}

// indexes reports whether body assigns buf[e] or buf[e++].
func (f *scope) indexes(body syntax.Node, buf, e string) bool {
	found := false
	body.Walk(func(c syntax.Node) bool {
		if found {
			return false
		}
		if c.Type() == "assignment_expression" {
			l := stripParens(c.ChildByFieldName("left"))
			if !l.IsNull() && l.Type() == "subscript_expression" && l.ChildByFieldName("argument").Text() == buf {
				idx := squeeze(l.ChildByFieldName("index").Text())
				found = idx == e || idx == e+"++"
			}
		}
		return true
	})
	return found
}

func isComparison(op string) bool {
	switch op {
	case "<", "<=", ">", ">=", "==", "!=":
		return true
	}
	return false
}

// applySummary applies a same-file callee's summary to the buffers it
// receives. When the call's result is ignored, the effect on all paths
// applies: a callee that can fail before writing then writes nothing
// certain.
func (w *walker) applySummary(n syntax.Node, name string, id int, args []syntax.Node, refs []*ref, st *state, discarded bool) []int {
	s := w.summaryOf(id)
	if s == nil {
		w.unknownCall(n, name+"()", refs, st)
		return nil
	}
	// what the callee lets leave is judged before what it writes: it
	// wrote none of it first, or it would not leave
	w.applyOuts(n, name, s.outs, args, refs, st)
	var counts []int
	for i, r := range refs {
		switch {
		case r == nil:
		case r.obj:
			w.escape(*r, st)
		case i >= len(s.ok):
			w.writeRest(st, *r, n, name+"()")
		default:
			eff, why := s.ok[i], ""
			if discarded && !s.void && !sameEffect(eff, s.any[i]) {
				w.mayWrite(st, *r, eff)
				eff, why = s.any[i], "unchecked"
			}
			counts = append(counts, w.applyEffect(n, name, eff, args, *r, st, why)...)
			w.calleeResidue(n, s.residue, i, *r, st)
		}
	}
	return counts
}

func sameEffect(a, b effect) bool {
	return a.kind == b.kind && a.capArg == b.capArg && a.cover.equal(b.cover)
}

// applyEffect applies one parameter's effect to the buffer r.
func (w *walker) applyEffect(n syntax.Node, name string, eff effect, args []syntax.Node, r ref, st *state, why string) []int {
	callee := name + "()"
	switch eff.kind {
	case effAll:
		w.writeRest(st, r, n, callee)
	case effNone:
		if e := w.writable(st, r); e != nil {
			s := step{node: n, msg: callee + " does not write it", writes: callee + " writes none of", none: true}
			if why != "" {
				s = step{node: n, msg: callee + " can fail before writing it, and its result is ignored",
					writes: callee + " can fail before writing any of", none: true}
			}
			e.steps = withStep(e.steps, s)
		}
	case effBytes:
		if !r.off.known {
			w.write(st, r, amount{}, n, callee)
			return nil
		}
		w.writeSpans(st, r.buf, eff.cover.shift(r.off.val), n, callee)
	case effCap:
		count := amount{}
		if eff.capArg < len(args) {
			count = w.eval(args[eff.capArg], st)
		}
		w.write(st, r, count, n, callee)
	case effString:
		return w.writeDep(st, r, stringWriter, n, callee+" writes a string and its NUL")
	case effCount:
		return w.writeDep(st, r, counted, n, callee+" writes the count it returns")
	}
	return nil
}

// summaryOf returns the summary of function id: the current round's for
// a function of the component being summarized, else the computed one.
func (w *walker) summaryOf(id int) *summary {
	if w.sums != nil {
		if s, ok := w.sums(id); ok {
			return s
		}
		// A component reads the summaries of the components its
		// members' edges reach, which come first. A callee the graph
		// does not list (a call in a branch the declarations skipped)
		// may be in a component being computed, this one's caller or
		// one waiting for it: it is unknown here.
		if self, ok := w.an.graph.index[w.fn]; !ok || !containsInt(w.an.graph.callees[self], id) {
			return nil
		}
	}
	return w.an.summaryOf(id)
}

// callee returns the graph index of the function a call of name reaches,
// false when no definition is known.
func (w *walker) callee(name string) (int, bool) {
	fn, _ := w.f.function(name)
	if fn.IsNull() {
		return 0, false
	}
	id, ok := w.an.graph.index[fn]
	return id, ok
}

// returnsVoid reports whether a function definition returns void.
func returnsVoid(fn syntax.Node) bool {
	d := fn.ChildByFieldName("declarator")
	return fn.ChildByFieldName("type").Text() == "void" && !d.IsNull() && d.Type() == "function_declarator"
}

// mayWrite records that a call whose result is ignored may have written
// what its effect on success says: those bytes are written on some path.
func (w *walker) mayWrite(st *state, r ref, eff effect) {
	e := w.writable(st, r)
	if e == nil {
		return
	}
	if eff.kind == effBytes && r.off.known {
		e.may = e.may.union(eff.cover.shift(r.off.val))
	} else if eff.kind != effNone {
		e.mayAll = true
	}
}

// castsAway reports whether the function casts its parameter name to a
// pointer type that is not const: it may write through it.
func castsAway(fn syntax.Node, name string) bool {
	found := false
	fn.Walk(func(n syntax.Node) bool {
		if found {
			return false
		}
		if n.Type() == "cast_expression" {
			v := stripParens(n.ChildByFieldName("value"))
			t := n.ChildByFieldName("type")
			if !v.IsNull() && v.Type() == "identifier" && v.Text() == name && !t.IsNull() && strings.Contains(t.Text(), "*") && !constBeforeStar(t.Text()) {
				found = true
				return false
			}
		}
		return true
	})
	return found
}

// constBeforeStar reports whether a pointer type's text qualifies its
// pointee const (const char *, not char *const).
func constBeforeStar(t string) bool {
	star := strings.IndexByte(t, '*')
	return star >= 0 && strings.Contains(t[:star], "const")
}

// constPointee reports whether a parameter points to const memory:
// `const T *p`.
func constPointee(p syntax.Node) bool {
	d := p.ChildByFieldName("declarator")
	if d.IsNull() || d.Type() != "pointer_declarator" || d.ChildByFieldName("declarator").Type() != "identifier" {
		return false
	}
	for _, c := range p.NamedChildren() {
		if c.Type() == "type_qualifier" && c.Text() == "const" {
			return true
		}
	}
	return false
}
