package mtls

import (
	"regexp"
	"strings"

	"github.com/residue-sec/residue/analyzers/pysrc"
)

// A callSite is one call being made by a walk.
type callSite struct {
	fr *frame
	k  int32
	c  *pysrc.Call
	at pysrc.Loc
	as args
}

// args holds a call's evaluated arguments.
type args struct {
	pos   []value
	spans []pysrc.Span // the positional arguments'
	kw    map[string]value
	all   value // the union of every argument
}

func (as args) at(i int) value {
	if i < len(as.pos) {
		return as.pos[i]
	}
	return value{}
}

// make makes call k of the frame's function: its value, and what it does
// on the way (a sink, a check, the request handed on).
func (fr *frame) make(k int32) {
	fr.vals.made[k] = true
	fr.rp.work++
	cs := &callSite{fr: fr, k: k, c: &fr.fn.Code().Calls[k], at: fr.at(fr.fn.Code().Calls[k].Span)}
	if fr.hand.at != nil {
		ref := pysrc.CallRef{Fn: fr.fn, Call: k}
		fr.hand.at[ref] = meetInto(fr.hand.at[ref], fr.now())
	}
	fr.vals.calls[k] = cs.eval()
}

// arguments evaluates the call's arguments.
func (cs *callSite) arguments() args {
	out := args{kw: map[string]value{}}
	for _, a := range cs.c.Args {
		v := cs.fr.vals.value(a.Value)
		switch a.Keyword {
		case "":
			out.pos = append(out.pos, v)
			out.spans = append(out.spans, a.Span)
		case "*", "**":
		default:
			out.kw[a.Keyword] = v
		}
		out.all = out.all.union(v)
	}
	return out
}

// eval evaluates the call: reads through .get, certificate parsing and
// verification, the sinks it is, the repository's functions followed,
// and data propagated through anything else.
func (cs *callSite) eval() value {
	c, fr := cs.c, cs.fr
	name := c.Name
	if fr.own.mwName != "" && (last(name) == "get_response" || c.Method == "get_response") {
		fr.passesOn(fr.now())
	}
	if c.Method == "dispatch" && isSuper(c.Recv) {
		// A view's dispatch handing the request on to the handler.
		fr.hand.dispatched = meetInto(fr.hand.dispatched, fr.now())
	}
	if c.Method != "" {
		return cs.methodCall()
	}
	callee := fr.vals.value(c.Func)
	cs.as = cs.arguments()
	if name == fr.role.wrapped && name != "" {
		fr.hand.granted = meetInto(fr.hand.granted, fr.now())
		fr.grant(cs.at)
		return value{}
	}
	for _, d := range callee.refs {
		if d.Tag == pysrc.TagFunc && d.Fn.Module() == fr.fn.Module() && moduleLevel(d.Fn) {
			if v, ok := cs.follow(d.Fn, nil); ok {
				return v
			}
		}
	}
	return cs.functionCall(name, last(name), callee)
}

// moduleLevel reports whether f is a module-level function.
func moduleLevel(f *pysrc.FuncDef) bool {
	e := f.Enclosing()
	return f.Kind == pysrc.KindDef && e != nil && e.Kind == pysrc.KindModule
}

// isSuper reports whether a receiver is super().
func isSuper(v pysrc.Value) bool {
	return len(v) == 1 && v[0].Root == pysrc.RootSuper && len(v[0].Ops) == 0
}

// functionCall is a call of a plain or dotted function name not followed.
func (cs *callSite) functionCall(name, short string, callee value) value {
	as := cs.as
	switch {
	case certLoaders[short]:
		v := as.all.derived()
		v.kind, v.parse, v.parser, v.firstElement, v.fromCert = certObjKind, pysrc.Loc{}, "", false, true
		return v
	case hashFunctions.MatchString(name) && as.all.data():
		v := as.all.derived()
		v.fingerprint = true
		return v
	case ormFunctions[short]:
		var rest value
		for i := 1; i < len(as.pos); i++ {
			rest = rest.union(as.pos[i])
		}
		for _, v := range as.kw {
			rest = rest.union(v)
		}
		return cs.lookup(name, rest)
	case loginCalls[short] && (name == short || strings.HasPrefix(name, "auth.") || strings.HasPrefix(name, "django.contrib.auth.")):
		return cs.login(name, short)
	case constantTimeCompare[name]:
		return cs.compareDigest()
	case name == "bool" && len(as.pos) == 1:
		return as.pos[0]
	case (name == "any" || name == "all") && len(as.pos) == 1 && as.pos[0].cond != nil:
		// any(peer in net for net in NETS): true when the test held for
		// some element (all: for every one).
		return value{cond: &condition{t: as.pos[0].cond.t}}
	case cleanFunctions[short]:
		return value{}
	}
	if v, ok := cs.external(callee.refs); ok {
		return v
	}
	switch {
	case cs.fr.validator(name):
		return cs.validated(as.all)
	case cs.fr.guard(name):
		return cs.guardCall()
	}
	v := as.all.derived()
	for _, d := range callee.refs {
		if d.Tag == pysrc.TagClass {
			// An instance of a class of the repository.
			v.refs = append(v.refs, pysrc.Datum{Tag: pysrc.TagObject, Class: d.Class, Kind: ""})
		}
	}
	return v
}

