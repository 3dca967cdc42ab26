package mtls

import (
	"github.com/residue-sec/residue/analyzers/pysrc"
)

// A sinkKind says what a sink does with certificate data.
type sinkKind uint8

const (
	// identitySink decides who the user is.
	identitySink sinkKind = iota
	// decisionSink decides whether the request may proceed.
	decisionSink
	// passSink attaches the data to the request that goes on to views.
	passSink
)

// A site is one sink: where, what kind, and what it does, for messages
// ("sets request.user", "selects a record with User.objects.get").
type site struct {
	at   pysrc.Loc
	kind sinkKind
	what string
}

// sink judges each origin of v reaching s with the facts that hold here.
func (fr *frame) sink(s site, v value) {
	if fr.c == nil || !v.data() || s.kind == passSink && v.cond != nil {
		// A test's result put on the request (has_cert = "X" in META)
		// carries no certificate value.
		return
	}
	f := fr.now()
	for _, o := range v.origins {
		for _, k := range o.keys {
			fr.decide(o, k, s, f, v)
		}
	}
	if v.parse.Valid() {
		fr.c.reportParse(fr, s, v)
	}
}

// grant is a call of the view a decorator wraps, or True returned by a
// permission class: access granted on every test of certificate data the
// path depends on.
func (fr *frame) grant(at pysrc.Loc) {
	f := fr.now()
	for _, g := range f.gates {
		fr.decideGate(g, site{at: at, kind: decisionSink, what: "grants access"}, f)
	}
}

// decisions handles an if statement whose test of certificate data
// decides access: one branch denies (raise, a 403 response) or grants
// (calls the wrapped view, returns True from a permission class). A test
// of presence only decides in middleware, decorators, permission classes
// and views; in an authentication class (returning None when the header
// is absent) it only skips.
func (fr *frame) decisions(c condition, before facts, consequence, alternative []pysrc.Stmt) {
	var allowed facts
	switch {
	case fr.denies(consequence), fr.grants(alternative):
		allowed = before.with(c.f)
	case fr.grants(consequence), fr.denies(alternative):
		allowed = before.with(c.t)
	default:
		return
	}
	seen := map[*gate]bool{}
	for _, g := range c.gates() {
		if seen[g] {
			continue
		}
		seen[g] = true
		if g.compares || fr.role.passesOn || fr.role.returnsDecision || fr.role.name == "" {
			fr.decideGate(g, site{at: g.at, kind: decisionSink, what: "decides access"}, allowed)
		}
	}
}

// decideGate judges the data a gate tested.
func (fr *frame) decideGate(g *gate, s site, f facts) {
	if fr.c == nil {
		return
	}
	v := value{origins: g.origins, parse: g.parse, parser: g.parser, parserDef: g.parserDef}
	for _, o := range g.origins {
		for _, k := range o.keys {
			fr.decide(o, k, s, f, v)
		}
	}
	if g.status != nil {
		fr.decideStatus(g, s, f)
	}
	if g.parse.Valid() {
		fr.c.reportParse(fr, s, v)
	}
}

// decideStatus judges a test of a verification status that decides
// access by itself: a weak test (unless the path also has a correct one),
// or a correct test of a header the client can send with no trusted-proxy
// check.
func (fr *frame) decideStatus(g *gate, s site, f facts) {
	switch {
	case g.weak != nil && f.verified == nil:
		fr.c.reportWeak(fr, g.weak, s)
	case g.verifies != nil && g.verifies.spoofable && f.guarded == nil:
		// Reported only if the function has no finding for the data the
		// status vouches for: the missing proxy check is one problem.
		o, c := g.status, g.verifies
		fr.c.deferred = append(fr.c.deferred, func() {
			fr.c.reportUnguarded(fr, o, o.key(), site{at: c.at, kind: decisionSink, what: "decides access"}, c, nil)
		})
	}
}

