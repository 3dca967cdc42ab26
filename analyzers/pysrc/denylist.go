package pysrc

import (
	"slices"
	"strings"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// A copy of the request's headers filtered by name is a sanitizer (an
// allow- or a deny-list, OpFilter), but for a deny-list written out in
// the module that keeps a header every request's credentials travel in:
// {k: v for k, v in request.headers.items() if k != "Authorization"}
// still holds the cookies. A name is kept unless the list spells it as
// the comprehension compares it: request.headers gives "Cookie",
// request.META "HTTP_COOKIE", and k.lower() their lower case. A copy
// that masks the values a test picks ({k: "***" if k in SECRET else v
// for …}) is filtered only by a list written out, a deny-list that
// drops both credentials or an allow-list.

// credentialHeaders are the headers a deny-list of request headers must
// drop for the copy it leaves to hold no credential, as request.headers
// and request.META name them.
var credentialHeaders = [][2]string{{"Authorization", "HTTP_AUTHORIZATION"}, {"Cookie", "HTTP_COOKIE"}}

// A nameTest is what a test on a comprehension's key keeps: the names it
// drops (deny) or the only ones it keeps, written out in the module, and
// how it reads the key (its lower() or upper(), or as is). unknown is
// set for a list the module does not write out.
type nameTest struct {
	names   []string
	deny    bool
	unknown bool
	form    string
}

// keyTest reads a comprehension's test on its key, shown when the test
// holds (negated: when it fails); false for a test of anything else.
func (s *fnState) keyTest(n syntax.Node, negated bool, depth int) (nameTest, bool) {
	if n.IsNull() || depth > 8 {
		return nameTest{}, false
	}
	switch n.Type() {
	case "parenthesized_expression":
		if n.NamedChildCount() == 1 {
			return s.keyTest(n.NamedChild(0), negated, depth+1)
		}
	case "not_operator":
		return s.keyTest(n.ChildByFieldName("argument"), !negated, depth+1)
	case "boolean_operator":
		// a and b keeps what passes both: the names each drops;
		// not (a or b) likewise.
		op := n.ChildByFieldName("operator")
		if op.IsNull() || (op.Type() == "and") == negated {
			return nameTest{}, false
		}
		l, ok := s.keyTest(n.ChildByFieldName("left"), negated, depth+1)
		if !ok || !l.deny {
			return nameTest{}, false
		}
		r, ok := s.keyTest(n.ChildByFieldName("right"), negated, depth+1)
		if !ok || !r.deny || r.form != l.form {
			return nameTest{}, false
		}
		return nameTest{names: append(l.names, r.names...), deny: true, unknown: l.unknown || r.unknown, form: l.form}, true
	case "comparison_operator":
		return s.compared(n, negated)
	}
	return nameTest{}, false
}

// compared reads a comparison of the key (or its lower() or upper())
// with a string or a collection of strings.
func (s *fnState) compared(n syntax.Node, negated bool) (nameTest, bool) {
	if n.NamedChildCount() != 2 {
		return nameTest{}, false
	}
	var op string
	for c := n.FirstChild(); !c.IsNull(); c = c.NextSibling() {
		if !c.IsNamed() {
			op = c.Type()
		}
	}
	left, right := n.NamedChild(0), n.NamedChild(1)
	form, ok := keyForm(left)
	if !ok {
		return nameTest{}, false
	}
	t := nameTest{form: form}
	switch op {
	case "not in", "in":
		t.deny = (op == "not in") != negated
		names, ok := s.stringsOf(right)
		t.names, t.unknown = names, !ok
	case "!=", "==":
		lit, ok := stringLiteral(right)
		if !ok || right.Type() != "string" {
			return nameTest{}, false
		}
		t.deny = (op == "!=") != negated
		t.names = []string{lit}
	default:
		return nameTest{}, false
	}
	return t, true
}

// dropsCredentials reports whether a deny-list drops every credential
// header of a comprehension over iter (the text of what it iterates),
// as the test spells the key.
func (t nameTest) dropsCredentials(iter string) bool {
	meta := strings.Contains(iter, "META")
	for _, h := range credentialHeaders {
		name := h[0]
		if meta {
			name = h[1]
		}
		switch t.form {
		case "lower", "casefold":
			name = strings.ToLower(name)
		case "upper":
			name = strings.ToUpper(name)
		}
		if !slices.Contains(t.names, name) {
			return false
		}
	}
	return true
}

// headersCopy reports whether a comprehension iterates over the request's
// headers or META, by the text of what it iterates.
func headersCopy(iter string) bool {
	return strings.Contains(iter, "headers") || strings.Contains(iter, "META")
}

// keepsCredentials reports whether a comprehension over the headers or
// META is filtered by test (shown when it holds; negated, when it fails)
// as a deny-list written out that keeps a credential header.
func (s *fnState) keepsCredentials(test syntax.Node, negated bool, iter string) bool {
	t, ok := s.keyTest(test, negated, 0)
	return ok && headersCopy(iter) && t.deny && !t.unknown && !t.dropsCredentials(iter)
}

// masks reports whether a comprehension's value masked by test (shown
// when it holds; negated, when it fails) is filtered by it: a list
// written out, an allow-list or a deny-list that drops every credential
// header.
func (s *fnState) masks(test syntax.Node, negated bool, iter string) bool {
	t, ok := s.keyTest(test, negated, 0)
	return ok && !t.unknown && (!t.deny || headersCopy(iter) && t.dropsCredentials(iter))
}

// keyForm reads the key a comparison tests: a plain name (""), or one
// lowered or raised in case (k.lower(): "lower").
func keyForm(n syntax.Node) (string, bool) {
	if n.Type() == "identifier" {
		return "", true
	}
	fn := n.ChildByFieldName("function")
	if n.Type() != "call" || fn.IsNull() || fn.Type() != "attribute" || fn.ChildByFieldName("object").Type() != "identifier" {
		return "", false
	}
	switch m := fn.ChildByFieldName("attribute").Text(); m {
	case "lower", "upper", "casefold":
		return m, true
	}
	return "", false
}

// stringsOf returns the strings of a display of strings (or of a set or
// tuple made of one), or of a constant the module or the class assigns
// one: false when any item is something else.
func (s *fnState) stringsOf(n syntax.Node) ([]string, bool) {
	var l Literal
	switch n.Type() {
	case "list", "tuple", "set":
		l = literal(n)
	case "identifier", "attribute":
		var ok bool
		if l, ok = s.constantLiteral(n); !ok {
			return nil, false
		}
	case "call":
		// frozenset(("Authorization", "Cookie"))
		fn, args := n.ChildByFieldName("function"), n.ChildByFieldName("arguments")
		switch fn.Text() {
		case "frozenset", "set", "tuple", "list":
			if !args.IsNull() && args.NamedChildCount() == 1 {
				return s.stringsOf(args.NamedChild(0))
			}
		}
		return nil, false
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
// test and whether the value shows when it fails; no node when the body
// masks nothing.
func maskedValue(body syntax.Node) (test syntax.Node, negated bool) {
	if !body.IsNull() && body.Type() == "pair" {
		body = body.ChildByFieldName("value")
	}
	for !body.IsNull() && body.Type() == "parenthesized_expression" && body.NamedChildCount() == 1 {
		body = body.NamedChild(0)
	}
	if body.IsNull() || body.Type() != "conditional_expression" || body.NamedChildCount() != 3 {
		return syntax.Node{}, false
	}
	shown, test, other := body.NamedChild(0), body.NamedChild(1), body.NamedChild(2)
	switch {
	case maskConstant(shown) && !maskConstant(other):
		return test, true
	case maskConstant(other) && !maskConstant(shown):
		return test, false
	}
	return syntax.Node{}, false
}

// maskConstant reports whether n is what a mask writes: a string, None,
// or a constant's name (REDACTED).
func maskConstant(n syntax.Node) bool {
	switch n.Type() {
	case "string", "concatenated_string":
		_, ok := stringLiteral(n)
		return ok
	case "none":
		return true
	case "identifier":
		return constantName(n) != ""
	}
	return false
}
