package ctypes

import (
	"strconv"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// foreignCalls exports every foreign call of a scope and checks its
// buffer arguments' lengths; it also checks memmove, memset and
// string_at, and exports the bindings of prototype instances.
func (a *analysis) foreignCalls(s *scope) {
	for _, c := range s.calls {
		a.exportHandedPointers(s, c)
		if fp, ok := s.fpOfCall(c, 0); ok {
			if fp.proto != nil {
				a.exportPrototypeInstance(s, fp, c)
			}
			continue
		}
		fn := c.ChildByFieldName("function")
		if fp, ok := s.fpOf(fn, 0); ok {
			a.exportCall(s, c, fp)
			a.checkLengths(s, c, fp)
			a.checkNulReads(s, c, fp)
			continue
		}
		switch a.ctypesName(fn) {
		case "memmove":
			a.checkFixed(s, c, [][2]int{{0, 2}, {1, 2}})
		case "memset":
			a.checkFixed(s, c, [][2]int{{0, 2}})
		case "string_at":
			a.checkFixed(s, c, [][2]int{{0, 1}})
			a.checkStringAt(s, c)
		}
	}
}

// exportCall exports a foreign call for Finish: its arity, whether its
// result is used and escapes, and which arguments are sizes or addresses.
func (a *analysis) exportCall(s *scope, c *source.Node, fp foreign) {
	args := positional(c)
	nargs := strconv.Itoa(len(args))
	if splatted(c) {
		nargs = "*"
	}
	flags := ""
	if p := c.Parent(); p != nil && p.Type() != "expression_statement" {
		flags += "u"
	}
	if s.escapes(c) {
		flags += "e"
	}
	values := []string{fp.lib, nargs, flags}
	for _, arg := range args {
		values = append(values, s.argClass(arg, 0)+"\t"+strings.Join(strings.Fields(a.text(arg)), " "))
	}
	a.pass.Export(analyzers.Fact{Kind: factCall, Key: fp.sym, Values: values, Location: a.pass.Location(c, "foreign call")})
}

// argClass classifies an argument for a call without argtypes: "addr"
// (addressof, a Python int holding a pointer), "size" (len, sizeof or
// arithmetic on them), "big" (an integer literal that needs more than 32
// bits), or "other".
func (s *scope) argClass(n *source.Node, depth int) string {
	if n == nil || depth > maxDepth {
		return "other"
	}
	switch n.Type() {
	case "integer":
		if b := newSizer(s, n.StartByte()).eval(n, 0); b.op != 0 || !b.lin.isConst() || b.lin.c >= 1<<31 {
			return "big"
		}
	case "call":
		switch s.a.calleeName(n) {
		case "addressof":
			return "addr"
		case "len", "sizeof":
			return "size"
		}
	case "attribute":
		if s.a.text(n.ChildByFieldName("attribute")) == "_length_" {
			return "size"
		}
	case "binary_operator":
		if l := s.argClass(n.ChildByFieldName("left"), depth+1); l != "other" {
			return l
		}
		return s.argClass(n.ChildByFieldName("right"), depth+1)
	case "parenthesized_expression":
		if n.NamedChildCount() == 1 {
			return s.argClass(n.NamedChild(0), depth+1)
		}
	case "identifier":
		if v, sc := s.single(s.a.text(n), n.StartByte()); v != nil {
			return sc.argClass(v, depth+1)
		}
	}
	return "other"
}

// escapes reports whether the value of expression n is returned or sent
// to a client: directly, or through the variable it is assigned to.
func (s *scope) escapes(n *source.Node) bool {
	if s.sunk(n) {
		return true
	}
	p := n.Parent()
	if p == nil || p.Type() != "assignment" {
		return false
	}
	left := p.ChildByFieldName("left")
	if left == nil || left.Type() != "identifier" {
		return false
	}
	for _, u := range s.uses[s.a.text(left)] {
		if u.StartByte() > p.EndByte() && s.sunk(u) {
			return true
		}
	}
	return false
}

// sunk reports whether the value of n ends up in a return or yield, or an
// argument of a response or a send, through expressions that carry its
// content (attributes, method calls, slices, concatenation, containers,
// bytes()).
func (s *scope) sunk(n *source.Node) bool {
	for c, p := n, n.Parent(); p != nil; c, p = p, p.Parent() {
		switch p.Type() {
		case "return_statement", "yield":
			return true
		case "argument_list":
			call := p.Parent()
			if call == nil {
				return false
			}
			if s.sinkCall(call) {
				return true
			}
			switch s.a.calleeName(call) {
			case "bytes", "bytearray", "str", "b64encode", "hexlify":
				continue
			}
			return false
		case "attribute", "call", "subscript", "parenthesized_expression", "binary_operator", "tuple", "list",
			"pair", "dictionary", "keyword_argument", "conditional_expression", "interpolation", "string",
			"expression_list", "set", "concatenated_string":
			if p.Type() == "call" && p.ChildByFieldName("function") != c {
				return false
			}
			continue
		}
		return false
	}
	return false
}

// sinkCall reports whether a call sends its arguments to a client: an
// HTTP response constructor or a send/write method.
func (s *scope) sinkCall(call *source.Node) bool {
	fn := call.ChildByFieldName("function")
	d := s.a.dotted(fn)
	last := d[strings.LastIndexByte(d, '.')+1:]
	if responseSinks[last] {
		return true
	}
	return fn != nil && fn.Type() == "attribute" && sendMethods[last]
}