// decide judges one origin o, read at key k, reaching a sink:
//   - a header the client can send, with no trusted-proxy check: spoofable
//     (or, checked all the same, unguarded);
//   - from a trusted proxy, or set by the server: verified, or weakly
//     checked, or not checked at all (unverified, or passed on by
//     middleware). A proxy's header needs no verification of its own
//     unless the proxy forwards certificates it did not verify.
func (fr *frame) decide(o *origin, k keyInfo, s site, f facts, v value) {
	c := fr.c
	verified := f.verified
	if verified == nil && (v.pinned || v.fingerprint && s.kind == identitySink) {
		verified = &check{at: s.at, spoofable: k.spoofable}
	}
	if k.class == identityKey {
		switch {
		case f.guarded != nil:
		case s.kind == passSink && verified == nil && f.weak == nil:
			c.reportPassthrough(fr, o, k, s, v)
		default:
			c.reportSpoofable(fr, o, k, s, v)
		}
		return
	}
	if k.class != certKey {
		return
	}
	if s.kind == passSink && verified == nil && f.guarded == nil && f.weak == nil {
		c.reportPassthrough(fr, o, k, s, v)
		return
	}
	if k.spoofable && f.guarded == nil {
		if verified != nil && verified.spoofable {
			c.reportUnguarded(fr, o, k, s, verified, v.pathOf(o))
		} else {
			// Unchecked, or a check of the server's own status, which
			// vouches for the client's certificate, not for a header.
			c.reportSpoofable(fr, o, k, s, v)
		}
		if verified == nil && f.weak != nil {
			c.reportWeak(fr, f.weak, s)
		}
		return
	}
	switch {
	case verified != nil:
		if verified.spoofable && f.guarded == nil {
			c.reportUnguarded(fr, o, k, s, verified, v.pathOf(o))
		}
	case f.weak != nil:
		c.reportWeak(fr, f.weak, s)
	case k.spoofable && !k.proxyUnverified:
		// From the trusted proxy, which verified the certificate.
	default:
		c.reportUnverified(fr, o, k, s, v)
	}
}

// denies reports whether the statements b reject the request: one
// raises, or returns a 401/403 response (or False from a permission
// class). Nested blocks are not looked at: a deny under a further
// condition is another decision.
func (fr *frame) denies(b []pysrc.Stmt) bool {
	for i := range b {
		st := &b[i]
		switch st.Kind {
		case pysrc.StmtRaise:
			return true
		case pysrc.StmtReturn:
			if fr.role.returnsDecision && st.Const == pysrc.SingletonFalse || fr.denyResponse(st.Value) {
				return true
			}
		}
	}
	return false
}

// grants reports whether the statements b grant access: one calls the
// view a decorator wraps or returns True from a permission class.
func (fr *frame) grants(b []pysrc.Stmt) bool {
	for i := range b {
		st := &b[i]
		switch {
		case st.Kind == pysrc.StmtReturn && st.Const == pysrc.SingletonTrue && fr.role.returnsDecision:
			return true
		case fr.role.wrapped != "" && (st.Kind == pysrc.StmtReturn || st.Kind == pysrc.StmtExpr || st.Kind == pysrc.StmtAssign):
			for k := st.From; k < st.To; k++ {
				if c := fr.call(k); c != nil && c.Method == "" && c.Name == fr.role.wrapped {
					return true
				}
			}
		}
	}
	return false
}

// denyResponse reports whether a returned value is a response that
// denies access: HttpResponseForbidden, or any response with a 401/403
// status.
func (fr *frame) denyResponse(v pysrc.Value) bool {
	v = fr.fn.Content(v)
	if len(v) != 1 || v[0].Root != pysrc.RootCall || len(v[0].Ops) != 0 {
		return false
	}
	c := fr.call(v[0].Index)
	if c == nil {
		return false
	}
	if denyResponses[last(c.Name)] {
		return true
	}
	for _, a := range c.Args {
		if a.Keyword == "status" && denyStatus.MatchString(fr.rp.text(fr.at(argValueSpan(fr, a)))) {
			return true
		}
	}
	return false
}
