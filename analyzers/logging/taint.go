package logging

import (
	"strings"

	"github.com/residue-sec/residue/analyzers/source"
)

// kind says what object a value is, beyond its taint.
type kind uint8

const (
	plain kind = iota
	requestObj
	responseObj
)

// A value is what the analysis knows of an expression or a variable.
type value struct {
	kind   kind
	labels label
	// origin is the source expression the content came from (the first
	// one, for a value mixing several), steps the assignments it went
	// through, in order; both are nodes of the file being analyzed.
	origin *source.Node
	steps  []*source.Node
}

func (v value) tainted() bool { return v.labels != 0 }

// union merges the content of w into v; v's origin wins.
func (v value) union(w value) value {
	if !v.tainted() {
		w.kind = plain
		if w.tainted() {
			return w
		}
		return value{}
	}
	v.kind = plain
	v.labels |= w.labels
	return v
}

// without drops labels (a CR/LF escape drops rawHeader).
func (v value) without(l label) value {
	v.labels &^= l
	if !v.tainted() {
		return value{}
	}
	return v
}

// env maps variable names (and dotted self attributes) to values.
type env map[string]value

// evaluator computes values of expressions in one function.
type evaluator struct {
	a   *analysis
	env env
}

// eval returns the value of expression n.
func (e *evaluator) eval(n *source.Node) value {
	if n == nil {
		return value{}
	}
	switch n.Type() {
	case "identifier":
		return e.env[e.a.text(n)]
	case "attribute":
		return e.attribute(n)
	case "subscript":
		return e.subscript(n)
	case "call":
		return e.call(n)
	case "string", "concatenated_string":
		return e.fstring(n)
	case "binary_operator", "boolean_operator":
		return e.eval(n.ChildByFieldName("left")).union(e.eval(n.ChildByFieldName("right")))
	case "conditional_expression", "list", "tuple", "set", "expression_list", "parenthesized_expression",
		"list_splat", "dictionary_splat", "await", "pair", "dictionary", "keyword_argument":
		return e.children(n)
	case "list_comprehension", "set_comprehension", "generator_expression", "dictionary_comprehension":
		return e.comprehension(n)
	case "comparison_operator", "not_operator", "lambda", "integer", "float", "true", "false", "none":
		return value{}
	}
	return value{}
}

// children is the union of the values of n's named children.
func (e *evaluator) children(n *source.Node) value {
	var v value
	for i := 0; i < int(n.NamedChildCount()); i++ {
		c := n.NamedChild(i)
		if n.Type() == "keyword_argument" && c.Type() == "identifier" && i == 0 {
			continue
		}
		v = v.union(e.eval(c))
	}
	return v
}

func (e *evaluator) attribute(n *source.Node) value {
	obj := n.ChildByFieldName("object")
	attr := e.a.text(n.ChildByFieldName("attribute"))
	if key := e.a.text(n); strings.HasPrefix(key, "self.") {
		if v, ok := e.env[key]; ok {
			return v
		}
	}
	ov := e.eval(obj)
	switch ov.kind {
	case requestObj:
		if l, ok := requestSources[attr]; ok {
			return value{labels: l, origin: n}
		}
		return value{}
	case responseObj:
		if l, ok := responseSources[attr]; ok {
			return value{labels: l, origin: n}
		}
		return value{}
	}
	return ov
}

// subscript reads a key: of a header container, the key decides the
// label; of any other tainted value, the taint carries over.
func (e *evaluator) subscript(n *source.Node) value {
	obj := n.ChildByFieldName("value")
	if l, ok := e.headerKey(obj, n.ChildByFieldName("subscript")); ok {
		return value{labels: l, origin: n}
	}
	return e.eval(obj).without(0)
}

// headerKey classifies a key read from request.META/headers/environ when
// obj is such a container and key a string literal.
func (e *evaluator) headerKey(obj, key *source.Node) (label, bool) {
	if obj == nil || obj.Type() != "attribute" || key == nil || key.Type() != "string" {
		return 0, false
	}
	if !headerContainers[e.a.text(obj.ChildByFieldName("attribute"))] || e.eval(obj.ChildByFieldName("object")).kind != requestObj {
		return 0, false
	}
	k := strings.Trim(e.a.text(key), `"'`)
	norm := strings.ReplaceAll(k, "-", "_")
	switch {
	case serverKeys[k]:
		return 0, true
	case secretKeys.MatchString(norm):
		return secretData, true
	case strings.HasPrefix(strings.ToUpper(norm), "HTTP_") || obj.ChildByFieldName("attribute") != nil && e.a.text(obj.ChildByFieldName("attribute")) == "headers":
		return rawHeader, true
	}
	return 0, true
}

