package csrc

import (
	"math"
	"strings"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// Guards: a branch on `n > 16` bounds n on each side, and a branch on
// `p == NULL` after p = malloc(…) says on which side the block exists.

// A bound is what is known of an integer local: lo <= value <= hi.
type bound struct{ lo, hi int64 }

var unbounded = bound{math.MinInt64, math.MaxInt64}

// refine narrows a state by what a condition being true (or false) says
// of a local compared with a constant, or of a heap pointer tested for
// NULL.
func (w *walker) refine(cond syntax.Node, st *state, truth bool) {
	c := stripParens(cond)
	if c.IsNull() || st.dead {
		return
	}
	switch c.Type() {
	case "identifier": // if (p): p is not NULL; if (n): n is not zero
		w.nullSide(c, st, !truth)
		if l := w.lookupIdent(c); l != nil && !truth && (l.typ == nil || l.typ.kind == scalarT) {
			st.setBound(l.id, bound{0, 0})
			w.emptySide(l, bound{0, 0}, st)
		}
	case "binary_expression":
		op := c.ChildByFieldName("operator").Text()
		l, r := stripParens(c.ChildByFieldName("left")), stripParens(c.ChildByFieldName("right"))
		if isNull(l) && !isNull(r) && (op == "==" || op == "!=") {
			l, r = r, l // NULL == p, the "Yoda" order
		}
		if isNull(r) && (op == "==" || op == "!=") {
			w.nullSide(l, st, (op == "==") == truth)
			if r.Text() != "0" {
				return
			}
			// len == 0 bounds a count too
		}
		k, ok := w.constOf(r, st)
		if !ok {
			if k, ok = w.constOf(l, st); !ok {
				return
			}
			l, op = r, flip(op)
		}
		lv := w.lookupIdent(l)
		if lv == nil {
			return
		}
		if !truth {
			op = negateCmp(op)
		}
		b, had := st.bounds[lv.id]
		if !had {
			b = unbounded
		}
		switch op {
		case "<":
			b.hi = min(b.hi, k-1)
		case "<=":
			b.hi = min(b.hi, k)
		case ">":
			b.lo = max(b.lo, k+1)
		case ">=":
			b.lo = max(b.lo, k)
		case "==":
			b = bound{max(b.lo, k), min(b.hi, k)}
		default:
			return
		}
		st.setBound(lv.id, b)
		w.emptySide(lv, b, st)
	}
}

// emptySide settles, on the side of a guard where count l is zero or
// less (`if (n) memcpy(buf, src, n);` not taken), each block allocated
// with a size of l, or of l plus a constant k whose first k bytes are
// written: the block has no other bytes there (an allocation of a
// negative size fails). A caller's buffer is left alone: the count a
// pointer parameter is paired with may be anything (a depth).
func (w *walker) emptySide(l *local, b bound, st *state) {
	if b.hi > 0 {
		return
	}
	for id, x := range w.bufs {
		if x.size.known || (x.kind != heapBuf && x.kind != bytesBuf && x.kind != arrayBuf) || id >= len(st.ext) || !st.ext[id].live || st.ext[id].full || st.ext[id].sizeStale {
			continue
		}
		k, ok := plusConstant(x.size.expr, l.name)
		if ok && k >= 0 && st.ext[id].cover.covers(span{0, k}) {
			w.touch(st, id).setFull()
		}
	}
}

// plusConstant returns k when expr, a normalized size, is name (k = 0),
// name+k or k+name.
func plusConstant(expr, name string) (int64, bool) {
	if inner, ok := strings.CutPrefix(expr, "("); ok && strings.HasSuffix(inner, ")") && !strings.ContainsAny(inner[:len(inner)-1], "()") {
		expr = inner[:len(inner)-1]
	}
	if expr == name {
		return 0, true
	}
	if rest, ok := strings.CutPrefix(expr, name+"+"); ok {
		return parseInt(rest)
	}
	if rest, ok := strings.CutSuffix(expr, "+"+name); ok {
		return parseInt(rest)
	}
	return 0, false
}

// nullSide records, on the side where pointer p is NULL, that the heap
// block it was given, or the caller's buffer a summary is of, does not
// exist.
func (w *walker) nullSide(p syntax.Node, st *state, isNull bool) {
	l := w.lookupIdent(p)
	if l == nil || !isNull {
		return
	}
	if r, ok := st.alias[l.id]; ok && !r.some && (w.bufs[r.buf].kind == heapBuf || w.summarizing(r.buf)) {
		e := w.touch(st, r.buf)
		*e = extent{}
	}
}

// summarizing reports whether a buffer is, in summary mode, the memory a
// pointer parameter points to: the caller's buffer, which a summary is
// of, is no NULL pointer (if (out) *out = v; writes it).
func (w *walker) summarizing(id int) bool {
	return w.report == nil && w.bufs[id].kind == paramBuf && w.bufs[id].param >= 0
}

// flip returns the operator with its operands swapped (k < x is x > k).
func flip(op string) string {
	switch op {
	case "<":
		return ">"
	case "<=":
		return ">="
	case ">":
		return "<"
	case ">=":
		return "<="
	}
	return op
}

// negateCmp returns the operator of the negated comparison.
func negateCmp(op string) string {
	switch op {
	case "<":
		return ">="
	case "<=":
		return ">"
	case ">":
		return "<="
	case ">=":
		return "<"
	case "==":
		return "!="
	case "!=":
		return "=="
	}
	return op
}

// boundOf returns what is known of an amount that is a local's value.
func (w *walker) boundOf(a amount, st *state) (bound, bool) {
	if a.known {
		return bound{a.val, a.val}, true
	}
	l := w.lookup(a.expr)
	if l == nil {
		return bound{}, false
	}
	if v, ok := st.consts[l.id]; ok {
		return bound{v, v}, true
	}
	b, ok := st.bounds[l.id]
	return b, ok
}
