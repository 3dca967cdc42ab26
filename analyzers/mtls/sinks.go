package mtls

import (
	"github.com/residue-sec/residue/analyzers/source"
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
	node *source.Node
	kind sinkKind
	what string
}

// sink judges each origin of v reaching s with the facts that hold here.
func (fr *frame) sink(s site, v value) {
	if !v.data() || s.kind == passSink && v.cond != nil {
		// A test's result put on the request (has_cert = "X" in META)
		// carries no certificate value.
		return
	}
	f := fr.now()
	for _, o := range v.origins {
		fr.judge(f, o, func(f facts, o *origin) { fr.decide(o, s, f, v) })
	}
	if v.parse != nil {
		fr.reportParse(s, v)
	}
}

// grant is a call of the view a decorator wraps, or True returned by a
// permission class: access granted on every test of certificate data the
// path depends on.
func (fr *frame) grant(at *source.Node) {
	f := fr.now()
	for _, g := range f.gates {
		fr.decideGate(g, site{node: at, kind: decisionSink, what: "grants access"}, f)
	}
}

// decisions handles an if statement whose test of certificate data
// decides access: one branch denies (raise, a 403 response) or grants
// (calls the wrapped view, returns True from a permission class). A test
// of presence only decides in middleware, decorators, permission classes
// and views; in an authentication class (returning None when the header
// is absent) it only skips.
func (fr *frame) decisions(c condition, before facts, consequence, alternative *source.Node) {
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
			fr.decideGate(g, site{node: g.node, kind: decisionSink, what: "decides access"}, allowed)
		}
	}
}

// decideGate judges the data a gate tested.
func (fr *frame) decideGate(g *gate, s site, f facts) {
	v := value{origins: g.origins, parse: g.parse, parser: g.parser}
	for _, o := range g.origins {
		fr.judge(f, o, func(f facts, o *origin) { fr.decide(o, s, f, v) })
	}
	if g.status != nil {
		fr.judge(f, nil, func(f facts, _ *origin) { fr.decideStatus(g, s, f) })
	}
	if g.parse != nil {
		fr.reportParse(s, v)
	}
}

// decideStatus judges a test of a verification status that decides
// access by itself: a weak test (unless the path also has a correct one),
// or a correct test of a header the client can send with no trusted-proxy
// check.
func (fr *frame) decideStatus(g *gate, s site, f facts) {
	switch {
	case g.weak != nil && f.verified == nil:
		fr.reportWeak(g.weak, s)
	case g.verifies != nil && g.verifies.spoofable && f.guarded == nil:
		// Reported only if the function has no finding for the data the
		// status vouches for: the missing proxy check is one problem.
		o, c := g.status, g.verifies
		var w *world
		if fr.a.world != nil {
			copied := *fr.a.world
			w = &copied
		}
		fr.a.deferred = append(fr.a.deferred, func() {
			saved := fr.a.world
			fr.a.world = w
			fr.reportUnguarded(o, site{node: c.node, kind: decisionSink, what: "decides access"}, c, nil)
			fr.a.world = saved
		})
	}
}

// decide judges one origin reaching a sink:
//   - a header the client can send, with no trusted-proxy check: spoofable
//     (or, checked all the same, unguarded);
//   - from a trusted proxy, or set by the server: verified, or weakly
//     checked, or not checked at all (unverified, or passed on by
//     middleware). A proxy's header needs no verification of its own
//     unless the proxy forwards certificates it did not verify.
func (fr *frame) decide(o *origin, s site, f facts, v value) {
	verified := f.verified
	if verified == nil && (v.pinned || v.fingerprint && s.kind == identitySink) {
		verified = &check{node: s.node, spoofable: o.key.spoofable}
	}
	if o.key.class == identityKey {
		switch {
		case f.guarded != nil:
		case s.kind == passSink && verified == nil && f.weak == nil:
			fr.reportPassthrough(o, s, v)
		default:
			fr.reportSpoofable(o, s, v)
		}
		return
	}
	if s.kind == passSink && verified == nil && f.guarded == nil && f.weak == nil {
		fr.reportPassthrough(o, s, v)
		return
	}
	if o.key.spoofable && f.guarded == nil {
		if verified != nil && verified.spoofable {
			fr.reportUnguarded(o, s, verified, v.steps)
		} else {
			// Unchecked, or a check of the server's own status, which
			// vouches for the client's certificate, not for a header.
			fr.reportSpoofable(o, s, v)
		}
		if verified == nil && f.weak != nil {
			fr.reportWeak(f.weak, s)
		}
		return
	}
	switch {
	case verified != nil:
		if verified.spoofable && f.guarded == nil {
			fr.reportUnguarded(o, s, verified, v.steps)
		}
	case f.weak != nil:
		fr.reportWeak(f.weak, s)
	case o.key.spoofable && !o.key.proxyUnverified:
		// From the trusted proxy, which verified the certificate.
	default:
		fr.reportUnverified(o, s, v)
	}
}

// denies reports whether block b rejects the request: it raises, or
// returns a 401/403 response (or False from a permission class).
func (fr *frame) denies(b *source.Node) bool {
	found := false
	fr.scanBlock(b, func(s *source.Node) {
		switch s.Type() {
		case "raise_statement":
			found = true
		case "return_statement":
			if s.NamedChildCount() == 0 {
				return
			}
			e := s.NamedChild(0)
			if fr.role.returnsDecision && e.Type() == "false" || fr.a.denyResponse(e) {
				found = true
			}
		}
	})
	return found
}

// grants reports whether block b grants access: it calls the view a
// decorator wraps or returns True from a permission class.
func (fr *frame) grants(b *source.Node) bool {
	found := false
	fr.scanBlock(b, func(s *source.Node) {
		switch {
		case s.Type() == "return_statement" && s.NamedChildCount() > 0 && s.NamedChild(0).Type() == "true" && fr.role.returnsDecision:
			found = true
		case fr.role.wrapped != "" && (s.Type() == "return_statement" || s.Type() == "expression_statement") &&
			calls([]byte(fr.a.text(s)), fr.role.wrapped, false):
			found = true
		}
	})
	return found
}

// scanBlock calls visit for each statement of b, or for b itself when
// it is a statement (the one after an if that leaves). Nested blocks are
// not visited: a deny under a further condition is another decision.
func (fr *frame) scanBlock(b *source.Node, visit func(*source.Node)) {
	if b == nil {
		return
	}
	if b.Type() != "block" {
		visit(b)
		return
	}
	for i := 0; i < int(b.NamedChildCount()); i++ {
		visit(b.NamedChild(i))
	}
}

// denyResponse reports whether e builds a response that denies access:
// HttpResponseForbidden, or any response with a 401/403 status.
func (a *analysis) denyResponse(e *source.Node) bool {
	if e == nil || e.Type() != "call" {
		return false
	}
	name := last(a.dotted(e.ChildByFieldName("function")))
	if denyResponses[name] {
		return true
	}
	args := e.ChildByFieldName("arguments")
	for i := 0; args != nil && i < int(args.NamedChildCount()); i++ {
		if c := args.NamedChild(i); c.Type() == "keyword_argument" && a.text(c.ChildByFieldName("name")) == "status" &&
			denyStatus.MatchString(a.text(c.ChildByFieldName("value"))) {
			return true
		}
	}
	return false
}
