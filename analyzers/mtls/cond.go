package mtls

import (
	"strings"

	"github.com/residue-sec/residue/analyzers/source"
)

// test evaluates n as a condition: what holds when it is true and when it
// is false, and its value. Calls in a condition establish nothing by
// returning (they are tested), so pending facts are left as they were.
func (fr *frame) test(n *source.Node) (condition, value) {
	saved := fr.pending
	defer func() { fr.pending = saved }()
	if n == nil {
		return condition{}, value{}
	}
	switch n.Type() {
	case "parenthesized_expression", "await":
		if n.NamedChildCount() == 1 {
			return fr.test(n.NamedChild(0))
		}
	case "not_operator":
		c, v := fr.test(n.ChildByFieldName("argument"))
		return c.not(), v.derived()
	case "boolean_operator":
		l, lv := fr.test(n.ChildByFieldName("left"))
		r, rv := fr.test(n.ChildByFieldName("right"))
		v := lv.union(rv).derived()
		if op := n.ChildByFieldName("operator"); op != nil && op.Type() == "or" {
			return condition{t: l.t.meet(r.t), f: l.f.with(r.f)}, v
		}
		return condition{t: l.t.with(r.t), f: l.f.meet(r.f)}, v
	case "comparison_operator":
		return fr.comparison(n)
	case "call":
		if c, v, ok := fr.quantifier(n); ok {
			return c, v
		}
	}
	v := fr.eval(n)
	return truthiness(n, v), v
}

// truthiness is what testing v (at n) for truth establishes: a bound test
// is that test; a verification status tested for truth or presence is a
// weak check; certificate data tested is a gate.
func truthiness(n *source.Node, v value) condition {
	switch {
	case v.cond != nil:
		return *v.cond
	case v.status != nil:
		w := &check{node: n, spoofable: v.status.key.spoofable, how: "only tests it for truth", key: v.status.key.name}
		g := &gate{node: n, status: v.status, weak: w}
		return condition{
			t: facts{weak: w, gates: []*gate{g}},
			f: facts{gates: []*gate{g}},
		}
	case v.data():
		g := &gate{node: n, origins: v.origins}
		return condition{t: facts{gates: []*gate{g}}, f: facts{gates: []*gate{g}}}
	}
	return condition{}
}

// quantifier handles any(<test> for x in xs) and all(...): true means the
// test held for some (every) element.
func (fr *frame) quantifier(n *source.Node) (condition, value, bool) {
	name := fr.a.dotted(n.ChildByFieldName("function"))
	args := n.ChildByFieldName("arguments")
	if name != "any" && name != "all" || args == nil || args.Type() != "generator_expression" {
		return condition{}, value{}, false
	}
	for i := 0; i < int(args.NamedChildCount()); i++ {
		if c := args.NamedChild(i); c.Type() == "for_in_clause" {
			fr.bind(c.ChildByFieldName("left"), fr.eval(c.ChildByFieldName("right")).derived(), n)
		}
	}
	c, v := fr.test(args.ChildByFieldName("body"))
	return condition{t: c.t}, v.derived(), true
}

// comparison evaluates a comparison: presence tests of keys, tests of the
// verification status, of the peer address against the trusted proxies,
// of a certificate digest against pins, and tests of certificate data.
func (fr *frame) comparison(n *source.Node) (condition, value) {
	if n.NamedChildCount() != 2 {
		return condition{}, fr.union(n)
	}
	left, right := n.NamedChild(0), n.NamedChild(1)
	op := operator(n)
	rv := fr.eval(right)
	if (op == "in" || op == "not in") && (rv.kind == metaKind || rv.kind == headersKind) {
		return fr.presence(n, op, fr.readKey(rv.kind, left, n, nil))
	}
	lv := fr.eval(left)
	// A function's result compared to "SUCCESS" is the status it returns
	// (status(request) != "SUCCESS"); the status's key is the server's.
	if lv.called != "" && lv.status == nil && fr.isSuccess(right) {
		lv.status = &origin{node: left, key: keyInfo{name: lv.called + "()", class: verifyKey}}
	}
	if rv.called != "" && rv.status == nil && fr.isSuccess(left) {
		rv.status = &origin{node: right, key: keyInfo{name: rv.called + "()", class: verifyKey}}
	}
	v := lv.union(rv).derived()
	v.status, v.peer, v.fingerprint, v.header = nil, false, false, false
	switch {
	case lv.status != nil && rv.status == nil:
		return fr.status(n, op, lv, right, false), v
	case rv.status != nil && lv.status == nil:
		return fr.status(n, op, rv, left, op == "in" || op == "not in"), v
	case (lv.peer || rv.peer || fr.a.isProxyList(left) || fr.a.isProxyList(right)) &&
		!lv.header && !rv.header && !lv.known() && !rv.known():
		return branch(op, facts{guarded: &check{node: n}}), v
	case lv.fingerprint && !rv.fingerprint && !rv.header && !rv.data(), rv.fingerprint && !lv.fingerprint && !lv.header && !lv.data():
		return branch(op, facts{verified: &check{node: n, spoofable: spoofable(lv.union(rv))}}), v
	case lv.data() || rv.data():
		g := &gate{node: n, origins: v.origins, parse: v.parse, parser: v.parser, compares: op != "is" && op != "is not"}
		return condition{t: facts{gates: []*gate{g}}, f: facts{gates: []*gate{g}}}, v
	}
	return condition{}, v
}

