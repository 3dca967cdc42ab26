package mtls

import (
	"regexp"
	"strings"

	"github.com/residue-sec/residue/analyzers/pysrc"
)

// test returns what test i establishes when it is true and when it is
// false, and its value; a test is judged once per walk.
func (vs *values) test(i int32) *tested {
	if t, ok := vs.tests[i]; ok {
		return t
	}
	t := &tested{}
	vs.tests[i] = t
	vs.fr.rp.work++
	if int(i) < len(vs.fr.fn.Code().Conds) {
		t.c, t.v = vs.judgeTest(&vs.fr.fn.Code().Conds[i])
	}
	return t
}

// judgeTest evaluates test t.
func (vs *values) judgeTest(t *pysrc.Cond) (condition, value) {
	at := vs.fr.at(t.Span)
	switch t.Kind {
	case pysrc.CondNot:
		k := vs.test(t.Kids[0])
		return k.c.not(), k.v.derived()
	case pysrc.CondAnd, pysrc.CondOr:
		l, r := vs.test(t.Kids[0]), vs.test(t.Kids[1])
		v := l.v.union(r.v).derived()
		if t.Kind == pysrc.CondOr {
			return condition{t: l.c.t.meet(r.c.t), f: l.c.f.with(r.c.f)}, v
		}
		return condition{t: l.c.t.with(r.c.t), f: l.c.f.meet(r.c.f)}, v
	case pysrc.CondCompare:
		return vs.comparison(t, at)
	}
	if len(t.Operands) == 0 {
		return condition{}, value{}
	}
	v := vs.value(t.Operands[0].Value)
	return truthiness(at, v), v
}

// truthiness is what testing v (at at) for truth establishes: a test's
// value is that test; a verification status tested for truth or
// presence is a weak check; certificate data tested is a gate.
func truthiness(at pysrc.Loc, v value) condition {
	switch {
	case v.cond != nil:
		return *v.cond
	case v.status != nil:
		w := &check{at: at, spoofable: v.status.spoofable(), how: "only tests it for truth", key: v.status.key().name}
		g := &gate{at: at, status: v.status, weak: w}
		return condition{
			t: facts{weak: w, gates: []*gate{g}},
			f: facts{gates: []*gate{g}},
		}
	case v.data():
		g := &gate{at: at, origins: v.origins}
		return condition{t: facts{gates: []*gate{g}}, f: facts{gates: []*gate{g}}}
	}
	return condition{}
}

