package ctypes

import (
	"strconv"
	"strings"

	"github.com/residue-sec/residue/analyzers/pysrc"
)

// A sizer evaluates integer values as bounds: constants and arithmetic,
// len, sizeof and ._length_ of a buffer as its size, len of a string
// constant or a slice, len(x) of anything else an input atom, a
// parameter an opaque atom of its own, anything unknown a fresh one.
type sizer struct {
	ix     *index
	inputs map[string]bool
	guards map[string]bound // upper bounds of input atoms
	fresh  int
}

func (ix *index) newSizer() *sizer {
	return &sizer{ix: ix, inputs: map[string]bool{}, guards: map[string]bound{}}
}

// maxDepth bounds the nesting of values evaluated.
const maxDepth = 12

// unknown returns an atom equal to nothing else.
func (z *sizer) unknown() bound {
	z.fresh++
	return linear(atom("?" + strconv.Itoa(z.fresh)))
}

// eval returns the bound of an integer value: its first datum (an
// operation's value holds its operands after it).
func (z *sizer) eval(ds []pysrc.Datum, depth int) bound {
	if len(ds) == 0 || depth > maxDepth {
		return z.unknown()
	}
	d := ds[0]
	switch d.Tag {
	case pysrc.TagConst:
		if v, ok := intValue(d); ok {
			return linear(constant(v))
		}
	case pysrc.TagSym:
		var b strings.Builder
		b.WriteString("sym:" + strconv.Itoa(d.Param))
		for _, o := range d.Ops {
			b.WriteString("." + o.Name)
		}
		return linear(atom(b.String()))
	case pysrc.TagExpr:
		if b, ok := z.operation(d, depth); ok {
			return b
		}
	case pysrc.TagObject:
		// An integer instance made with its value, c_size_t(n): n.
		if init, ok := scalarInit(d); ok {
			return z.eval(init, depth+1)
		}
	}
	return z.unknown()
}

// scalarWidth reports whether every datum of ds is an instance of a
// ctypes scalar type (c_size_t(n), c_int()), which a foreign call gets as
// that type, with or without argtypes, and the narrowest one's width in
// bytes (8 for a pointer or a type residue does not size).
func scalarWidth(ds []pysrc.Datum) (int64, bool) {
	w := int64(8)
	for _, d := range ds {
		name, ok := strings.CutPrefix(d.Key, scalarPrefix)
		if d.Kind != objBuffer || !ok {
			return 0, false
		}
		if t, known := cTypes[name]; known && t.kind == kindInt {
			w = min(w, t.width)
		}
	}
	return w, len(ds) > 0
}

// scalarInit returns the value an integer scalar instance was made with
// (c_size_t(n), c_ulonglong(len(m))), false for any other datum (a
// character, a boolean, a pointer, a float).
func scalarInit(d pysrc.Datum) ([]pysrc.Datum, bool) {
	name, ok := strings.CutPrefix(d.Key, scalarPrefix)
	t := cTypes[name]
	if d.Kind != objBuffer || !ok || t.kind != kindInt || t.width < 2 || name == "c_wchar" || len(d.Items) < 2 || len(d.Items[1]) == 0 {
		return nil, false
	}
	return d.Items[1], true
}

// intValue returns an integer constant's value (below 2^40).
func intValue(d pysrc.Datum) (int64, bool) {
	if d.Tag != pysrc.TagConst || d.Kind != "int" {
		return 0, false
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(strings.ToLower(d.Key), "_", ""), 0, 64)
	if err != nil || v >= 1<<40 {
		return 0, false
	}
	return v, true
}

// operation evaluates +, -, * and // (by constants), len, sizeof, a
// buffer's count, min, max and int.
func (z *sizer) operation(d pysrc.Datum, depth int) (bound, bool) {
	arg := func(i int) []pysrc.Datum {
		if i < len(d.Items) {
			return d.Items[i]
		}
		return nil
	}
	switch d.Kind {
	case "+", "-", "*", "//":
		return z.arith(d.Kind, z.eval(arg(0), depth+1), z.eval(arg(1), depth+1))
	case "len":
		return z.length(arg(0), inner(z.ix.text(d.Origin)), depth), len(d.Items) == 1
	case "sizeof":
		return z.sizeof(arg(0), depth)
	case "count":
		for _, b := range arg(0) {
			return z.count(b, depth+1), true
		}
	case "min", "max":
		if len(d.Items) < 2 {
			return bound{}, false
		}
		b := bound{op: 'm'}
		if d.Kind == "max" {
			b.op = 'M'
		}
		for _, it := range d.Items {
			b.alts = append(b.alts, z.eval(it, depth+1))
		}
		return b, true
	case "int":
		return z.eval(arg(0), depth+1), true
	}
	return bound{}, false
}