// methodCall is a call of obj.method(...): a read through .get, a
// module's function, certificate methods, sinks, methods of self, status
// tests, and string parsing of certificate data.
func (cs *callSite) methodCall() value {
	c, fr := cs.c, cs.fr
	method := c.Method
	full := c.Name
	objName := strings.TrimSuffix(full, "."+method)
	if full == "" {
		objName = ""
	}
	self := objName == "self" || objName == "cls"
	ov := fr.vals.value(c.Recv)
	if (ov.kind == metaKind || ov.kind == headersKind) && method == "get" && len(c.Args) > 0 {
		var def *pysrc.Arg
		if len(c.Args) > 1 {
			def = &c.Args[1]
		}
		cs.as = cs.arguments()
		return fr.vals.readKey(ov.kind, argKey(c, 0), cs.at, def)
	}
	cs.as = cs.arguments()
	as := cs.as
	if self && fr.class != nil {
		if def := fr.class.Method(method); def != nil {
			if v, ok := cs.follow(def, &ov); ok {
				return v
			}
			return cs.unknownMethod(full, method, value{})
		}
	}
	if self {
		ov = value{}
	}
	switch {
	case certLoaders[method], hashFunctions.MatchString(full) && as.all.data(), ormFunctions[method]:
		// A module's function (x509.load_pem_x509_certificate, hashlib.sha256).
		return cs.functionCall(full, method, value{})
	case ov.kind == certObjKind && fingerprintMethods[method]:
		v := ov.derived()
		v.fingerprint = true
		return v
	case chainVerifiers[method] || method == "verify" && cs.verifiesSignature():
		fr.pending = fr.pending.with(facts{verified: &check{at: cs.at, spoofable: spoofable(ov.union(as.all))}})
		return value{}
	case ormMethods[method] && fr.isManagerChain(c.Recv, 0):
		if full == "" {
			full = chainName(fr.fn.Module().Text(c.FuncSpan), method)
		}
		return cs.lookup(full, as.all)
	case loginCalls[method] && (isAuthModule(objName) || isSuper(c.Recv) || strings.Contains(strings.ToLower(objName), "backend")):
		return cs.login(method, method)
	case constantTimeCompare[full]:
		return cs.compareDigest()
	case ov.status != nil && statusNormalizers[method]:
		return ov
	case ov.status != nil && (method == "startswith" || method == "endswith"):
		w := &check{at: cs.at, spoofable: ov.status.spoofable(), how: "tests it with " + method, key: ov.status.key().name}
		g := &gate{at: cs.at, status: ov.status, compares: true, weak: w}
		return value{cond: &condition{
			t: facts{weak: w, gates: []*gate{g}},
			f: facts{gates: []*gate{g}},
		}}
	case cleanMethods[method]:
		return value{}
	case ov.data():
		return cs.dataMethod(method, ov)
	case regexFunctions[method] && !ov.header && !ov.peer:
		// re.split(p, s) or a pattern's p.split(s); a header's own
		// .split(",") keeps what it is.
		return cs.regex(objName)
	}
	return cs.unknownMethod(full, method, ov)
}

// unknownMethod is a method call the analysis does not model: the
// repository's method or function it may be, a check by its name, else
// data flows from the object and the arguments to the result.
func (cs *callSite) unknownMethod(full, method string, ov value) value {
	fr := cs.fr
	if len(ov.refs) > 0 {
		if v, ok := cs.external(fr.rp.attr(fr.fn, ov.refs, method)); ok {
			return v
		}
	}
	switch {
	case fr.validator(full) || fr.validator(method):
		return cs.validated(ov.union(cs.as.all))
	case fr.guard(full) || fr.guard(method):
		return cs.guardCall()
	}
	return ov.derived().union(cs.as.all).derived()
}