func (e *evaluator) call(n *source.Node) value {
	fn := n.ChildByFieldName("function")
	args := n.ChildByFieldName("arguments")
	name := e.a.dotted(fn)
	switch {
	case fn.Type() == "attribute":
		return e.methodCall(n, fn, args)
	case sanitizerName.MatchString(name) || e.a.sanitizers[name] || cleanFunctions[name]:
		return value{}
	case responseConstructors[name] || name == "get_response":
		return value{kind: responseObj}
	case propagators[name]:
		return e.propagate(name, args)
	}
	return value{}
}

// propagate is the value of a call to a propagator: its arguments'
// content, with CR/LF escaped by the functions that escape them.
func (e *evaluator) propagate(name string, args *source.Node) value {
	v := e.args(args)
	if crlfSafe[name] {
		v = v.without(rawHeader)
	}
	return v
}

func (e *evaluator) methodCall(n, fn, args *source.Node) value {
	obj := fn.ChildByFieldName("object")
	method := e.a.text(fn.ChildByFieldName("attribute"))
	full := e.a.dotted(fn)
	switch {
	case sanitizerName.MatchString(method) || e.a.sanitizers[method] || e.a.sanitizers[full] ||
		strings.HasPrefix(full, "hashlib.") || cleanMethods[method]:
		return value{}
	case method == "get_response" || responseConstructors[method]:
		return value{kind: responseObj}
	case propagators[full]:
		return e.propagate(full, args)
	}
	ov := e.eval(obj)
	if ov.kind == requestObj {
		if l, ok := requestMethodSources[method]; ok {
			return value{labels: l, origin: n}
		}
		return value{}
	}
	if method == "get" && args != nil {
		if l, ok := e.headerKey(obj, firstArg(args)); ok {
			return value{labels: l, origin: n}
		}
	}
	switch method {
	case "format", "join":
		return ov.union(e.args(args))
	case "replace":
		if e.escapesCRLF(n) {
			return ov.without(rawHeader)
		}
	case "encode":
		if strings.Contains(e.a.text(args), "unicode_escape") {
			return ov.without(rawHeader)
		}
	}
	return ov.without(0)
}

// escapesCRLF reports whether a .replace chain ending at call n removes
// both CR and LF (replacing "\r\n" alone leaves a bare LF).
func (e *evaluator) escapesCRLF(n *source.Node) bool {
	cr, lf := false, false
	for c := n; c != nil && c.Type() == "call"; {
		fn := c.ChildByFieldName("function")
		if fn == nil || fn.Type() != "attribute" || e.a.text(fn.ChildByFieldName("attribute")) != "replace" {
			break
		}
		old := strings.Trim(e.a.text(firstArg(c.ChildByFieldName("arguments"))), `"'`)
		switch old {
		case `\r`:
			cr = true
		case `\n`:
			lf = true
		}
		c = fn.ChildByFieldName("object")
	}
	return cr && lf
}

func firstArg(args *source.Node) *source.Node {
	if args == nil || args.NamedChildCount() == 0 {
		return nil
	}
	return args.NamedChild(0)
}

// args is the union of the values of a call's arguments.
func (e *evaluator) args(args *source.Node) value {
	if args == nil {
		return value{}
	}
	return e.children(args)
}

// fstring is the union of an f-string's interpolations; !r escapes CR/LF.
func (e *evaluator) fstring(n *source.Node) value {
	var v value
	for i := 0; i < int(n.NamedChildCount()); i++ {
		c := n.NamedChild(i)
		switch c.Type() {
		case "interpolation":
			iv := e.eval(c.ChildByFieldName("expression"))
			if conv := c.ChildByFieldName("type_conversion"); conv != nil && strings.Contains(e.a.text(conv), "r") {
				iv = iv.without(rawHeader)
			}
			v = v.union(iv)
		case "string":
			v = v.union(e.fstring(c))
		}
	}
	return v
}

// comprehension binds the loop variables to the iterable's value and
// returns the element's value. A comprehension with an `if` clause over
// the keys of a header container is a filtered copy (an allow- or
// deny-list), which the analysis trusts.
func (e *evaluator) comprehension(n *source.Node) value {
	saved := map[string]value{}
	var filtered bool
	for i := 0; i < int(n.NamedChildCount()); i++ {
		c := n.NamedChild(i)
		switch c.Type() {
		case "for_in_clause":
			it := e.eval(c.ChildByFieldName("right"))
			for _, name := range e.a.targets(c.ChildByFieldName("left")) {
				if _, ok := saved[name]; !ok {
					saved[name] = e.env[name]
				}
				e.env[name] = it
			}
		case "if_clause":
			filtered = true
		}
	}
	body := n.ChildByFieldName("body")
	v := e.eval(body)
	for name, old := range saved {
		e.env[name] = old
	}
	if filtered && v.labels&secretData != 0 {
		return value{}
	}
	return v
}