// isSuccess reports whether n is the literal "SUCCESS" (or a constant of it).
func (fr *frame) isSuccess(n *source.Node) bool {
	s, ok := fr.a.stringValue(n, fr.class)
	return ok && strings.EqualFold(strings.TrimSpace(s), successStatus)
}

// branch puts what an equality or membership test establishes on its
// true branch (==, in) or, negated, on its false branch (!=, not in).
func branch(op string, f facts) condition {
	switch op {
	case "==", "in", "is":
		return condition{t: f}
	case "!=", "not in", "is not":
		return condition{f: f}
	}
	return condition{}
}

// operator returns a comparison's operator ("==", "not in", ...).
func operator(n *source.Node) string {
	for i := 0; i < int(n.ChildCount()); i++ {
		if c := n.Child(i); !c.IsNamed() && n.FieldNameForChild(i) == "operators" {
			return c.Type()
		}
	}
	return ""
}

// presence is `"KEY" in request.META`: for the verification status a weak
// check, for certificate data a gate.
func (fr *frame) presence(n *source.Node, op string, kv value) (condition, value) {
	present := condition{}
	switch {
	case kv.status != nil:
		w := &check{node: n, spoofable: kv.status.key.spoofable, how: "only tests that it is present", key: kv.status.key.name}
		g := &gate{node: n, status: kv.status, weak: w}
		present = condition{
			t: facts{weak: w, gates: []*gate{g}},
			f: facts{gates: []*gate{g}},
		}
	case kv.data():
		g := &gate{node: n, origins: kv.origins}
		present = condition{t: facts{gates: []*gate{g}}, f: facts{gates: []*gate{g}}}
	}
	v := kv.derived()
	v.status = nil
	if op == "not in" {
		return present.not(), v
	}
	return present, v
}

// status is a test of a verification status sv against other: only
// equality with "SUCCESS" (and a status that does not default to it)
// verifies; other comparisons are weak checks. substring is set for
// `"SUCCESS" in status`. A comparison with a value the analysis cannot
// read (a setting) is trusted.
func (fr *frame) status(n *source.Node, op string, sv value, other *source.Node, substring bool) condition {
	g := &gate{node: n, status: sv.status, compares: true}
	sp := sv.status.key.spoofable
	strong := &check{node: n, spoofable: sp}
	weak := func(how string) *check { return &check{node: n, spoofable: sp, how: how, key: sv.status.key.name} }
	lits := fr.a.strings(other, fr.class)
	onlySuccess := len(lits) > 0
	hasSuccess := false
	for _, l := range lits {
		if strings.EqualFold(strings.TrimSpace(l), successStatus) {
			hasSuccess = true
		} else {
			onlySuccess = false
		}
	}
	var c condition
	switch {
	case substring:
		c.t.weak = weak(`tests whether "SUCCESS" is a substring of it`)
		if op == "not in" {
			c = c.not()
		}
	case other != nil && other.Type() == "none":
		c.t.weak = weak("tests it against None (presence)")
		if op == "is" || op == "==" {
			c = c.not()
		}
	case op == "==" || op == "in":
		switch {
		case len(lits) == 0:
			c.t.verified = strong
		case onlySuccess && sv.defaultSuccess:
			c.t.weak = weak(`reads it with "SUCCESS" as the default, so a missing status passes`)
		case onlySuccess:
			c.t.verified = strong
		default:
			c.t.weak = weak("accepts " + quoteAll(lits))
		}
	case op == "!=" || op == "not in":
		switch {
		case len(lits) == 0:
			c.f.verified = strong
		case onlySuccess && sv.defaultSuccess:
			c.f.weak = weak(`reads it with "SUCCESS" as the default, so a missing status passes`)
		case onlySuccess:
			c.f.verified = strong
		case !hasSuccess:
			c.t.weak = weak("only rejects " + quoteAll(lits) + `, so "FAILED:reason" and "GENEROUS" pass`)
		default:
			c.f.weak = weak("accepts " + quoteAll(lits))
		}
	}
	g.verifies = c.t.verified
	if g.verifies == nil {
		g.verifies = c.f.verified
	}
	g.weak = c.t.weak
	if g.weak == nil {
		g.weak = c.f.weak
	}
	c.t.gates = []*gate{g}
	c.f.gates = []*gate{g}
	return c
}

func quoteAll(lits []string) string {
	q := make([]string, len(lits))
	for i, l := range lits {
		q[i] = `"` + l + `"`
	}
	return strings.Join(q, ", ")
}
