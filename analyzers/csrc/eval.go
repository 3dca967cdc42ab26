package csrc

import (
	"strings"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// An evalEnv answers what the evaluator needs of the function being
// analyzed: the values and types of its locals. Nil at file level.
type evalEnv interface {
	// localValue returns a local's constant value (ok), or isLocal when the
	// name is a local whose value is not known.
	localValue(name string) (v int64, ok, isLocal bool)
	// typeOf returns the declared type of a local or global, nil if unknown.
	typeOf(name string) *ctype
}

// eval evaluates an integer expression: constants, macros, enumerators,
// constant globals, sizeof and arithmetic are folded; anything else is a
// symbolic amount named by its normalized text.
func (f *scope) eval(n syntax.Node, env evalEnv) amount { return f.evaluate(n, env, true) }

// constOf evaluates an expression that matters only if it is constant,
// without building the text of symbolic amounts.
func (f *scope) constOf(n syntax.Node, env evalEnv) (int64, bool) {
	a := f.evaluate(n, env, false)
	return a.val, a.known
}

// evaluate is eval; sym says whether to build symbolic amounts.
func (f *scope) evaluate(n syntax.Node, env evalEnv, sym bool) amount {
	if n.IsNull() || !f.enter() {
		return amount{}
	}
	defer f.leave()
	mk := func(expr func() string) amount {
		if !sym {
			return amount{}
		}
		return symbolic(expr(), collapse(n.Text()))
	}
	switch n.Type() {
	case "number_literal":
		if v, ok := parseInt(n.Text()); ok {
			return constant(v)
		}
		return amount{}
	case "char_literal":
		if v, ok := parseChar(n.Text()); ok {
			return constant(v)
		}
		return amount{}
	case "true":
		return constant(1)
	case "false", "null":
		return constant(0)
	case "identifier":
		a := f.evalName(n.Text(), env)
		if !sym && !a.known {
			return amount{}
		}
		return a
	case "parenthesized_expression":
		if n.NamedChildCount() == 0 {
			return amount{}
		}
		return f.evaluate(n.NamedChild(0), env, sym)
	case "cast_expression":
		return f.evaluate(n.ChildByFieldName("value"), env, sym)
	case "unary_expression":
		op := n.ChildByFieldName("operator").Text()
		a := f.evaluate(n.ChildByFieldName("argument"), env, sym)
		if a.known {
			if v, ok := unaryFold(op, a.val); ok {
				return constant(v)
			}
			return amount{}
		}
		if a.isUnknown() {
			return amount{}
		}
		return mk(func() string { return op + a.key() })
	case "binary_expression":
		op := n.ChildByFieldName("operator").Text()
		l := f.evaluate(n.ChildByFieldName("left"), env, sym)
		if !sym && !l.known {
			return amount{}
		}
		r := f.evaluate(n.ChildByFieldName("right"), env, sym)
		if l.known && r.known {
			if v, ok := fold(op, l.val, r.val); ok {
				return constant(v)
			}
			return amount{}
		}
		if l.isUnknown() || r.isUnknown() {
			return amount{}
		}
		return mk(func() string { return "(" + l.key() + op + r.key() + ")" })
	case "conditional_expression":
		if c, ok := f.constOf(n.ChildByFieldName("condition"), env); ok {
			if c != 0 {
				return f.evaluate(n.ChildByFieldName("consequence"), env, sym)
			}
			return f.evaluate(n.ChildByFieldName("alternative"), env, sym)
		}
	case "sizeof_expression":
		if a := f.sizeOf(n, env); a.known || sym && !a.isUnknown() {
			return a
		}
	case "call_expression":
		fn := n.ChildByFieldName("function")
		args := namedChildren(n.ChildByFieldName("arguments"))
		if !fn.IsNull() && fn.Type() == "identifier" {
			if m := f.u.macro(fn.Text()); m != nil && m.fn && len(args) == len(m.params) {
				texts := make([]string, len(args))
				for i, a := range args {
					texts[i] = a.Text()
				}
				if v, ok := f.callValue(fn.Text(), texts); ok {
					return constant(v)
				}
			} else if len(args) == 0 {
				if v, ok := f.returnConst(fn.Text()); ok {
					return constant(v)
				}
			}
		}
	}
	return mk(func() string { return f.normalize(n) })
}

// evalName evaluates an identifier: a local's known value, a macro, an
// enumerator or a constant global; otherwise the name itself.
func (f *scope) evalName(name string, env evalEnv) amount {
	if env != nil {
		if v, ok, isLocal := env.localValue(name); ok {
			return constant(v)
		} else if isLocal {
			return symbolic(name, name)
		}
	}
	if v, ok := f.constValue(name); ok {
		return constant(v)
	}
	return symbolic(name, name)
}

// normalize returns the text of an expression the evaluator does not take
// apart, without spaces, casts and redundant parentheses, so that equal
// expressions written differently compare equal.
func (f *scope) normalize(n syntax.Node) string {
	var b strings.Builder
	var walk func(n syntax.Node, depth int)
	walk = func(n syntax.Node, depth int) {
		if n.IsNull() || depth > maxDepth*4 {
			return
		}
		switch n.Type() {
		case "cast_expression":
			walk(n.ChildByFieldName("value"), depth+1)
			return
		case "parenthesized_expression":
			if n.NamedChildCount() == 1 {
				inner := n.NamedChild(0)
				if inner.Type() == "identifier" || inner.Type() == "call_expression" || inner.Type() == "cast_expression" {
					walk(inner, depth+1)
					return
				}
			}
		}
		if n.ChildCount() == 0 {
			b.WriteString(squeeze(n.Text()))
			return
		}
		for i := 0; i < int(n.ChildCount()); i++ {
			walk(n.Child(i), depth+1)
		}
	}
	walk(n, 0)
	return b.String()
}

// sizeOf evaluates a sizeof expression.
func (f *scope) sizeOf(n syntax.Node, env evalEnv) amount {
	if t := n.ChildByFieldName("type"); !t.IsNull() {
		return f.typeDescriptor(t).sizeAmount()
	}
	v := stripParens(n.ChildByFieldName("value"))
	if v.IsNull() {
		return amount{}
	}
	if v.Type() == "string_literal" {
		return constant(stringLen(v) + 1)
	}
	return f.exprType(v, env).sizeAmount()
}

// exprType returns the static type of a simple lvalue expression: a
// variable, a field, an element or a dereference; nil when unknown.
func (f *scope) exprType(n syntax.Node, env evalEnv) *ctype {
	n = stripParens(n)
	if n.IsNull() {
		return nil
	}
	switch n.Type() {
	case "identifier":
		name := n.Text()
		if env != nil {
			if t := env.typeOf(name); t != nil {
				return t
			}
		}
		if t := f.globalType(name); t != nil {
			return t
		}
		return f.typedefType(name) // sizeof(T) for a typedef looks like sizeof(x)
	case "field_expression":
		base := f.exprType(n.ChildByFieldName("argument"), env)
		if base != nil && base.kind == pointerT && n.ChildByFieldName("operator").Text() == "->" {
			base = base.elem
		}
		if base == nil || base.rec == nil {
			return nil
		}
		if fl, ok := base.rec.member(n.ChildByFieldName("field").Text()); ok {
			return fl.typ
		}
	case "subscript_expression":
		if base := f.exprType(n.ChildByFieldName("argument"), env); base != nil && (base.kind == arrayT || base.kind == pointerT) {
			return base.elem
		}
	case "pointer_expression":
		base := f.exprType(n.ChildByFieldName("argument"), env)
		if base == nil {
			return nil
		}
		if n.ChildByFieldName("operator").Text() == "&" {
			return pointerTo(base)
		}
		if base.kind == pointerT || base.kind == arrayT {
			return base.elem
		}
	case "cast_expression":
		return f.typeDescriptor(n.ChildByFieldName("type"))
	}
	return nil
}

// typeDescriptor resolves the type in a cast or sizeof: a specifier and
// abstract pointer or array declarators.
func (f *scope) typeDescriptor(n syntax.Node) *ctype {
	if n.IsNull() {
		return nil
	}
	t := f.baseType(n.ChildByFieldName("type"))
	for d, i := n.ChildByFieldName("declarator"), 0; !d.IsNull() && i < maxDepth; i++ {
		switch d.Type() {
		case "abstract_pointer_declarator":
			t = pointerTo(t)
		case "abstract_array_declarator":
			t = f.arrayOf(t, d.ChildByFieldName("size"), nil)
		default:
			return nil
		}
		d = d.ChildByFieldName("declarator")
	}
	return t
}

// stripParens returns n without enclosing parentheses and casts.
func stripParens(n syntax.Node) syntax.Node {
	for i := 0; !n.IsNull() && i < maxDepth*4; i++ {
		switch n.Type() {
		case "parenthesized_expression":
			if n.NamedChildCount() == 0 {
				return syntax.Node{}
			}
			n = n.NamedChild(0)
		case "cast_expression":
			n = n.ChildByFieldName("value")
		default:
			return n
		}
	}
	return n
}

// stringContent returns the text between the quotes of a string literal
// (or of each part of a concatenated string), escapes left as written.
func stringContent(n syntax.Node) string {
	var b strings.Builder
	n.Walk(func(c syntax.Node) bool {
		switch c.Type() {
		case "string_content", "escape_sequence":
			b.WriteString(c.Text())
		}
		return true
	})
	return b.String()
}

// stringLen counts the bytes a string literal holds before its NUL.
func stringLen(n syntax.Node) int64 {
	var size int64
	n.Walk(func(c syntax.Node) bool {
		switch c.Type() {
		case "string_content":
			size += int64(len(c.Text()))
		case "escape_sequence":
			size++
		}
		return true
	})
	return size
}

// updateDelta returns what an update expression adds to its variable:
// 1 for ++, -1 for --.
func updateDelta(n syntax.Node) int64 {
	if op := n.ChildByFieldName("operator"); !op.IsNull() && op.Text() == "--" {
		return -1
	}
	return 1
}