// inner returns x of the text f(x).
func inner(text string) string {
	i, j := strings.IndexByte(text, '('), strings.LastIndexByte(text, ')')
	if i < 0 || j < i {
		return text
	}
	return strings.Join(strings.Fields(text[i+1:j]), " ")
}

// arith evaluates +, - and * or // by a constant.
func (z *sizer) arith(op string, l, r bound) (bound, bool) {
	if l.op != 0 || r.op != 0 {
		return bound{}, false
	}
	switch op {
	case "+":
		return linear(l.lin.add(r.lin, 1)), true
	case "-":
		return linear(l.lin.add(r.lin, -1)), true
	case "*":
		switch {
		case r.lin.isConst():
			return linear(l.lin.scale(r.lin.c)), true
		case l.lin.isConst():
			return linear(r.lin.scale(l.lin.c)), true
		}
	case "//":
		if l.lin.isConst() && r.lin.isConst() && r.lin.c != 0 {
			return linear(constant(l.lin.c / r.lin.c)), true
		}
	}
	return bound{}, false
}

// length evaluates len(x), x written text: a buffer's element count, a
// string's length, min(len(y), k) for y[:k], or the input atom len(x).
func (z *sizer) length(ds []pysrc.Datum, text string, depth int) bound {
	if len(ds) > 0 && depth <= maxDepth {
		switch d := ds[0]; {
		case d.Kind == objBuffer || d.Kind == objStruct:
			return z.count(d, depth+1)
		case d.Tag == pysrc.TagConst && d.Kind == "str":
			return linear(constant(int64(len(d.Key))))
		case d.Tag == pysrc.TagSeq && d.Flags&pysrc.FlagEach == 0:
			// A display's length; a sequence of any length (a
			// comprehension's, a split's) is len() of itself.
			return linear(constant(int64(len(d.Items))))
		case d.Tag == pysrc.TagExpr && d.Kind == "slice" && len(d.Items) == 3 && len(d.Items[2]) > 0 && zeroOrNone(d.Items[1]):
			y := subscripted(z.ix.text(d.Origin))
			return bound{op: 'm', alts: []bound{z.length(d.Items[0], y, depth+1), z.eval(d.Items[2], depth+1)}}
		}
	}
	name := "len(" + text + ")"
	z.inputs[name] = true
	return linear(atom(name))
}

// zeroOrNone reports whether a slice's lower bound is left out or 0.
func zeroOrNone(ds []pysrc.Datum) bool {
	if len(ds) == 0 {
		return true
	}
	v, ok := intValue(ds[0])
	return ok && v == 0
}

// sizeof evaluates sizeof(x): a buffer's size in bytes, an array type's,
// a scalar type's or a structure's.
func (z *sizer) sizeof(ds []pysrc.Datum, depth int) (bound, bool) {
	for _, d := range ds {
		switch {
		case d.Kind == objBuffer || d.Kind == objStruct:
			return z.bytes(d, depth+1), true
		case d.Tag == pysrc.TagExpr && d.Kind == "*" && len(d.Items) == 2:
			if size := z.ix.elemSize(elemType(d.Items[0])); size > 0 {
				return linear(z.eval(d.Items[1], depth+1).lin.scale(size)), true
			}
		case d.Tag == pysrc.TagClass && (d.ClassKind() == objStruct):
			if l := z.ix.layouts[d.ClassName()]; l != nil {
				return linear(constant(l.size)), true
			}
		}
		if name := ctypesName(d); name != "" {
			if size, ok := elemSizes[name]; ok {
				return linear(constant(size)), true
			}
		}
	}
	return bound{}, false
}

// count returns a buffer's element count.
func (z *sizer) count(b pysrc.Datum, depth int) bound {
	if b.Kind == objStruct {
		return linear(constant(1))
	}
	if len(b.Items) < 2 {
		return z.unknown()
	}
	if len(b.Items[0]) > 0 {
		return z.shape(b.Items[0], depth)
	}
	for _, d := range b.Items[1] {
		if d.Tag == pysrc.TagConst && d.Kind == "str" {
			n := int64(len(d.Key))
			if b.Key == "c_wchar" {
				n = int64(len([]rune(d.Key)))
			}
			return linear(constant(n + 1))
		}
	}
	if len(b.Items[1]) == 0 {
		return z.unknown()
	}
	l := z.length(b.Items[1], strings.TrimSuffix(strings.TrimPrefix(b.Name, "len("), ")+1"), depth+1)
	if l.op != 0 {
		return z.unknown()
	}
	return linear(l.lin.add(constant(1), 1))
}