// login is a call of login() or authenticate(): a sink for the identity
// data it is given. Passing the verification status to authenticate()
// along with it hands the check to the backend, which verifies it (the
// backend's own code is analyzed as an authentication class). The result
// is the user: the identity data, no longer the status.
func (cs *callSite) login(name, short string) value {
	as, fr := cs.as, cs.fr
	if (short == "authenticate" || short == "aauthenticate") && as.all.status != nil {
		fr.pending = fr.pending.with(facts{verified: &check{at: cs.at, spoofable: as.all.status.spoofable()}})
	}
	fr.sink(site{at: cs.at, kind: identitySink, what: "is passed to " + name + "()"}, as.all)
	v := as.all.derived()
	v.status, v.defaultSuccess = nil, false
	return v
}

// dataMethod is a method called on certificate data: string parsing of a
// DN, PEM or XFCC value is recorded; the data flows on.
func (cs *callSite) dataMethod(method string, ov value) value {
	v := ov.derived().union(cs.as.all).derived()
	v.kind = plainKind
	if ov.kind == certObjKind {
		return v
	}
	if ov.fromCert && certAttrMethods[method] {
		v.certAttr = true
		return v
	}
	if !v.parse.Valid() && stringParsers[method] && !v.certAttr {
		switch {
		case isDN(ov) && method != "replace", isPEM(ov):
			v.parse, v.parser = cs.at, ""
		case hasFormat(ov, xfccFormat) && !ov.fromCert && (method == "split" || method == "rsplit" || method == "partition" || method == "rpartition"):
			v.parse, v.parser = cs.at, ""
		}
	}
	return v
}

// regex is a call of a regular-expression function (re.search(p, s)) or
// of a compiled pattern's method (p.search(s)) over certificate data.
func (cs *callSite) regex(objName string) value {
	as := cs.as
	subject := as.at(0)
	if objName == "re" || objName == "regex" {
		subject = as.at(1)
	}
	v := as.all.derived()
	if !v.parse.Valid() && (isDN(subject) || isPEM(subject)) {
		v.parse, v.parser = cs.at, ""
	}
	return v
}

// lookup is an ORM look-up: a sink for identity data in its arguments.
// Looking a record up by a certificate's digest is pinning it.
func (cs *callSite) lookup(name string, data value) value {
	if !cs.scopedToUser() {
		cs.fr.sink(site{at: cs.at, kind: identitySink, what: "selects a record with " + pysrc.Short(name)}, data)
	}
	v := data.derived()
	v.record = true
	if data.fingerprint || data.pinned {
		v.pinned = true
	}
	v.fingerprint = false
	return v
}

// scopedToUser reports whether a look-up is restricted to the logged-in
// user's records (filter(user=request.user, dn=header)): the header then
// only narrows them and decides no identity.
func (cs *callSite) scopedToUser() bool {
	for _, a := range cs.c.Args {
		if a.Keyword == "" || a.Keyword == "*" || a.Keyword == "**" {
			continue
		}
		v := strings.TrimPrefix(cs.fr.rp.text(cs.fr.at(argValueSpan(cs.fr, a))), "self.")
		if v == "request.user" || strings.HasPrefix(v, "request.user.") {
			return true
		}
	}
	return false
}

// argValueSpan returns the span of a keyword argument's value.
func argValueSpan(fr *frame, a pysrc.Arg) pysrc.Span {
	text := fr.rp.text(fr.at(a.Span))
	if i := strings.IndexByte(text, '='); i >= 0 && a.Keyword != "" {
		j := i + 1
		for j < len(text) && (text[j] == ' ' || text[j] == '\t') {
			j++
		}
		return pysrc.Span{Start: a.Span.Start + uint32(j), End: a.Span.End}
	}
	return a.Span
}

// isManagerChain reports whether a receiver is a chain of calls and
// attributes rooted at a model manager (User.objects,
// X.objects.active().select_related()).
func (fr *frame) isManagerChain(v pysrc.Value, depth int) bool {
	v = fr.fn.Content(v)
	if len(v) != 1 || depth > 12 {
		return false
	}
	a := v[0]
	for _, op := range a.Ops {
		if op.Kind == pysrc.OpAttr && ormManagers[op.Name] {
			return true
		}
	}
	if a.Root == pysrc.RootCall {
		if c := fr.call(a.Index); c != nil && c.Method != "" {
			return fr.isManagerChain(c.Recv, depth+1)
		}
	}
	return false
}

