package pysrc

import (
	"slices"
	"strings"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// expr lowers expression n: its calls become call sites, and its value
// the atoms it may be.
func (s *fnState) expr(n syntax.Node) Value {
	if n.IsNull() {
		return nil
	}
	switch n.Type() {
	case "identifier":
		return s.name(n.Text())
	case "attribute":
		return s.attribute(n)
	case "subscript":
		return s.subscript(n)
	case "call":
		return s.call(n)
	case "integer", "float", "none", "true", "false":
		v, _ := constant(n)
		return v
	case "string", "concatenated_string":
		return s.str(n)
	case "list", "tuple", "expression_list":
		return s.seq(n)
	case "binary_operator", "unary_operator":
		return s.operation(n)
	case "comparison_operator", "not_operator", "boolean_operator":
		return s.condAtom(n)
	case "list_comprehension", "set_comprehension", "generator_expression", "dictionary_comprehension":
		return s.comprehension(n)
	case "named_expression":
		v := s.expr(n.ChildByFieldName("value"))
		s.assign(n.ChildByFieldName("name"), v, n)
		return v
	case "lambda":
		s.lambda(n)
		return nil
	case "pair":
		// A dictionary's entry: its key and its value, the value under
		// the key when that is a string; constants carry no content.
		key := n.ChildByFieldName("key")
		kv := withoutConsts(s.expr(key))
		return kv.Union(stored(withoutConsts(s.expr(n.ChildByFieldName("value"))), keyName(key), n))
	case "conditional_expression", "set", "parenthesized_expression", "list_splat", "dictionary_splat", "await",
		"dictionary", "keyword_argument", "yield", "as_pattern":
		// A set's or a dictionary's constants (its keys) carry no content.
		consts := n.Type() == "conditional_expression" || n.Type() == "parenthesized_expression"
		// A long dictionary's or set's entries of constants carry no
		// content: past the atoms a union keeps, they are not lowered.
		long := (n.Type() == "dictionary" || n.Type() == "set") && n.NamedChildCount() > maxItems
		var v Value
		kept, named := 0, 0
		for c := n.FirstChild(); !c.IsNull(); c = c.NextSibling() {
			if c.IsNamed() && long {
				if tableRow(c, kept) {
					continue
				}
				kept++
			}
			if c.IsNamed() && !isExtra(c) && n.Type() == "conditional_expression" {
				// `a if test else b` is a or b: the test's calls are made,
				// its value is not the result's.
				if named++; named == 2 {
					s.expr(c)
					continue
				}
			}
			if c.IsNamed() && !(c.FieldName() == "name" && n.Type() == "keyword_argument") && c.FieldName() != "operator" {
				cv := s.expr(c)
				if !consts {
					cv = withoutConsts(cv)
				}
				v = v.Union(cv)
			}
		}
		return v
	}
	// Anything else carries no content, but its calls are still made.
	for c := n.FirstChild(); !c.IsNull(); c = c.NextSibling() {
		if c.IsNamed() {
			s.expr(c)
		}
	}
	return nil
}

// name is the value of a bare name: what the function bound, else a name
// resolved in the module.
func (s *fnState) name(name string) Value {
	if v, ok := s.env[name]; ok {
		return v
	}
	for p, def := s.parent, s.def; p != nil; p, def = p.parent, p.def {
		if _, ok := p.env[name]; ok {
			p.capture(name, def)
			break
		}
	}
	return Value{{Root: RootName, Name: name}}
}

// attribute is the value of obj.attr: what the function assigned to that
// dotted name, else obj's value with the attribute read.
func (s *fnState) attribute(n syntax.Node) Value {
	if key := dotted(n); key != "" {
		if v, ok := s.env[key]; ok {
			return v
		}
	}
	obj := s.expr(n.ChildByFieldName("object"))
	attr := n.ChildByFieldName("attribute").Text()
	if attr == "request" && s.isSelf(n.ChildByFieldName("object").Text()) {
		s.u.active = true
	}
	return obj.With(Op{Kind: OpAttr, Name: attr, Span: span(n)})
}

// call records a call site and returns its result.
func (s *fnState) call(n syntax.Node) Value {
	fn := n.ChildByFieldName("function")
	c := Call{Span: span(n), FuncSpan: span(fn), Name: dotted(fn)}
	switch {
	case fn.Type() == "identifier" && fn.Text() == "super" && s.fn.Kind == KindDef:
		s.expr(n.ChildByFieldName("arguments"))
		return Value{{Root: RootSuper}}
	case fn.Type() == "attribute":
		c.Recv = s.expr(fn.ChildByFieldName("object"))
		c.Method = fn.ChildByFieldName("attribute").Text()
	default:
		c.Func = s.expr(fn)
	}
	var exprs []syntax.Node
	c.Args, exprs = s.args(n.ChildByFieldName("arguments"))
	if c.Method == "format" {
		if obj := fn.ChildByFieldName("object"); obj.Type() == "string" || obj.Type() == "concatenated_string" {
			// An escape sequence that spells a character by its code
			// may spell a brace or a digit: read as written, the
			// fields could be other than Python's.
			if format, ok := stringLiteral(obj); ok && !codeEscape(format) {
				escapeFormatted(format, c.Args)
			}
		}
	}
	if containerAdders[c.Method] {
		s.addTo(fn.ChildByFieldName("object"), c.Method, c.Recv, c.Args, n)
	}
	if primaryKeyLookup(c.Name) {
		s.matchedKeys(n, c.Args, exprs)
	}
	s.use(&c)
	s.configCall(&c, n)
	idx := int32(len(s.fn.code.Calls))
	s.fn.code.Calls = append(s.fn.code.Calls, c)
	return Value{{Root: RootCall, Index: idx}}
}

// primaryKeyLookup reports whether a call by this dotted name returns an
// object of the database or raises: get_object_or_404, a manager's get.
func primaryKeyLookup(name string) bool {
	return lastName(name) == "get_object_or_404" || strings.HasSuffix(name, ".objects.get") || strings.HasSuffix(name, "._default_manager.get")
}

// matchedKeys narrows the names a lookup that returned (call n) matched
// with a primary key (pk=name, id=name, forum_id=name): past it, each is
// an integer key of the database, data that carries no CR or LF (int()
// takes digits and whitespace around them).
func (s *fnState) matchedKeys(n syntax.Node, args []Arg, exprs []syntax.Node) {
	for i, a := range args {
		if !primaryKeyword(a.Keyword) || exprs[i].Type() != "identifier" {
			continue
		}
		if v, bound := s.env[exprs[i].Text()]; bound {
			s.env[exprs[i].Text()] = narrowed(v, n)
		}
	}
}

// primaryKeyword reports whether a lookup's keyword matches a primary
// key: pk, id, forum_id, forum_pk.
func primaryKeyword(k string) bool {
	return k == "pk" || k == "id" || strings.HasSuffix(k, "_id") || strings.HasSuffix(k, "_pk")
}

// args lowers a call's arguments, and returns their expressions too (a
// keyword's value, a splat's operand).
func (s *fnState) args(n syntax.Node) ([]Arg, []syntax.Node) {
	if n.IsNull() {
		return nil, nil
	}
	if n.Type() != "argument_list" { // f(x for x in y)
		return []Arg{{Value: s.expr(n), Span: span(n)}}, []syntax.Node{n}
	}
	var out []Arg
	var exprs []syntax.Node
	if k := n.NamedChildCount(); k > 0 {
		out, exprs = make([]Arg, 0, k), make([]syntax.Node, 0, k)
	}
	for c := n.FirstChild(); !c.IsNull(); c = c.NextSibling() {
		if !c.IsNamed() || isExtra(c) {
			continue
		}
		a := Arg{Span: span(c)}
		e := c
		switch c.Type() {
		case "keyword_argument":
			a.Keyword = c.ChildByFieldName("name").Text()
			e = c.ChildByFieldName("value")
		case "list_splat":
			a.Keyword, e = "*", c.NamedChild(0)
		case "dictionary_splat":
			a.Keyword, e = "**", c.NamedChild(0)
		}
		a.Value = s.expr(e)
		switch e.Type() {
		case "string", "concatenated_string":
			a.Lit, a.Literal = stringLiteral(e)
		case "identifier":
			if t := e.Text(); strings.HasPrefix(t, "__") {
				a.Name = t
			}
			a.Lit, a.Literal = s.namedString(e)
			if keys, ok := s.loopKeyOf(e.Text()); ok && !a.Literal {
				// One of several literals: a key, no literal.
				a.Lit = keys
			}
		case "attribute":
			a.Lit, a.Literal = s.namedString(e)
		case "binary_operator":
			a.Prefix = literalPrefix(e)
		}
		out, exprs = append(out, a), append(exprs, e)
	}
	return out, exprs
}

// namedString returns the string a constant names: an upper-case name
// the module assigned a string literal before (KEY = "resource_uri"),
// which the function does not bind, or self.NAME of a class constant the
// class body assigned one before (AUTH_HEADER = "HTTP_AUTHORIZATION").
func (s *fnState) namedString(e syntax.Node) (string, bool) {
	if name := constantName(e); name == "" || !upperStart(name) {
		return "", false
	}
	lit, ok := s.constantLiteral(e)
	return lit.Text, ok && lit.Kind == LitString
}

// constantName returns the name of a constant e may be, an upper-case
// name or attribute (KEY, self.KEY, settings.KEY), "" for anything else.
func constantName(e syntax.Node) string {
	name := e.Text()
	if e.Type() == "attribute" {
		name = e.ChildByFieldName("attribute").Text()
	} else if e.Type() != "identifier" {
		return ""
	}
	if !settingName.MatchString(strings.TrimLeft(name, "_")) {
		return ""
	}
	return name
}

// constantLiteral returns the literal the constant e names was last
// assigned before: a name the function does not bind, from the module's
// assignments, or self.NAME from its class body's; false when it has
// none.
func (s *fnState) constantLiteral(e syntax.Node) (Literal, bool) {
	var consts []Setting
	name := constantName(e)
	switch e.Type() {
	case "identifier":
		if _, bound := s.env[name]; bound {
			return Literal{}, false
		}
		consts = s.l.m.Settings
	case "attribute":
		obj := e.ChildByFieldName("object")
		if obj.Type() != "identifier" || !s.isSelf(obj.Text()) || s.fn.Class < 0 || int(s.fn.Class) >= len(s.l.m.Classes) {
			return Literal{}, false
		}
		consts = s.l.m.Classes[s.fn.Class].Consts
	}
	for i := len(consts) - 1; i >= 0; i-- {
		if consts[i].Name == name {
			return consts[i].Value, true
		}
	}
	return Literal{}, false
}

// upperStart reports whether a name starts with an upper-case letter, as
// a constant's does.
func upperStart(name string) bool { return name != "" && name[0] >= 'A' && name[0] <= 'Z' }

// str is the value of a string: its interpolations' values, escaped by
// !r and !a, else their str() (OpText).
func (s *fnState) str(n syntax.Node) Value {
	var v Value
	for c := n.FirstChild(); !c.IsNull(); c = c.NextSibling() {
		switch c.Type() {
		case "interpolation":
			iv := s.expr(c.ChildByFieldName("expression"))
			kind := OpText
			if conv := c.ChildByFieldName("type_conversion"); !conv.IsNull() && strings.ContainsAny(conv.Text(), "ra") {
				kind = OpEscape
			}
			v = v.Union(iv.With(Op{Kind: kind, Span: span(c)}))
		case "string":
			v = v.Union(s.str(c))
		}
	}
	return v
}

// comprehension binds its loop variables to what they iterate and
// returns its element's value; a condition makes it a filtered copy.
func (s *fnState) comprehension(n syntax.Node) Value {
	type saved struct {
		v     Value
		bound bool
	}
	restore := map[string]saved{}
	var filters []int32
	selective, leaky := false, false
	iter := ""
	for c := n.FirstChild(); !c.IsNull(); c = c.NextSibling() {
		switch c.Type() {
		case "for_in_clause":
			iter += c.ChildByFieldName("right").Text()
			it := s.expr(c.ChildByFieldName("right"))
			for _, name := range boundNames(c.ChildByFieldName("left")) {
				if _, ok := restore[name]; !ok {
					v, bound := s.env[name]
					restore[name] = saved{v, bound}
				}
			}
			s.bind(c.ChildByFieldName("left"), it.With(Op{Kind: OpIter, Span: span(c)}))
		case "if_clause":
			filters = append(filters, s.cond(c.NamedChild(0)))
			selective = selective || selects(c.NamedChild(0))
			leaky = leaky || s.keepsCredentials(c.NamedChild(0), false, iter)
		}
	}
	body := n.ChildByFieldName("body")
	masked := false
	if test, negated := maskedValue(body); !test.IsNull() {
		// A value masked by a list of names is filtered by it.
		masked = s.masks(test, negated, iter)
	}
	v := s.expr(body)
	for name, old := range restore {
		if old.bound {
			s.env[name] = old.v
		} else {
			delete(s.env, name)
		}
	}
	var truth Value
	if len(filters) > 0 || masked {
		// A filtered copy, when a condition selects elements by name;
		// its truth says that its conditions held for some element.
		filter := Op{Kind: OpFilter, Span: span(n)}
		if (selective || masked) && !leaky {
			v = v.With(filter)
		}
		for _, t := range filters {
			if t >= 0 {
				truth = truth.Union(Value{{Root: RootCond, Index: t, Ops: []Op{filter}}})
			}
		}
	}
	if (n.Type() == "list_comprehension" || n.Type() == "set_comprehension") && len(v) > 0 {
		// A list or a set, each of whose items is the element: written
		// whole, the repr of its items. (A dictionary's stays its
		// values, which items(), get() and lists() read.)
		idx := int32(len(s.fn.code.Seqs))
		s.fn.code.Seqs = append(s.fn.code.Seqs, Seq{Items: []Value{v}, Span: span(n), Each: true})
		v = Value{{Root: RootSeq, Index: idx}}
	}
	return v.Union(truth)
}

// selects reports whether a comprehension's condition selects elements
// by name, as an allow- or deny-list does: a membership test (k in
// ALLOWED, k.lower() not in SECRETS), a comparison with a string, a
// prefix or suffix test other than the one every header has
// (startswith("HTTP_")), a helper or a pattern given a name
// (is_safe(k), SAFE_RE.match(k)), or a negation or combination of one. A test of
// the value (if v) or of every header's prefix keeps everything a list
// would drop.
func selects(n syntax.Node) bool {
	switch n.Type() {
	case "parenthesized_expression":
		return n.NamedChildCount() == 1 && selects(n.NamedChild(0))
	case "not_operator":
		return selects(n.ChildByFieldName("argument"))
	case "boolean_operator":
		return selects(n.ChildByFieldName("left")) || selects(n.ChildByFieldName("right"))
	case "comparison_operator":
		str := false
		for c := n.FirstChild(); !c.IsNull(); c = c.NextSibling() {
			switch t := c.Type(); {
			case t == "in" || t == "not in" || t == "not" || t == "is":
				if t != "is" {
					return true
				}
			case t == "string":
				str = true
			}
		}
		return str
	case "call":
		fn, args := n.ChildByFieldName("function"), n.ChildByFieldName("arguments")
		if fn.IsNull() || args.IsNull() || args.NamedChildCount() == 0 {
			return false
		}
		if fn.Type() == "attribute" {
			switch fn.ChildByFieldName("attribute").Text() {
			case "startswith", "endswith":
				lit, ok := stringLiteral(args.NamedChild(0))
				return !ok || !strings.EqualFold(strings.TrimSuffix(lit, "_"), "http")
			}
		} else if valueTests[fn.Text()] {
			return false
		}
		// A helper or a pattern given a name (is_safe(k),
		// SAFE_RE.match(k)) judges it.
		for c := args.FirstChild(); !c.IsNull(); c = c.NextSibling() {
			if t := c.Type(); t == "identifier" || t == "attribute" {
				return true
			}
		}
	}
	return false
}

// valueTests are builtins a condition tests a value with, not a name.
var valueTests = map[string]bool{"len": true, "bool": true, "str": true, "int": true, "float": true, "isinstance": true, "callable": true, "hasattr": true, "any": true, "all": true}

// withoutConsts returns v without its constants.
func withoutConsts(v Value) Value {
	for i, a := range v {
		if a.Root == RootConst {
			out := slices.Clone(v[:i])
			for _, b := range v[i+1:] {
				if b.Root != RootConst {
					out = append(out, b)
				}
			}
			return out
		}
	}
	return v
}

// boundNames returns the plain names a target binds.
func boundNames(n syntax.Node) []string {
	if n.Type() == "identifier" {
		return []string{n.Text()}
	}
	var out []string
	for c := n.FirstChild(); !c.IsNull(); c = c.NextSibling() {
		if c.IsNamed() {
			out = append(out, boundNames(c)...)
		}
	}
	return out
}

// literalPrefix returns the string literal a concatenation with + starts
// with, "" for none: "app." for "app." + name, and for ("app." + a) + b.
func literalPrefix(n syntax.Node) string {
	for n.Type() == "binary_operator" {
		if op := n.ChildByFieldName("operator"); op.IsNull() || op.Type() != "+" {
			return ""
		}
		n = n.ChildByFieldName("left")
	}
	if n.Type() != "string" {
		return ""
	}
	lit, _ := stringLiteral(n)
	return lit
}

// stringLiteral returns the content of a string without interpolations,
// or of strings written one after the other, escapes kept as written; ok
// is false for an f-string with any.
func stringLiteral(n syntax.Node) (string, bool) {
	var b strings.Builder
	for c := n.FirstChild(); !c.IsNull(); c = c.NextSibling() {
		switch c.Type() {
		case "interpolation":
			return "", false
		case "string_content", "escape_sequence":
			b.WriteString(c.Text())
		case "string": // of a concatenated_string: 'a %r ' 'b'
			lit, ok := stringLiteral(c)
			if !ok {
				return "", false
			}
			b.WriteString(lit)
		}
	}
	return b.String(), true
}

// isExtra reports whether n is a comment or a line continuation (a
// backslash before a line break): a node tree-sitter puts anywhere,
// which is no operand or item. (An ERROR node may be an extra too, and is
// kept: broken code's items are still its items.)
func isExtra(n syntax.Node) bool {
	return n.Type() == "comment" || n.Type() == "line_continuation"
}
