package ctypes

import (
	"strconv"
	"strings"

	"github.com/residue-sec/residue/analyzers/source"
)

// A lin is a linear combination of atoms plus a constant. Atoms are the
// expressions the analysis does not reduce: len(data), a parameter. All
// of them are sizes, so none is negative.
type lin struct {
	c     int64
	terms map[string]int64
}

func constant(c int64) lin { return lin{c: c} }

func atom(name string) lin { return lin{terms: map[string]int64{name: 1}} }

func (l lin) add(m lin, sign int64) lin {
	out := lin{c: l.c + sign*m.c, terms: map[string]int64{}}
	for k, v := range l.terms {
		out.terms[k] += v
	}
	for k, v := range m.terms {
		out.terms[k] += sign * v
		if out.terms[k] == 0 {
			delete(out.terms, k)
		}
	}
	return out
}

func (l lin) scale(k int64) lin {
	out := lin{c: l.c * k, terms: map[string]int64{}}
	for a, v := range l.terms {
		if v*k != 0 {
			out.terms[a] = v * k
		}
	}
	return out
}

func (l lin) isConst() bool { return len(l.terms) == 0 }

// A bound is a size: a lin, or the min or max of several bounds.
type bound struct {
	op   byte // 0 lin, 'm' min, 'M' max
	lin  lin
	alts []bound
}

func linear(l lin) bound { return bound{lin: l} }

// A sizer evaluates integer expressions of one scope at one point as
// bounds: variables are replaced by their values, len and sizeof of a
// buffer by its size, and len(x) of anything else is an input atom.
type sizer struct {
	s      *scope
	at     uint32
	inputs map[string]bool
	guards map[string]bound // upper bounds of input atoms
}

func newSizer(s *scope, at uint32) *sizer {
	return &sizer{s: s, at: at, inputs: map[string]bool{}, guards: map[string]bound{}}
}

// eval returns the bound of integer expression n.
func (z *sizer) eval(n *source.Node, depth int) bound {
	if n == nil || depth > maxDepth {
		return linear(atom("?"))
	}
	a := z.s.a
	text := strings.Join(strings.Fields(a.text(n)), " ")
	switch n.Type() {
	case "integer":
		if v, err := strconv.ParseInt(strings.ReplaceAll(strings.ToLower(text), "_", ""), 0, 64); err == nil && v < 1<<40 {
			return linear(constant(v))
		}
	case "parenthesized_expression":
		if n.NamedChildCount() == 1 {
			return z.eval(n.NamedChild(0), depth+1)
		}
	case "binary_operator":
		if b, ok := z.arith(n, depth); ok {
			return b
		}
	case "call":
		if b, ok := z.call(n, depth); ok {
			return b
		}
	case "attribute":
		if a.text(n.ChildByFieldName("attribute")) == "_length_" {
			if buf := z.s.bufferAt(n.ChildByFieldName("object"), depth+1); buf != nil {
				return z.count(buf, depth+1)
			}
		}
	case "identifier":
		if v, sc := z.s.single(text, n.StartByte()); v != nil {
			sub := &sizer{s: sc, at: v.StartByte(), inputs: z.inputs, guards: z.guards}
			return sub.eval(v, depth+1)
		}
	}
	return linear(atom(text))
}

