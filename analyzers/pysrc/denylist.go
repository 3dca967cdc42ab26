package pysrc

import (
	"slices"
	"strings"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// A copy of the request's headers filtered by name is a sanitizer (an
// allow- or a deny-list, OpFilter), but for a deny-list that keeps a
// header every request's credentials travel in, {k: v for k, v in
// request.headers.items() if k not in ("Authorization",)} still holding
// the cookies, or whose names the module does not write out (a
// setting's, whose default may be as short). The same holds of a copy
// that masks the values a test picks, {k: "***" if k in SENSITIVE else v
// for …}.

// credentialHeaders are the headers a deny-list of request headers must
// name for the copy it leaves to hold no credential.
var credentialHeaders = []string{"authorization", "cookie"}

// keepsCredentials reports whether a comprehension over the headers or
// META (iter is the text of what it iterates) is filtered by test, shown
// when the test is true (negated: when it is false), as a deny-list that
// lacks a credential header; unknown when the module does not write its
// names out (self.sensitive_headers).
func (s *fnState) keepsCredentials(test *syntax.Node, negated bool, iter string) (keeps, unknown bool) {
	if !strings.Contains(iter, "headers") && !strings.Contains(iter, "META") {
		return false, false
	}
	d, ok := s.denied(test, negated, 0)
	if !ok || d.unknown {
		return false, ok
	}
	for _, h := range credentialHeaders {
		if !slices.ContainsFunc(d.names, func(n string) bool { return headerName(n) == h }) {
			return true, false
		}
	}
	return false, false
}

// headerName returns a header's name as HTTP spells it, in lower case:
// HTTP_COOKIE and Cookie are cookie.
func headerName(name string) string {
	name = strings.ReplaceAll(strings.ToLower(name), "_", "-")
	return strings.TrimPrefix(name, "http-")
}

// A denial is what a deny test drops: the names it writes out, or a list
// the module does not (unknown).
type denial struct {
	names   []string
	unknown bool
}

// denied returns what a test drops when what passes it is kept (negated:
// what fails it): k not in DENIED, k != "Authorization", not k in
// DENIED, and of such tests; false for any other test (an allow-list, a
// helper).
func (s *fnState) denied(n *syntax.Node, negated bool, depth int) (denial, bool) {
	if n == nil || depth > 8 {
		return denial{}, false
	}
	switch n.Type() {
	case "parenthesized_expression":
		if n.NamedChildCount() == 1 {
			return s.denied(n.NamedChild(0), negated, depth+1)
		}
	case "not_operator":
		return s.denied(n.ChildByFieldName("argument"), !negated, depth+1)
	case "boolean_operator":
		// a and b keeps what passes both: the names each drops;
		// not (a or b) likewise.
		op := n.ChildByFieldName("operator")
		if op == nil || (op.Type() == "and") == negated {
			return denial{}, false
		}
		l, ok := s.denied(n.ChildByFieldName("left"), negated, depth+1)
		if !ok {
			return denial{}, false
		}
		r, ok := s.denied(n.ChildByFieldName("right"), negated, depth+1)
		return denial{names: append(l.names, r.names...), unknown: l.unknown || r.unknown}, ok
	case "comparison_operator":
		return s.compared(n, negated)
	}
	return denial{}, false
}

// compared reads a comparison of a name (or its lower() or upper()) with
// a string or a collection of strings: what it drops when what passes is
// kept (negated: what fails).
func (s *fnState) compared(n *syntax.Node, negated bool) (denial, bool) {
	if n.NamedChildCount() != 2 {
		return denial{}, false
	}
	var op string
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if !c.IsNamed() {
			op = c.Type()
		}
	}
	left, right := n.NamedChild(0), n.NamedChild(1)
	if !nameOperand(left) {
		return denial{}, false
	}
	switch {
	case op == "not in" && !negated, op == "in" && negated:
		names, ok := s.stringsOf(right)
		return denial{names: names, unknown: !ok}, true
	case op == "!=" && !negated, op == "==" && negated:
		if lit, ok := stringLiteral(right); ok && right.Type() == "string" {
			return denial{names: []string{lit}}, true
		}
	}
	return denial{}, false
}

// nameOperand reports whether n is a plain name, or one lowered or
// raised in case (k.lower()).
func nameOperand(n *syntax.Node) bool {
	if n.Type() == "identifier" {
		return true
	}
	fn := n.ChildByFieldName("function")
	if n.Type() != "call" || fn == nil || fn.Type() != "attribute" {
		return false
	}
	switch fn.ChildByFieldName("attribute").Text() {
	case "lower", "upper", "casefold":
		return fn.ChildByFieldName("object").Type() == "identifier"
	}
	return false
}

// stringsOf returns the strings of a display of strings, or of a
// constant the module or the class assigns one: false when any item is
// something else.
func (s *fnState) stringsOf(n *syntax.Node) ([]string, bool) {
	var l Literal
	switch n.Type() {
	case "list", "tuple", "set":
		l = literal(n)
	case "identifier", "attribute":
		var ok bool
		if l, ok = s.constantLiteral(n); !ok {
			return nil, false
		}
	default:
		return nil, false
	}
	strs := l.Strings()
	if l.Kind != LitList || len(strs) != len(l.Items) {
		return nil, false
	}
	return strs, true
}

// maskedValue returns, for a comprehension's body that shows a value or
// a constant mask by a test ({k: "***" if k in SECRET else v}), the
// test and whether the value shows when it fails; nil when the body
// masks nothing.
func maskedValue(body *syntax.Node) (test *syntax.Node, negated bool) {
	if body != nil && body.Type() == "pair" {
		body = body.ChildByFieldName("value")
	}
	for body != nil && body.Type() == "parenthesized_expression" && body.NamedChildCount() == 1 {
		body = body.NamedChild(0)
	}
	if body == nil || body.Type() != "conditional_expression" || body.NamedChildCount() != 3 {
		return nil, false
	}
	shown, test, other := body.NamedChild(0), body.NamedChild(1), body.NamedChild(2)
	switch {
	case maskConstant(shown) && !maskConstant(other):
		return test, true
	case maskConstant(other) && !maskConstant(shown):
		return test, false
	}
	return nil, false
}

// maskConstant reports whether n is what a mask writes: a string or
// None.
func maskConstant(n *syntax.Node) bool {
	switch n.Type() {
	case "string", "concatenated_string":
		_, ok := stringLiteral(n)
		return ok
	case "none":
		return true
	}
	return false
}
