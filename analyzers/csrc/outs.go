package csrc

import (
	"sort"
	"strconv"
	"strings"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// An outEffect is memory of its caller that a function lets leave: the
// bytes of one parameter (its value, what it points to, or what the
// pointer it points to points to) that reach one of its outputs before
// the function wrote them. A function with such effects is an output
// itself: a wrapper of send, of printf.
type outEffect struct {
	param int
	// depth 0 is the argument's value, 1 what it points to, 2 what the
	// pointer it points to points to.
	depth int
	// s are constant bytes; lenArg, when not -1, says instead that the
	// first unit × args[lenArg] bytes leave; str that a string leaves,
	// up to its NUL.
	s      spans
	lenArg int
	unit   int64
	str    bool
	// may are the bytes of s that the function writes on some path
	// before they leave: for the caller, they may be written.
	may spans
	// how says what happens to them: "printed", "sent", "written";
	// python marks bytes copied into a Python object.
	how    string
	python bool
}

// recordOut records, in summary mode, unwritten bytes of buffer b that
// leave: an effect when b is a parameter's memory or a copy of it.
func (w *walker) recordOut(b *buffer, e extent, gaps spans, leaving amount, str bool, verb string, python bool) {
	param, depth, shift := b.param, b.depth, int64(0)
	if param < 0 && e.origin != nil {
		ob := w.bufs[e.origin.buf]
		param, depth, shift = ob.param, ob.depth, e.origin.off
	}
	if param < 0 {
		return
	}
	o := outEffect{param: param, depth: depth, lenArg: -1, str: str, how: howOf(verb), python: python}
	switch {
	case str:
	case len(gaps) > 0:
		o.s = gaps.shift(shift)
		may := gaps.intersect(e.may)
		if e.mayAll {
			may = gaps
		}
		o.may = may.shift(shift)
	default:
		arg, unit, ok := w.paramCount(leaving)
		if !ok {
			return
		}
		o.lenArg, o.unit = arg, unit
	}
	w.outs = append(w.outs, o)
}

// paramCount reads a count that is a parameter, or a constant times one
// (fwrite's size × nmemb): the parameter's position and the unit.
func (w *walker) paramCount(a amount) (int, int64, bool) {
	expr, unit := a.expr, int64(1)
	if strings.HasPrefix(expr, "(") && strings.HasSuffix(expr, ")") {
		if k, name, ok := strings.Cut(expr[1:len(expr)-1], "*"); ok {
			u, err := strconv.ParseInt(k, 10, 64)
			if err != nil || u <= 0 {
				return 0, 0, false
			}
			expr, unit = name, u
		}
	}
	for i, p := range params(w.fn) {
		if declName(p.ChildByFieldName("declarator")) == expr && expr != "" {
			if l := w.lookup(expr); l != nil && l.param {
				return i, unit, true
			}
		}
	}
	return 0, 0, false
}

// howOf returns what a verb says happens ("sent" of "sent by send()").
func howOf(verb string) string {
	how, _, _ := strings.Cut(verb, " by ")
	return how
}

// mergeOuts sorts and merges a function's effects: one per parameter,
// depth and kind, with the bytes of all.
func mergeOuts(outs []outEffect) []outEffect {
	type key struct {
		param, depth, lenArg int
		unit                 int64
		str, python          bool
		how                  string
	}
	merged, mays := map[key]spans{}, map[key]spans{}
	var keys []key
	for _, o := range outs {
		k := key{o.param, o.depth, o.lenArg, o.unit, o.str, o.python, o.how}
		if _, seen := merged[k]; !seen {
			keys = append(keys, k)
		}
		merged[k] = merged[k].union(o.s)
		mays[k] = mays[k].union(o.may)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		switch {
		case a.param != b.param:
			return a.param < b.param
		case a.depth != b.depth:
			return a.depth < b.depth
		case a.lenArg != b.lenArg:
			return a.lenArg < b.lenArg
		case a.str != b.str:
			return !a.str
		case a.unit != b.unit:
			return a.unit < b.unit
		case a.python != b.python:
			return !a.python
		}
		return a.how < b.how
	})
	out := make([]outEffect, len(keys))
	for i, k := range keys {
		out[i] = outEffect{param: k.param, depth: k.depth, lenArg: k.lenArg, unit: k.unit, str: k.str, python: k.python, how: k.how, s: merged[k], may: mays[k]}
	}
	return out
}

func sameOuts(a, b []outEffect) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.param != y.param || x.depth != y.depth || x.lenArg != y.lenArg || x.unit != y.unit || x.str != y.str || x.python != y.python || x.how != y.how || !x.s.equal(y.s) || !x.may.equal(y.may) {
			return false
		}
	}
	return true
}

// applyOuts checks, at a call, the memory the callee lets leave.
func (w *walker) applyOuts(n syntax.Node, name string, outs []outEffect, args []syntax.Node, refs []*ref, st *state) {
	for _, o := range outs {
		if o.param >= len(args) {
			continue
		}
		verb := o.how + " by " + name + "()"
		if o.depth == 0 {
			for _, rd := range w.valueReads(args[o.param], st) {
				w.checkRead(n, rd, verb, st)
			}
			continue
		}
		var r ref
		switch {
		case o.depth == 1 && refs[o.param] != nil:
			r = *refs[o.param]
		case o.depth == 2:
			var ok bool
			if r, ok = w.pointee(args[o.param], st); !ok {
				continue
			}
		default:
			continue
		}
		switch {
		case o.str:
			w.checkString(n, r, verb, name+"()", st)
		case o.lenArg >= 0:
			if o.lenArg < len(args) {
				count := w.product(constant(o.unit), w.eval(args[o.lenArg], st))
				w.checkSink(sink{at: n, r: r, leaving: count, lenArg: args[o.lenArg], verb: verb, python: o.python}, st)
			}
		default:
			if !r.off.known {
				break
			}
			// What the callee writes on some path before the bytes leave
			// may be written, for the check of this call only.
			e := st.extentOf(r.buf)
			saved := e.may
			if e.live && len(o.may) > 0 {
				e.may = e.may.union(o.may.shift(r.off.val))
			}
			for _, s := range o.s {
				at := ref{buf: r.buf, off: constant(r.off.val + s.lo), obj: r.obj}
				w.checkSink(sink{at: n, r: at, leaving: constant(s.hi - s.lo), verb: verb, python: o.python}, st)
			}
			if e := st.extentOf(r.buf); e.live {
				e.may = saved
			}
		}
	}
}

// pointee returns what the pointer an argument points to points to: the
// buffer bound to p for &p.
func (w *walker) pointee(arg syntax.Node, st *state) (ref, bool) {
	a := stripParens(arg)
	if a.IsNull() || a.Type() != "pointer_expression" || a.ChildByFieldName("operator").Text() != "&" {
		return ref{}, false
	}
	l := w.lookupIdent(stripParens(a.ChildByFieldName("argument")))
	if l == nil {
		return ref{}, false
	}
	r, ok := st.alias[l.id]
	return r, ok
}