// arith evaluates +, - and * by a constant.
func (z *sizer) arith(n *source.Node, depth int) (bound, bool) {
	l, r := z.eval(n.ChildByFieldName("left"), depth+1), z.eval(n.ChildByFieldName("right"), depth+1)
	if l.op != 0 || r.op != 0 {
		return bound{}, false
	}
	switch z.s.a.text(n.ChildByFieldName("operator")) {
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

// call evaluates len, sizeof, min, max and int.
func (z *sizer) call(n *source.Node, depth int) (bound, bool) {
	args := positional(n)
	name := z.s.a.calleeName(n)
	switch {
	case name == "len" && len(args) == 1:
		return z.length(args[0], depth), true
	case name == "sizeof" && len(args) == 1:
		return z.sizeof(args[0], depth)
	case (name == "min" || name == "max") && len(args) >= 2:
		b := bound{op: 'm'}
		if name == "max" {
			b.op = 'M'
		}
		for _, arg := range args {
			b.alts = append(b.alts, z.eval(arg, depth+1))
		}
		return b, true
	case name == "int" && len(args) == 1:
		return z.eval(args[0], depth+1), true
	}
	return bound{}, false
}

// length evaluates len(x): a buffer's element count, a literal's length,
// min(len(y), k) for x = y[:k], or the input atom len(x).
func (z *sizer) length(x *source.Node, depth int) bound {
	if buf := z.s.bufferAt(x, depth+1); buf != nil {
		return z.count(buf, depth+1)
	}
	if s, ok := z.s.a.stringValue(x); ok {
		return linear(constant(int64(len(s))))
	}
	if x.Type() == "identifier" {
		v, sc := z.s.single(z.s.a.text(x), x.StartByte())
		if s, ok := z.s.a.stringValue(v); ok {
			return linear(constant(int64(len(s))))
		}
		if v != nil && v.Type() == "subscript" {
			if upper := sliceUpper(v); upper != nil {
				sub := &sizer{s: sc, at: v.StartByte(), inputs: z.inputs, guards: z.guards}
				return bound{op: 'm', alts: []bound{sub.length(v.ChildByFieldName("value"), depth+1), sub.eval(upper, depth+1)}}
			}
		}
	}
	name := "len(" + strings.Join(strings.Fields(z.s.a.text(x)), " ") + ")"
	z.inputs[name] = true
	return linear(atom(name))
}

// sliceUpper returns k of x[:k] (or x[0:k]), or nil.
func sliceUpper(sub *source.Node) *source.Node {
	sl := sub.ChildByFieldName("subscript")
	if sl == nil || sl.Type() != "slice" {
		return nil
	}
	text := ""
	for i := 0; i < int(sl.ChildCount()); i++ {
		if c := sl.Child(i); c != nil {
			text += c.Type() + " "
		}
	}
	switch {
	case strings.HasPrefix(text, ": ") && sl.NamedChildCount() == 1:
		return sl.NamedChild(0)
	case strings.HasPrefix(text, "integer : ") && sl.NamedChildCount() == 2 && sl.NamedChild(0).Type() == "integer":
		return sl.NamedChild(1)
	}
	return nil
}

// sizeof evaluates sizeof(buffer), sizeof(T * N) and sizeof(scalar type).
func (z *sizer) sizeof(x *source.Node, depth int) (bound, bool) {
	if buf := z.s.bufferAt(x, depth+1); buf != nil {
		return z.bytes(buf, depth+1), true
	}
	if elem, count := z.s.arrayType(x, depth+1); elem != "" {
		return linear(z.eval(count, depth+1).lin.scale(elemSizes[elem])), true
	}
	if size, ok := elemSizes[z.s.a.ctypesName(x)]; ok {
		return linear(constant(size)), true
	}
	return bound{}, false
}

// count returns a buffer's element count, evaluated where it was allocated.
func (z *sizer) count(buf *buffer, depth int) bound {
	sub := &sizer{s: buf.sc, at: buf.alloc.StartByte(), inputs: z.inputs, guards: z.guards}
	if buf.count != nil {
		return sub.eval(buf.count, depth+1)
	}
	if s, ok := buf.sc.a.stringValue(buf.init); ok {
		n := int64(len(s))
		if buf.elem == "c_wchar" {
			n = int64(len([]rune(s)))
		}
		return linear(constant(n + 1))
	}
	l := sub.length(buf.init, depth+1)
	if l.op != 0 {
		return linear(atom("len(" + buf.sc.a.text(buf.init) + ")+1"))
	}
	return linear(l.lin.add(constant(1), 1))
}

// bytes returns a buffer's size in bytes.
func (z *sizer) bytes(buf *buffer, depth int) bound {
	c := z.count(buf, depth)
	if c.op != 0 || buf.elemSize == 1 {
		return c
	}
	return linear(c.lin.scale(buf.elemSize))
}

// A verdict compares a length with a buffer's size.
type verdict struct {
	kind  byte   // 0 unknown, 'w' within the size, 'x' exceeds it
	over  int64  // by how many bytes, when constant
	input string // the input length not bounded by the size
}

// compare says whether length l is within size s.
func (z *sizer) compare(l, s bound) verdict {
	switch {
	case l.op == 'm' || s.op == 'M':
		return z.combine(l, s, true)
	case l.op == 'M' || s.op == 'm':
		return z.combine(l, s, false)
	}
	ll := z.substitute(l.lin)
	d := s.lin.add(ll, -1)
	var negInput string
	negOpaque, posTerms := false, false
	for name, v := range d.terms {
		switch {
		case v > 0:
			posTerms = true
		case z.inputs[name]:
			if negInput == "" || name < negInput {
				negInput = name
			}
		default:
			negOpaque = true
		}
	}
	switch {
	case negInput != "":
		return verdict{kind: 'x', input: negInput}
	case negOpaque:
		return verdict{}
	case d.c >= 0:
		return verdict{kind: 'w'}
	case !posTerms:
		return verdict{kind: 'x', over: -d.c}
	}
	return verdict{}
}

// combine compares when one side is a min or max: any alternative is
// enough (l = min(...), s = max(...)) or every one is needed.
func (z *sizer) combine(l, s bound, anyEnough bool) verdict {
	var alts []verdict
	switch {
	case l.op != 0 && (l.op == 'm') == anyEnough:
		for _, alt := range l.alts {
			alts = append(alts, z.compare(alt, s))
		}
	default:
		for _, alt := range s.alts {
			alts = append(alts, z.compare(l, alt))
		}
	}
	within, exceeds := 0, 0
	var first verdict
	for _, v := range alts {
		switch v.kind {
		case 'w':
			within++
		case 'x':
			if exceeds == 0 {
				first = v
			}
			exceeds++
		}
	}
	switch {
	case anyEnough && within > 0, !anyEnough && within == len(alts):
		return verdict{kind: 'w'}
	case anyEnough && exceeds == len(alts), !anyEnough && exceeds > 0:
		return first
	}
	return verdict{}
}

// substitute replaces the input atoms of l that a guard bounds by their
// bound (only linear bounds; a coefficient must be positive).
func (z *sizer) substitute(l lin) lin {
	out := l
	for name, v := range l.terms {
		g, ok := z.guards[name]
		if !ok || v <= 0 || g.op != 0 {
			continue
		}
		out = out.add(atom(name).scale(v), -1).add(g.lin.scale(v), 1)
	}
	return out
}