// comparison evaluates a comparison: presence tests of keys, tests of the
// verification status, of the peer address against the trusted proxies,
// of a certificate digest against pins, and tests of certificate data.
func (vs *values) comparison(t *pysrc.Cond, at pysrc.Loc) (condition, value) {
	if len(t.Operands) != 2 {
		var v value
		for _, o := range t.Operands {
			v = v.union(vs.value(o.Value))
		}
		return condition{}, v.derived()
	}
	left, right := &t.Operands[0], &t.Operands[1]
	op := t.Op
	rv := vs.value(right.Value)
	if (op == "in" || op == "not in") && (rv.kind == metaKind || rv.kind == headersKind) {
		key := keyExpr{lit: first(left.Lits), literal: left.Literal && len(left.Lits) == 1, v: left.Value}
		return vs.presence(at, op, vs.readKey(rv.kind, key, at, nil))
	}
	lv := vs.value(left.Value)
	// A function's result compared to "SUCCESS" is the status it returns
	// (status(request) != "SUCCESS"); the status's key is the server's.
	if lv.called != "" && lv.status == nil && vs.isSuccess(right) {
		lv.status = &origin{at: vs.fr.at(left.Span), keys: []keyInfo{{name: lv.called + "()", class: verifyKey}}}
	}
	if rv.called != "" && rv.status == nil && vs.isSuccess(left) {
		rv.status = &origin{at: vs.fr.at(right.Span), keys: []keyInfo{{name: rv.called + "()", class: verifyKey}}}
	}
	v := lv.union(rv).derived()
	v.status, v.peer, v.fingerprint, v.header = nil, false, false, false
	switch {
	case lv.status != nil && rv.status == nil:
		return vs.status(at, op, lv, right, false), v
	case rv.status != nil && lv.status == nil:
		return vs.status(at, op, rv, left, op == "in" || op == "not in"), v
	case (lv.peer || rv.peer || vs.isProxyList(left) || vs.isProxyList(right)) &&
		!lv.header && !rv.header && !lv.known() && !rv.known():
		return branch(op, facts{guarded: &check{at: at}}), v
	case lv.fingerprint && !rv.fingerprint && !rv.header && !rv.data(), rv.fingerprint && !lv.fingerprint && !lv.header && !lv.data():
		return branch(op, facts{verified: &check{at: at, spoofable: spoofable(lv.union(rv))}}), v
	case lv.data() || rv.data():
		g := &gate{at: at, origins: v.origins, parse: v.parse, parser: v.parser, parserDef: v.parserDef, compares: op != "is" && op != "is not"}
		return condition{t: facts{gates: []*gate{g}}, f: facts{gates: []*gate{g}}}, v
	}
	return condition{}, v
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// isSuccess reports whether o is the literal "SUCCESS" (or a constant of it).
func (vs *values) isSuccess(o *pysrc.Operand) bool {
	lits := vs.strings(o)
	return len(lits) == 1 && strings.EqualFold(strings.TrimSpace(lits[0]), successStatus)
}

// strings returns the strings of a literal operand, or of the constant
// it names.
func (vs *values) strings(o *pysrc.Operand) []string {
	if o.Literal {
		return o.Lits
	}
	c, _, ok := vs.constant(o.Value)
	if !ok {
		return nil
	}
	switch c.Value.Kind {
	case pysrc.LitString:
		return []string{c.Value.Text}
	case pysrc.LitList:
		var out []string
		for _, it := range c.Value.Items {
			if it.Kind != pysrc.LitString {
				return nil
			}
			out = append(out, it.Text)
		}
		return out
	}
	return nil
}

// isProxyList reports whether o names the list of trusted proxies: by a
// dotted name, or a call (getattr(settings, "TRUSTED_PROXIES", ())).
func (vs *values) isProxyList(o *pysrc.Operand) bool {
	name := vs.fr.rp.text(vs.fr.at(o.Span))
	if !dottedOrCall.MatchString(name) {
		return false
	}
	rp := vs.fr.rp
	return rp.proxySettings[name] || rp.proxySettings[last(name)] || trustedProxyName.MatchString(name)
}

// dottedOrCall matches the text of a dotted name or of a call of one.
var dottedOrCall = regexp.MustCompile(`(?s)^[A-Za-z_][\w.]*(\(.*\))?$`)

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

// presence is `"KEY" in request.META`: for the verification status a weak
// check, for certificate data a gate.
func (vs *values) presence(at pysrc.Loc, op string, kv value) (condition, value) {
	present := condition{}
	switch {
	case kv.status != nil:
		w := &check{at: at, spoofable: kv.status.spoofable(), how: "only tests that it is present", key: kv.status.key().name}
		g := &gate{at: at, status: kv.status, weak: w}
		present = condition{
			t: facts{weak: w, gates: []*gate{g}},
			f: facts{gates: []*gate{g}},
		}
	case kv.data():
		g := &gate{at: at, origins: kv.origins}
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
func (vs *values) status(at pysrc.Loc, op string, sv value, other *pysrc.Operand, substring bool) condition {
	g := &gate{at: at, status: sv.status, compares: true}
	sp := sv.status.spoofable()
	strong := &check{at: at, spoofable: sp}
	weak := func(how string) *check { return &check{at: at, spoofable: sp, how: how, key: sv.status.key().name} }
	lits := vs.strings(other)
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
	case other.Const == pysrc.SingletonNone:
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
