package mtls

import (
	"maps"
	"slices"

	"github.com/residue-sec/residue/analyzers/pysrc"
)

// A kind says what object a value is, beyond the data it carries.
type kind uint8

const (
	plainKind   kind = iota
	requestKind      // a Django or DRF request
	metaKind         // request.META, request.environ or a WSGI environ: keyed by META key
	headersKind      // request.headers: keyed by header name
	certObjKind      // a parsed certificate object
	selfKind         // a method's self (or cls)
	sessionKind      // request.session
)

// An origin is one read of a certificate or proxy-identity key. keys
// holds what the key may be: one key, or (named by a setting the
// repository defines more than once) one per definition.
type origin struct {
	at   pysrc.Loc
	keys []keyInfo
	// returned: read by another module's function and returned by it
	// (at is the call).
	returned bool
}

// maxOrigins caps the origins a value tracks.
const maxOrigins = 4

// A value is what the analysis knows of an expression.
type value struct {
	kind kind
	// refs are the objects of the program the value may be: functions,
	// classes, modules, instances, external names.
	refs []pysrc.Datum
	// origins are the certificate or identity reads the value carries.
	origins []*origin
	// status is set when the value is a verification status read.
	status *origin
	// defaultSuccess: the status read defaults to "SUCCESS" when absent.
	defaultSuccess bool
	// peer: the value is REMOTE_ADDR, the TCP peer's address.
	peer bool
	// header: the value comes from a request header the client can send.
	header bool
	// fingerprint: a digest of a certificate; comparing it pins the certificate.
	fingerprint bool
	// pinned: looked up by such a digest (an enrolled certificate's record).
	pinned bool
	// fromCert: read from a parsed certificate object (its subject as a
	// string is a DN, whatever the certificate was forwarded as).
	fromCert bool
	// record: a record looked up by the data (the look-up was the sink).
	record bool
	// certAttr: one attribute's value read through the certificate API
	// (get_attributes_for_oid(...)[0].value): no longer a DN or a PEM.
	certAttr bool
	// parse is where a DN, PEM or XFCC string was cut apart by string or
	// regex operations; firstElement that the first XFCC element was
	// taken. parser is set when parse is a call of another module's
	// function that cut it apart (as written), defined at parserDef.
	parse        pysrc.Loc
	firstElement bool
	parser       string
	parserDef    pysrc.Loc
	// called is set on the result of a call of another module's
	// function (as written): compared to "SUCCESS", it is a status.
	called string
	// cond is set for a test's value (ok = status == "SUCCESS").
	cond *condition
	// paths are, for each origin's read (its location), the assignments
	// its data went through, in order (a map no one changes once made).
	paths map[pysrc.Loc][]pysrc.Loc
}

// stepped returns v's paths with one more assignment, at, for each origin.
func (v value) stepped(at pysrc.Loc) map[pysrc.Loc][]pysrc.Loc {
	out := make(map[pysrc.Loc][]pysrc.Loc, len(v.origins))
	for _, o := range v.origins {
		out[o.at] = append(slices.Clip(v.paths[o.at]), at)
	}
	return out
}

// pathOf returns the assignments the data of origin o went through.
func (v value) pathOf(o *origin) []pysrc.Loc { return v.paths[o.at] }

// mergePaths returns the paths of a and b: of a read both have, the
// longer (a value a branch rebinds, dn = parse(dn), goes through more
// assignments than what held before it, whichever the union lists first).
func mergePaths(a, b map[pysrc.Loc][]pysrc.Loc) map[pysrc.Loc][]pysrc.Loc {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	out := maps.Clone(a)
	for o, p := range b {
		if len(p) > len(out[o]) {
			out[o] = p
		}
	}
	return out
}

// data reports whether the value carries certificate or identity data.
func (v value) data() bool { return len(v.origins) > 0 }

// known reports whether the value carries certificate or identity data
// read in the function, not only what another module's function returns.
func (v value) known() bool {
	for _, o := range v.origins {
		if !o.returned {
			return true
		}
	}
	return false
}

// union merges what w carries into v (v's kind is lost: a mix is plain).
func (v value) union(w value) value {
	out := value{
		refs:           unionRefs(v.refs, w.refs),
		origins:        mergeOrigins(v.origins, w.origins),
		status:         v.status,
		defaultSuccess: v.defaultSuccess || w.defaultSuccess,
		peer:           v.peer || w.peer,
		header:         v.header || w.header,
		fingerprint:    v.fingerprint || w.fingerprint,
		pinned:         v.pinned || w.pinned,
		fromCert:       v.fromCert || w.fromCert,
		certAttr:       (v.certAttr || w.certAttr) && (v.certAttr || !v.data()) && (w.certAttr || !w.data()),
		record:         (v.record || w.record) && (v.record || !v.data()) && (w.record || !w.data()),
		parse:          v.parse,
		firstElement:   v.firstElement || w.firstElement,
		paths:          mergePaths(v.paths, w.paths),
	}
	// A container with what the code stored in it (META["REMOTE_USER"]
	// = user makes request.META the container or the value) is still
	// read by key.
	switch {
	case v.kind == w.kind:
	case container(v.kind) && w.kind == plainKind:
		out.kind = v.kind
	case container(w.kind) && v.kind == plainKind:
		out.kind = w.kind
	}
	if out.status == nil {
		out.status = w.status
	}
	if out.parse.Valid() {
		out.parser, out.parserDef = v.parser, v.parserDef
	} else {
		out.parse, out.parser, out.parserDef = w.parse, w.parser, w.parserDef
	}
	return out
}

