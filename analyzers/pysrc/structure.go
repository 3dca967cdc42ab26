package pysrc

import (
	"slices"
	"strconv"
	"strings"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// Values keep the structure families need besides where data comes from:
// literal constants (numbers, None, booleans; strings only as items of
// displays, as in tables, and as calls' arguments), the items of tuple
// and list displays in order, and
// operations (arithmetic, comparisons, len(x), x[:k]) with their
// operands. A display's value is the sequence alone (its content is its
// items'); an operation's value is the operation and its operands, which
// carry its content as before.

// ConstKind says what literal a RootConst atom is.
type ConstKind int32

// The kinds of constants.
const (
	ConstInt ConstKind = iota
	ConstStr
	ConstNone
	ConstBool
	ConstFloat
)

var constKinds = [...]string{"int", "str", "none", "bool", "float"}

// String returns the kind's name, the Kind of its datums.
func (k ConstKind) String() string {
	if k < 0 || int(k) >= len(constKinds) {
		return ""
	}
	return constKinds[k]
}

// A Seq is a tuple or list display, or a list or set comprehension: a
// sequence of any length (Each) whose one item is what each is.
type Seq struct {
	Items []Value
	Span  Span
	Each  bool
}

// An Expr is an operation on operands: a binary, comparison, boolean or
// unary operator (Op is its text, "not" for not), or "slice" (x[lo:hi]:
// Args are x, lo and hi, an empty value for one left out).
type Expr struct {
	Op   string
	Args []Value
	Span Span
}

// maxItems bounds the items of a display kept as a sequence.
const maxItems = 1024

// constant returns the value of a literal, ok false for anything else.
func constant(n syntax.Node) (Value, bool) {
	kind := ConstInt
	text := n.Text()
	switch n.Type() {
	case "integer":
	case "float":
		kind = ConstFloat
	case "none":
		kind = ConstNone
	case "true", "false":
		kind = ConstBool
	case "string":
		s, ok := stringLiteral(n)
		if !ok {
			return nil, false
		}
		kind, text = ConstStr, s
	default:
		return nil, false
	}
	return Value{{Root: RootConst, Index: int32(kind), Name: text}}, true
}

// seq lowers a tuple or list display; one that unpacks another (*xs) or
// is too long is the union of its items, as any other container.
func (s *fnState) seq(n syntax.Node) Value {
	var items []Value
	whole := false
	long := n.NamedChildCount() > maxItems
	for c := n.FirstChild(); !c.IsNull(); c = c.NextSibling() {
		if !c.IsNamed() || isExtra(c) {
			continue
		}
		if long && tableRow(c, len(items)) {
			continue
		}
		whole = whole || c.Type() == "list_splat" || c.Type() == "parenthesized_list_splat"
		if v, ok := constant(c); ok && c.Type() == "string" {
			// A table's strings are constants (names of what its rows bind).
			items = append(items, v)
			continue
		}
		items = append(items, s.expr(c))
	}
	if whole || long {
		var v Value
		for _, it := range items {
			v = v.Union(it)
		}
		return v
	}
	idx := int32(len(s.fn.code.Seqs))
	s.fn.code.Seqs = append(s.fn.code.Seqs, Seq{Items: items, Span: span(n)})
	return Value{{Root: RootSeq, Index: idx}}
}

// tableRow reports whether n, after kept items of a long display, is a
// generated table's row past the atoms its union keeps: a constant or a
// display of constants, which carries no content and is not lowered.
func tableRow(n syntax.Node, kept int) bool {
	return kept >= maxAtoms && (constantLeaf(n) || constantDisplay(n, maxLiteralDepth))
}

// constantDisplay reports whether n is a tuple, list, set or dictionary
// display of constants (numbers, signed or not, strings, None, booleans)
// and displays of constants, nested at most depth levels: the row of a
// generated table, which carries no content. A long display's rows past
// the atoms its union keeps are not lowered (tableRow), so that a
// megabyte of data costs no more than the union it makes.
func constantDisplay(n syntax.Node, depth int) bool {
	switch n.Type() {
	case "tuple", "list", "set", "dictionary", "pair", "parenthesized_expression":
	default:
		return false
	}
	if depth <= 0 {
		return false
	}
	for c := n.FirstChild(); !c.IsNull(); c = c.NextSibling() {
		if c.IsNamed() && !isExtra(c) && !constantLeaf(c) && !constantDisplay(c, depth-1) {
			return false
		}
	}
	return true
}

// constantLeaf reports whether n is a constant: a number, a signed number,
// a string without interpolations, None or a boolean.
func constantLeaf(n syntax.Node) bool {
	switch n.Type() {
	case "integer", "float", "none", "true", "false":
		return true
	case "unary_operator":
		arg := n.ChildByFieldName("argument")
		return !arg.IsNull() && (arg.Type() == "integer" || arg.Type() == "float")
	case "string", "concatenated_string":
		for c := n.FirstChild(); !c.IsNull(); c = c.NextSibling() {
			if c.Type() == "interpolation" || c.Type() == "string" && !constantLeaf(c) {
				return false
			}
		}
		return true
	}
	return false
}

// operation lowers an arithmetic or unary operator: the operation, then
// (for arithmetic, whose result is made of them) its operands.
// Comparisons, not, and and or are conditions too (condValue).
func (s *fnState) operation(n syntax.Node) Value {
	e := Expr{Span: span(n)}
	var content Value
	// spread is what the operation takes of its right operand's content:
	// all of it, or for text % values the values a format writes.
	var spread Op
	add := func(c syntax.Node) {
		v := s.expr(c)
		arg := v
		if c.Type() == "string" || c.Type() == "concatenated_string" {
			// A text operand: the operation builds text (b"\0" * n + b),
			// whatever else its operands hold. The text itself is not
			// kept.
			arg = Value{{Root: RootConst, Index: int32(ConstStr)}}.Union(v)
		}
		e.Args = append(e.Args, arg)
		if spread.Kind != 0 {
			v = v.With(spread)
		}
		content = content.Union(s.operands(v))
	}
	switch n.Type() {
	case "binary_operator":
		e.Op = n.ChildByFieldName("operator").Text()
		left := n.ChildByFieldName("left")
		add(left)
		if e.Op == "%" {
			spread = formatSpread(left, n.ChildByFieldName("right"), n)
		}
		add(n.ChildByFieldName("right"))
	case "unary_operator":
		e.Op = n.ChildByFieldName("operator").Text()
		add(n.ChildByFieldName("argument"))
		content = nil
	}
	return s.addExpr(e).Union(content)
}

// formatSpread is what format % values (at n) takes of values: for a
// literal format of positional conversions and values that are no
// dictionary display, the items of a tuple (each written by its own
// conversion; anything else is written whole, a dictionary as the repr of
// its items); else, whatever the format reads (%(name)s of a mapping, a
// format that is no literal: a constant, gettext's _()), every value
// read out of them.
func formatSpread(format, values, n syntax.Node) Op {
	if lit, ok := stringLiteral(format); ok && format.Type() == "string" && !strings.Contains(lit, "%(") && values.Type() != "dictionary" {
		return Op{Kind: OpIter, Span: span(n)}
	}
	return Op{Kind: OpIndex, Span: span(n)}
}

// operands returns what an operation's value carries of an operand's: its
// atoms but the operations (a + b + c carries a, b and c, not a + b, which
// its Expr holds), so that nested operations are not each evaluated again
// at every level (2^n evaluations for a chain of n).
func (s *fnState) operands(v Value) Value {
	if !slices.ContainsFunc(v, func(a Atom) bool { return a.Root == RootExpr }) {
		return v
	}
	return slices.DeleteFunc(slices.Clone(v), func(a Atom) bool { return a.Root == RootExpr })
}

// sides returns what a side of `and`/`or` may be: its value, but
// for a side that is itself `and`/`or`, that operation's own sides (a or
// b or c may be a, b or c), for the same reason.
func (s *fnState) sides(v Value) Value {
	nested := func(a Atom) bool {
		if a.Root != RootExpr || int(a.Index) >= len(s.fn.code.Exprs) {
			return false
		}
		op := s.fn.code.Exprs[a.Index].Op
		return op == "and" || op == "or"
	}
	if !slices.ContainsFunc(v, nested) {
		return v
	}
	return slices.DeleteFunc(slices.Clone(v), nested)
}

// addExpr adds e to the function's operations and returns its atom.
func (s *fnState) addExpr(e Expr) Value {
	idx := int32(len(s.fn.code.Exprs))
	s.fn.code.Exprs = append(s.fn.code.Exprs, e)
	return Value{{Root: RootExpr, Index: idx}}
}

// subscript lowers obj[key]: a literal string key is kept, an integer
// one read as a position, a slice with its bounds; another key's value
// is kept in Func.Keys.
func (s *fnState) subscript(n syntax.Node) Value {
	obj := s.expr(n.ChildByFieldName("value"))
	op := Op{Kind: OpIndex, Span: span(n)}
	var slice *Expr
	var keyed Value
	for _, k := range n.ChildrenByFieldName("subscript") {
		switch k.Type() {
		case "string":
			s.expr(k)
			op.Name, _ = stringLiteral(k)
		case "integer":
			if _, err := strconv.Atoi(k.Text()); err == nil {
				op.Kind, op.Name = OpItem, k.Text()
			}
		case "identifier", "attribute":
			// A constant's string (d[KEY]), or the items of a literal
			// sequence a loop binds, as .get's argument is.
			keyed = keyed.Union(s.expr(k))
			if lit, ok := s.namedString(k); ok {
				op.Name = lit
			} else if keys, ok := s.loopKeyOf(k.Text()); ok && k.Type() == "identifier" {
				op.Name = keys
			}
		case "slice":
			slice = &Expr{Op: "slice", Args: []Value{obj, nil, nil}, Span: span(n)}
			bound := 1
			for c := k.FirstChild(); !c.IsNull(); c = c.NextSibling() {
				switch {
				case c.Type() == ":":
					bound++
				case c.IsNamed() && bound < 3:
					slice.Args[bound] = s.expr(c)
				case c.IsNamed():
					s.expr(c)
				}
			}
		default:
			keyed = keyed.Union(s.expr(k))
		}
	}
	if op.Kind == OpIndex && op.Name == "" && len(keyed) > 0 {
		s.fn.code.Keys = append(s.fn.code.Keys, keyed)
		op.Key = int32(len(s.fn.code.Keys))
	}
	v := obj.With(op)
	if slice != nil {
		v = s.addExpr(*slice).Union(v)
	}
	return v
}

// unpack binds the targets of a tuple or list target to the items of v,
// by position; a starred target takes what is left, and those after it
// are not known by position.
func (s *fnState) unpack(target syntax.Node, v Value) {
	pos := 0
	for c := target.FirstChild(); !c.IsNull(); c = c.NextSibling() {
		if !c.IsNamed() || isExtra(c) {
			continue
		}
		if c.Type() == "list_splat_pattern" || c.Type() == "list_splat" || pos < 0 {
			s.bind(c, v)
			pos = -1
			continue
		}
		s.bind(c, v.With(Op{Kind: OpUnpack, Name: strconv.Itoa(pos)}))
		pos++
	}
}

// position reads an OpUnpack or OpItem position, -1 when it is not one.
func position(name string) int {
	i, err := strconv.Atoi(strings.TrimSpace(name))
	if err != nil {
		return -1
	}
	return i
}

// Content returns v as where what it holds may come from, without its
// structure: a display is its items (with the operations applied to the
// display applied to each), constants and operations are left out (an
// operation whose result is made of its operands has them beside it).
// Families that follow data alone, not constants or sizes, read values
// so.
func (f *Func) Content(v Value) Value {
	for _, a := range v {
		if a.Root == RootConst || a.Root == RootSeq || a.Root == RootExpr {
			var out Value
			f.content(v, nil, 0, &out)
			return out
		}
	}
	return v
}

// content adds to out the content of v, with ops applied after each
// atom's own.
func (f *Func) content(v Value, ops []Op, depth int, out *Value) {
	for _, a := range v {
		switch a.Root {
		case RootConst, RootExpr:
		case RootSeq:
			if depth < maxDepth && int(a.Index) < len(f.Code().Seqs) {
				outer := slices.Concat(a.Ops, ops)
				for _, it := range f.Code().Seqs[a.Index].Items {
					f.content(it, outer, depth+1, out)
				}
			}
		default:
			for _, op := range ops {
				a = a.with(op)
			}
			*out = out.Union(Value{a})
		}
	}
}