func isAuthModule(name string) bool {
	return name == "auth" || name == "django.contrib.auth" || name == "contrib_auth"
}

// verifiesSignature reports whether obj.verify(...) checks a certificate:
// a verifier built by cryptography's PolicyBuilder, or a CA key verifying
// a certificate's signature over its tbs_certificate_bytes.
func (cs *callSite) verifiesSignature() bool {
	fr := cs.fr
	if strings.Contains(strings.ToLower(fr.rp.text(fr.at(cs.c.FuncSpan))), "verifier") {
		return true
	}
	for _, s := range cs.as.spans {
		if t := fr.rp.text(fr.at(s)); strings.HasSuffix(t, ".tbs_certificate_bytes") || strings.HasSuffix(t, ".signature") {
			return true
		}
	}
	return false
}

// compareDigest is hmac.compare_digest and the like: true when a shared
// secret header the proxy adds matches (a trusted-proxy guard), when a
// certificate digest matches a pin, or when the status is "SUCCESS".
func (cs *callSite) compareDigest() value {
	as := cs.as
	c := condition{}
	first := cs.at
	if len(as.spans) > 0 {
		first = cs.fr.at(as.spans[0])
	}
	switch {
	case as.all.fingerprint:
		c.t.verified = &check{at: first, spoofable: spoofable(as.all)}
	case as.all.status != nil && cs.successArg():
		c.t.verified = &check{at: cs.at, spoofable: as.all.status.spoofable()}
		g := &gate{at: cs.at, status: as.all.status, compares: true, verifies: c.t.verified}
		c.t.gates, c.f.gates = []*gate{g}, []*gate{g}
	case as.all.header && !as.all.data() && as.all.status == nil:
		c.t.guarded = &check{at: first}
	}
	return value{cond: &c}
}

// successArg reports whether an argument of the call is "SUCCESS".
func (cs *callSite) successArg() bool {
	for _, a := range cs.c.Args {
		if a.Literal && strings.EqualFold(strings.TrimSpace(a.Lit), successStatus) {
			return true
		}
	}
	return false
}

// validator reports whether a function not defined in the repository
// verifies certificates, by the user's setting or its name.
func (fr *frame) validator(name string) bool { return named(name, fr.rp.validators, validatorName) }

// guard reports whether a function not defined in the repository checks
// that the request came from a trusted proxy.
func (fr *frame) guard(name string) bool { return named(name, fr.rp.guards, proxyGuardName) }

// named reports whether a function's dotted name is in the user's list
// (whole or by its last component) or its last component matches re.
func named(name string, list map[string]bool, re *regexp.Regexp) bool {
	if name == "" {
		return false
	}
	return list[name] || list[last(name)] || re.MatchString(last(name))
}

// validated is a call of a certificate validator: true (or, used as a
// statement, returning at all) means verified.
func (cs *callSite) validated(data value) value {
	f := facts{verified: &check{at: cs.at, spoofable: spoofable(data)}}
	cs.fr.pending = cs.fr.pending.with(f)
	v := data.derived()
	v.cond = &condition{t: f}
	return v
}

// guardCall is a call of a trusted-proxy check.
func (cs *callSite) guardCall() value {
	f := facts{guarded: &check{at: cs.at}}
	cs.fr.pending = cs.fr.pending.with(f)
	return value{cond: &condition{t: f}}
}

// chainName names a method called at the end of a chain that is no
// dotted name, from the chain's text: the dotted name that starts it when
// a call follows, the calls elided (User.objects.select_related(…).get),
// else ….method.
func chainName(text, method string) string {
	text = strings.TrimLeft(chainSpaces.ReplaceAllString(text, "."), "( \t\r\n")
	lead := strings.TrimRight(text[:len(text)-len(strings.TrimLeft(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_."))], ".")
	if lead == "" || !strings.HasPrefix(text[len(lead):], "(") {
		return "…." + method
	}
	return lead + "(…)." + method
}

// chainSpaces matches a dot of a chain with the spaces around it.
var chainSpaces = regexp.MustCompile(`\s*\.\s*`)