// shape evaluates a count or a numpy shape: the product of its items.
func (z *sizer) shape(ds []pysrc.Datum, depth int) bound {
	if len(ds) == 0 || ds[0].Tag != pysrc.TagSeq || ds[0].Flags&pysrc.FlagEach != 0 {
		return z.eval(ds, depth+1)
	}
	out := linear(constant(1))
	for _, it := range ds[0].Items {
		b, ok := z.arith("*", out, z.eval(it, depth+1))
		if !ok {
			return z.unknown()
		}
		out = b
	}
	return out
}

// bytes returns a buffer's size in bytes.
func (z *sizer) bytes(b pysrc.Datum, depth int) bound {
	c := z.count(b, depth)
	size := z.ix.bufferElemSize(b)
	if c.op != 0 || size == 1 {
		return c
	}
	if size == 0 {
		return z.unknown()
	}
	return linear(c.lin.scale(size))
}

// elemSize returns the size of an element type: a ctypes scalar, a
// numpy dtype, a structure; 0 when it is not known.
func (ix *index) elemSize(elem string) int64 {
	elem = strings.TrimPrefix(elem, scalarPrefix)
	if size, ok := elemSizes[elem]; ok {
		return size
	}
	if dtype, ok := strings.CutPrefix(elem, "numpy:"); ok {
		return numpySizes[dtype]
	}
	if name, ok := strings.CutPrefix(elem, "struct:"); ok {
		if l := ix.layouts[name]; l != nil {
			return l.size
		}
	}
	return 0
}

// bufferElemSize returns the size of a buffer's elements.
func (ix *index) bufferElemSize(b pysrc.Datum) int64 {
	if b.Kind == objStruct {
		if l := ix.layouts[b.ClassName()]; l != nil {
			return l.size
		}
		return 0
	}
	return ix.elemSize(b.Key)
}

// addGuards records the upper bounds that a function's conditions put on
// input lengths at a call: `if len(x) > K: raise` (or return, break,
// continue) before it in an enclosing block, `assert len(x) <= K`, and
// `if len(x) <= K:` around it.
func (z *sizer) addGuards(f *function, at pysrc.Loc) {
	if f.note == nil {
		return
	}
	for _, t := range f.note.tests {
		if t.Loc(t.Span).Path() != at.Path() {
			continue
		}
		before := t.Span.End <= at.Span.Start && spans(t.Block, at.Span)
		switch {
		case t.Assert && before:
			z.condition(t.Cond, false)
		case !t.Assert && spans(t.Body, at.Span):
			z.condition(t.Cond, false)
		case !t.Assert && before && t.Exits:
			z.condition(t.Cond, true)
		}
	}
}

// spans reports whether span outer holds span in.
func spans(outer, in pysrc.Span) bool { return outer.Start <= in.Start && in.End <= outer.End }

// condition reads the bounds a condition gives: when negated (the code
// after `if cond: raise`), from `a > b` and the disjuncts of an `or`;
// otherwise from `a <= b` and the conjuncts of an `and`.
func (z *sizer) condition(ds []pysrc.Datum, negated bool) {
	if len(ds) == 0 || ds[0].Tag != pysrc.TagExpr {
		return
	}
	d := ds[0]
	if len(d.Items) != 2 {
		return
	}
	switch op := d.Kind; op {
	case "or", "and":
		if negated && op == "or" || !negated && op == "and" {
			z.condition(d.Items[0], negated)
			z.condition(d.Items[1], negated)
		}
	case "<", "<=", ">", ">=":
		if negated {
			op = map[string]string{">": "<=", ">=": "<", "<": ">=", "<=": ">"}[op]
		}
		switch op {
		case "<=", "<":
			z.guard(d.Items[0], d.Items[1])
		case ">=", ">":
			z.guard(d.Items[1], d.Items[0])
		}
	}
}

// guard records small ≤ big when small is an input length.
func (z *sizer) guard(small, big []pysrc.Datum) {
	s := z.eval(small, 0)
	if s.op != 0 || s.lin.c != 0 || len(s.lin.terms) != 1 {
		return
	}
	for name, v := range s.lin.terms {
		if v == 1 && z.inputs[name] {
			z.guards[name] = z.eval(big, 0)
		}
	}
}