// container reports whether k is a request container, read by key.
func container(k kind) bool {
	return k == metaKind || k == headersKind || k == sessionKind
}

// derived is what an operation on v (a method call, an attribute, an
// index) yields: the same data, no longer the same object.
func (v value) derived() value {
	v.kind = plainKind
	v.cond = nil
	v.called = ""
	v.refs = nil
	return v
}

func mergeOrigins(a, b []*origin) []*origin {
	if len(b) == 0 {
		return a
	}
	out := append([]*origin(nil), a...)
	for _, o := range b {
		if len(out) >= maxOrigins {
			break
		}
		dup := false
		for _, p := range out {
			if p == o {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, o)
		}
	}
	return out
}

// maxRefs caps the objects a value may be.
const maxRefs = 8

func unionRefs(a, b []pysrc.Datum) []pysrc.Datum {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	out := append([]pysrc.Datum(nil), a...)
	for _, d := range b {
		if len(out) < maxRefs {
			out = append(out, d)
		}
	}
	return out
}

// A check is a validation met on the path: where, and whether the data it
// checked came from a header the client can send.
type check struct {
	at        pysrc.Loc
	spoofable bool
	// how says what is wrong with a weak check, key which key it tested.
	how, key string
	// via names another module's function (as called) whose check this
	// is; def is the test in it, for a weak one.
	via string
	def pysrc.Loc
}

// A gate is a test of certificate data that the path depends on.
type gate struct {
	at      pysrc.Loc
	origins []*origin
	status  *origin
	// parse is the string parsing the tested data went through (see
	// value.parse).
	parse          pysrc.Loc
	parser         string
	parserDef      pysrc.Loc
	verifies, weak *check
	compares       bool
}

// facts are what holds on every path to a program point.
type facts struct {
	// verified: the certificate or its verification status was checked.
	verified *check
	// guarded: the request came from a trusted proxy.
	guarded *check
	// weak: the verification status was tested, but not for "SUCCESS".
	weak *check
	// gates are the tests of certificate data the point depends on.
	gates []*gate
}

// with returns f with what d adds.
func (f facts) with(d facts) facts {
	if d.verified != nil && (f.verified == nil || f.verified.spoofable && !d.verified.spoofable) {
		f.verified = d.verified
	}
	if f.guarded == nil {
		f.guarded = d.guarded
	}
	if f.weak == nil {
		f.weak = d.weak
	}
	if len(d.gates) > 0 && len(f.gates) < maxGates {
		gates := append([]*gate(nil), f.gates...)
		for _, g := range d.gates {
			if len(gates) < maxGates && !hasGate(gates, g) {
				gates = append(gates, g)
			}
		}
		f.gates = gates
	}
	return f
}

// maxGates caps the tests a point remembers depending on (the first ones
// stand for the others).
const maxGates = 16

func hasGate(gs []*gate, g *gate) bool {
	for _, x := range gs {
		if x == g {
			return true
		}
	}
	return false
}

// meet returns what holds on both f's and g's paths.
func (f facts) meet(g facts) facts {
	out := facts{}
	if f.verified != nil && g.verified != nil {
		out.verified = f.verified
		if g.verified.spoofable {
			out.verified = g.verified
		}
	}
	if f.guarded != nil && g.guarded != nil {
		out.guarded = f.guarded
	}
	if f.weak != nil && g.weak != nil {
		out.weak = f.weak
	}
	for _, x := range f.gates {
		if hasGate(g.gates, x) {
			out.gates = append(out.gates, x)
		}
	}
	return out
}

// without drops the gates of gs from f.
func (f facts) without(gs []*gate) facts {
	if len(gs) == 0 || len(f.gates) == 0 {
		return f
	}
	var kept []*gate
	for _, x := range f.gates {
		if !hasGate(gs, x) {
			kept = append(kept, x)
		}
	}
	f.gates = kept
	return f
}

func meetInto(acc *facts, f facts) *facts {
	if acc == nil {
		return &f
	}
	m := acc.meet(f)
	return &m
}

// A condition is what a test establishes when it is true and when it is false.
type condition struct {
	t, f facts
}

// not swaps the branches.
func (c condition) not() condition { return condition{t: c.f, f: c.t} }

// gates returns the gates a condition introduces (on either branch).
func (c condition) gates() []*gate {
	return append(append([]*gate(nil), c.t.gates...), c.f.gates...)
}
