package cmem

import (
	"github.com/residue-sec/residue/analyzers/source"
)

// A call to a function defined in the same file is resolved by analyzing
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

// A summary holds, per parameter, the effect on the paths that succeed and
// on all paths (including early error returns).
type summary struct {
	ok, any []effect
}

// maxSummaries bounds the summaries of one file, each a walk of the
// callee; past it a callee is unknown (it may write all). A summary does
// not use the summaries of its own callees.
const maxSummaries = 64

// summary returns the summary of a function of this file, nil when it
// cannot be analyzed (syntax errors, recursion, the bounds above).
func (f *facts) summary(name string) *summary {
	if s, ok := f.summaries[name]; ok {
		return s
	}
	fn := f.function(name)
	if fn == nil || fn.HasError() || len(f.summaries) >= maxSummaries {
		return nil
	}
	f.summaries[name] = nil
	w := newWalker(f, fn, nil)
	end := w.run(true)
	ps := params(fn)
	s := &summary{ok: make([]effect, len(ps)), any: make([]effect, len(ps))}
	okStates, allStates := []*state{end}, []*state{end}
	for _, r := range w.returns {
		allStates = append(allStates, r.st)
		if !f.isError(r.value) {
			okStates = append(okStates, r.st)
		}
	}
	okSt, allSt := joinAll(okStates...), joinAll(allStates...)
	for i, p := range ps {
		id, tracked := w.created[p]
		if !tracked {
			continue
		}
		b := w.bufs[id]
		s.ok[i], s.any[i] = effectOf(b, *okSt.extentOf(id)), effectOf(b, *allSt.extentOf(id))
		if f.countWriter(fn, w, b) {
			s.ok[i] = effect{kind: effCount}
		}
	}
	f.summaries[name] = s
	return s
}

// effectOf turns the extent of a parameter buffer at the function's exits
// into an effect.
func effectOf(b *buffer, e extent) effect {
	switch {
	case !e.live || e.escaped:
		return effect{kind: effAll}
	case e.full && e.capFill && b.capacity >= 0:
		return effect{kind: effCap, capArg: b.capacity}
	case e.full:
		return effect{kind: effAll}
	case e.dep != nil && e.dep.kind == stringWriter:
		return effect{kind: effString}
	case e.dep != nil:
		return effect{kind: effAll}
	case len(e.cover) == 0:
		return effect{kind: effNone}
	}
	return effect{kind: effBytes, cover: e.cover}
}

// isError reports whether a returned value is an error code: a negative
// constant, NULL, or a call to a function of the file that only returns
// negative constants (`return fail("...")`).
func (f *facts) isError(v *source.Node) bool {
	v = stripParens(v)
	if v == nil {
		return false
	}
	if a, ok := f.constOf(v, nil); ok {
		return a < 0 || f.text(v) == "NULL"
	}
	switch v.Type() {
	case "unary_expression":
		return f.text(v.ChildByFieldName("operator")) == "-"
	case "identifier":
		return f.text(v) == "NULL"
	case "call_expression":
		fn := v.ChildByFieldName("function")
		return fn != nil && fn.Type() == "identifier" && f.errorOnly(f.text(fn))
	}
	return false
}

// errorOnly reports whether every return of a function yields a negative
// constant.
func (f *facts) errorOnly(name string) bool {
	fn := f.function(name)
	if fn == nil || fn.HasError() {
		return false
	}
	n, ok := 0, true
	source.Walk(fn.ChildByFieldName("body"), func(c *source.Node) bool {
		if c.Type() == "return_statement" {
			a, known := f.constOf(c.NamedChild(0), nil)
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
func (f *facts) countWriter(fn *source.Node, w *walker, b *buffer) bool {
	var values []*source.Node
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
		c := f.declName(params(fn)[b.capacity].ChildByFieldName("declarator"))
		if f.onlyCompared(body, c) && f.comparedWith(body, c, e) {
			return true
		}
	}
	return f.indexes(body, b.name, e)
}

// successValues returns the non-error values a return can yield: both
// arms of a conditional, minus errors.
func successValues(f *facts, v *source.Node) []*source.Node {
	s := stripParens(v)
	if s == nil {
		return nil
	}
	if s.Type() == "conditional_expression" {
		return append(successValues(f, s.ChildByFieldName("consequence")), successValues(f, s.ChildByFieldName("alternative"))...)
	}
	if f.isError(s) {
		return nil
	}
	return []*source.Node{s}
}

// onlyCompared reports whether every use of name in body is an operand of
// a comparison.
func (f *facts) onlyCompared(body *source.Node, name string) bool {
	ok := true
	source.Walk(body, func(c *source.Node) bool {
		if !ok {
			return false
		}
		if c.Type() == "identifier" && f.text(c) == name {
			p := c.Parent()
			for p != nil && (p.Type() == "parenthesized_expression" || p.Type() == "cast_expression") {
				p = p.Parent()
			}
			ok = p != nil && p.Type() == "binary_expression" && isComparison(f.text(p.ChildByFieldName("operator")))
		}
		return true
	})
	return ok
}

// comparedWith reports whether body compares name with expression e.
func (f *facts) comparedWith(body *source.Node, name, e string) bool {
	found := false
	source.Walk(body, func(c *source.Node) bool {
		if found || c.Type() != "binary_expression" || !isComparison(f.text(c.ChildByFieldName("operator"))) {
			return !found
		}
		l, r := f.normalize(c.ChildByFieldName("left")), f.normalize(c.ChildByFieldName("right"))
		found = l == name && r == e || l == e && r == name
		return !found
	})
	return found
}

// indexes reports whether body assigns buf[e] or buf[e++].
func (f *facts) indexes(body *source.Node, buf, e string) bool {
	found := false
	source.Walk(body, func(c *source.Node) bool {
		if found {
			return false
		}
		if c.Type() == "assignment_expression" {
			l := stripParens(c.ChildByFieldName("left"))
			if l != nil && l.Type() == "subscript_expression" && f.text(l.ChildByFieldName("argument")) == buf {
				idx := squeeze(f.text(l.ChildByFieldName("index")))
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
func (w *walker) applySummary(n *source.Node, name string, args []*source.Node, refs []*ref, st *state, discarded bool) []int {
	if !w.useSummaries {
		w.unknownCall(n, name+"()", refs, st)
		for _, r := range refs {
			if r != nil {
				w.touch(st, r.buf).callee = true
			}
		}
		return nil
	}
	s := w.f.summary(name)
	if s == nil {
		w.unknownCall(n, name+"()", refs, st)
		return nil
	}
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
			if discarded && !sameEffect(eff, s.any[i]) {
				eff, why = s.any[i], "unchecked"
			}
			counts = append(counts, w.applyEffect(n, name, eff, args, *r, st, why)...)
		}
	}
	return counts
}

func sameEffect(a, b effect) bool {
	return a.kind == b.kind && a.capArg == b.capArg && a.cover.equal(b.cover)
}

// applyEffect applies one parameter's effect to the buffer r.
func (w *walker) applyEffect(n *source.Node, name string, eff effect, args []*source.Node, r ref, st *state, why string) []int {
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
