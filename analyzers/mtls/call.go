package mtls

import (
	"regexp"
	"strings"

	"github.com/residue-sec/residue/analyzers/source"
)

// args holds a call's evaluated arguments.
type args struct {
	pos   []value
	nodes []*source.Node // the positional argument expressions
	kw    map[string]value
	all   value // the union of every argument
}

func (fr *frame) arguments(n *source.Node) args {
	out := args{kw: map[string]value{}}
	if n != nil && n.Type() == "generator_expression" { // f(x for x in xs)
		v := fr.eval(n)
		out.pos, out.nodes, out.all = []value{v}, []*source.Node{n}, v
		return out
	}
	for i := 0; n != nil && i < int(n.NamedChildCount()); i++ {
		c := n.NamedChild(i)
		if c.Type() == "keyword_argument" {
			v := fr.eval(c.ChildByFieldName("value"))
			out.kw[fr.a.text(c.ChildByFieldName("name"))] = v
			out.all = out.all.union(v)
			continue
		}
		v := fr.eval(c)
		out.pos = append(out.pos, v)
		out.nodes = append(out.nodes, c)
		out.all = out.all.union(v)
	}
	return out
}

func (as args) at(i int) value {
	if i < len(as.pos) {
		return as.pos[i]
	}
	return value{}
}

func (as args) node(i int) *source.Node {
	if i < len(as.nodes) {
		return as.nodes[i]
	}
	return nil
}

// call evaluates a call: reads through .get, certificate parsing and
// verification, the sinks it is, same-file functions followed, and data
// propagated through anything else.
func (fr *frame) call(n *source.Node) value {
	fn := n.ChildByFieldName("function")
	if fn == nil {
		return value{}
	}
	name := fr.a.dotted(fn)
	if fr.mw != "" && last(name) == "get_response" {
		fr.a.passesOn(fr.now())
	}
	if fn.Type() == "attribute" && fr.a.text(fn.ChildByFieldName("attribute")) == "dispatch" &&
		strings.HasPrefix(fr.a.text(fn.ChildByFieldName("object")), "super(") {
		// A view's dispatch handing the request on to the handler.
		fr.a.dispatched = meetInto(fr.a.dispatched, fr.now())
	}
	if fn.Type() == "attribute" {
		return fr.methodCall(n, fn)
	}
	if name == "" {
		fr.eval(fn)
	}
	as := fr.arguments(n.ChildByFieldName("arguments"))
	short := last(name)
	switch {
	case name == fr.role.wrapped && name != "":
		fr.a.granted = meetInto(fr.a.granted, fr.now())
		fr.grant(n)
		return value{}
	case fr.a.funcs[name] != nil:
		if v, ok := fr.inline(n, fr.a.funcs[name], as); ok {
			return v
		}
	}
	return fr.functionCall(n, name, short, as)
}

// functionCall is a call of a plain or dotted function name not followed.
func (fr *frame) functionCall(n *source.Node, name, short string, as args) value {
	switch {
	case certLoaders[short]:
		v := as.all.derived()
		v.kind, v.parse, v.parser, v.firstElement, v.fromCert = certObjKind, nil, "", false, true
		return v
	case hashFunctions.MatchString(name) && as.all.data():
		v := as.all.derived()
		v.fingerprint = true
		return v
	case ormFunctions[short]:
		rest := args{}
		for i := 1; i < len(as.pos); i++ {
			rest.all = rest.all.union(as.pos[i])
		}
		for _, v := range as.kw {
			rest.all = rest.all.union(v)
		}
		return fr.lookup(n, name, rest.all)
	case loginCalls[short] && (name == short || strings.HasPrefix(name, "auth.") || strings.HasPrefix(name, "django.contrib.auth.")):
		return fr.login(n, name, short, as)
	case constantTimeCompare[name]:
		return fr.compareDigest(as)
	case name == "bool" && len(as.pos) == 1:
		return as.pos[0]
	case cleanFunctions[short]:
		return value{}
	}
	if v, ok := fr.external(n, name, as); ok {
		return v
	}
	switch {
	case fr.validator(name):
		return fr.validated(n, as.all)
	case fr.guard(name):
		return fr.guardCall(n)
	}
	return as.all.derived()
}

// methodCall is a call of obj.method(...): a read through .get, a
// module's function, certificate methods, sinks, same-file methods of
// self, status tests, and string parsing of certificate data.
func (fr *frame) methodCall(n, fn *source.Node) value {
	obj := fn.ChildByFieldName("object")
	method := fr.a.text(fn.ChildByFieldName("attribute"))
	full := fr.a.dotted(fn)
	objName := fr.a.dotted(obj)
	ov := value{}
	if objName != "self" && objName != "cls" {
		ov = fr.eval(obj)
	}
	argNode := n.ChildByFieldName("arguments")
	if (ov.kind == metaKind || ov.kind == headersKind) && method == "get" && argNode != nil {
		var key, def *source.Node
		if argNode.NamedChildCount() > 0 {
			key = argNode.NamedChild(0)
		}
		if argNode.NamedChildCount() > 1 {
			def = argNode.NamedChild(1)
		}
		return fr.readKey(ov.kind, key, n, def)
	}
	if (objName == "self" || objName == "cls") && fr.class != nil {
		if def := fr.a.method(fr.class, method); def != nil {
			as := fr.arguments(argNode)
			if v, ok := fr.inline(n, def, as); ok {
				return v
			}
			return fr.unknownMethod(n, full, method, ov, as)
		}
	}
	as := fr.arguments(argNode)
	switch {
	case certLoaders[method], hashFunctions.MatchString(full) && as.all.data(), ormFunctions[method]:
		// A module's function (x509.load_pem_x509_certificate, hashlib.sha256).
		return fr.functionCall(n, full, method, as)
	case ov.kind == certObjKind && fingerprintMethods[method]:
		v := ov.derived()
		v.fingerprint = true
		return v
	case chainVerifiers[method] || method == "verify" && fr.verifiesSignature(obj, as):
		fr.pending = fr.pending.with(facts{verified: &check{node: n, spoofable: spoofable(ov.union(as.all))}})
		return value{}
	case ormMethods[method] && fr.a.isManagerChain(obj):
		if full == "" {
			full = "…." + method
		}
		return fr.lookup(n, full, as.all)
	case loginCalls[method] && (isAuthModule(objName) || fr.a.text(obj) == "super()" || strings.Contains(strings.ToLower(objName), "backend")):
		return fr.login(n, method, method, as)
	case constantTimeCompare[full]:
		return fr.compareDigest(as)
	case ov.status != nil && statusNormalizers[method]:
		return ov
	case ov.status != nil && (method == "startswith" || method == "endswith"):
		w := &check{node: n, spoofable: ov.status.key.spoofable, how: "tests it with " + method, key: ov.status.key.name}
		g := &gate{node: n, status: ov.status, compares: true, weak: w}
		return value{cond: &condition{
			t: facts{weak: w, gates: []*gate{g}},
			f: facts{gates: []*gate{g}},
		}}
	case cleanMethods[method]:
		return value{}
	case ov.data():
		return fr.dataMethod(n, method, ov, as)
	case regexFunctions[method] && !ov.header && !ov.peer:
		// re.split(p, s) or a pattern's p.split(s); a header's own
		// .split(",") keeps what it is.
		return fr.regex(n, objName, as)
	}
	return fr.unknownMethod(n, full, method, ov, as)
}

// login is a call of login() or authenticate(): a sink for the identity
// data it is given. Passing the verification status to authenticate()
// along with it hands the check to the backend, which verifies it (the
// backend's own code is analyzed as an authentication class). The result
// is the user: the identity data, no longer the status.
func (fr *frame) login(n *source.Node, name, short string, as args) value {
	if (short == "authenticate" || short == "aauthenticate") && as.all.status != nil {
		fr.pending = fr.pending.with(facts{verified: &check{node: n, spoofable: as.all.status.key.spoofable}})
	}
	fr.sink(site{node: n, kind: identitySink, what: "is passed to " + name + "()"}, as.all)
	v := as.all.derived()
	v.status, v.defaultSuccess = nil, false
	return v
}

// unknownMethod is a method call the analysis does not model: data flows
// from the object and the arguments to the result.
func (fr *frame) unknownMethod(n *source.Node, full, method string, ov value, as args) value {
	if v, ok := fr.external(n, full, as); ok {
		return v
	}
	switch {
	case fr.validator(full) || fr.validator(method):
		return fr.validated(n, ov.union(as.all))
	case fr.guard(full) || fr.guard(method):
		return fr.guardCall(n)
	}
	return ov.derived().union(as.all).derived()
}

// dataMethod is a method called on certificate data: string parsing of a
// DN, PEM or XFCC value is recorded; the data flows on.
func (fr *frame) dataMethod(n *source.Node, method string, ov value, as args) value {
	v := ov.derived().union(as.all).derived()
	v.kind = plainKind
	if ov.kind == certObjKind {
		return v
	}
	if ov.fromCert && certAttrMethods[method] {
		v.certAttr = true
		return v
	}
	if v.parse != nil && v.parser != "" && v.after == nil && stringParsers[method] && !v.certAttr && (isDN(ov) || isPEM(ov)) {
		v.after = n
	}
	if v.parse == nil && stringParsers[method] && !v.certAttr {
		switch {
		case isDN(ov) && method != "replace", isPEM(ov):
			v.parse, v.parser = n, ""
		case hasFormat(ov, xfccFormat) && !ov.fromCert && (method == "split" || method == "rsplit" || method == "partition" || method == "rpartition"):
			v.parse, v.parser = n, ""
		}
	}
	return v
}

// regex is a call of a regular-expression function (re.search(p, s)) or
// of a compiled pattern's method (p.search(s)) over certificate data.
func (fr *frame) regex(n *source.Node, objName string, as args) value {
	subject := as.at(0)
	if objName == "re" || objName == "regex" {
		subject = as.at(1)
	}
	v := as.all.derived()
	if v.parse != nil && v.parser != "" && v.after == nil && (isDN(subject) || isPEM(subject)) {
		v.after = n
	}
	if v.parse == nil && (isDN(subject) || isPEM(subject)) {
		v.parse, v.parser = n, ""
	}
	return v
}

// isDN reports whether v is a distinguished name as a string: a DN key's
// value, or a name read from a parsed certificate (its rfc4514_string()).
func isDN(v value) bool { return (hasFormat(v, dnFormat) || v.fromCert) && !v.certAttr }

// isPEM reports whether v is a forwarded PEM still as a string.
func isPEM(v value) bool { return hasFormat(v, pemFormat) && !v.fromCert && !v.certAttr }

// lookup is an ORM look-up: a sink for identity data in its arguments.
// Looking a record up by a certificate's digest is pinning it.
func (fr *frame) lookup(n *source.Node, name string, data value) value {
	if !fr.a.scopedToUser(n) {
		fr.sink(site{node: n, kind: identitySink, what: "selects a record with " + short(name)}, data)
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
func (a *analysis) scopedToUser(call *source.Node) bool {
	args := call.ChildByFieldName("arguments")
	for i := 0; args != nil && i < int(args.NamedChildCount()); i++ {
		c := args.NamedChild(i)
		if c.Type() != "keyword_argument" {
			continue
		}
		v := strings.TrimPrefix(a.dotted(c.ChildByFieldName("value")), "self.")
		if v == "request.user" || strings.HasPrefix(v, "request.user.") {
			return true
		}
	}
	return false
}

// isManagerChain reports whether obj is a chain of calls and attributes
// rooted at a model manager (User.objects, X.objects.active().select_related()).
func (a *analysis) isManagerChain(obj *source.Node) bool {
	for n, depth := obj, 0; n != nil && depth < 12; depth++ {
		switch n.Type() {
		case "attribute":
			if ormManagers[a.text(n.ChildByFieldName("attribute"))] {
				return true
			}
			n = n.ChildByFieldName("object")
		case "call":
			n = n.ChildByFieldName("function")
		default:
			return false
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
func (fr *frame) verifiesSignature(obj *source.Node, as args) bool {
	if strings.Contains(strings.ToLower(fr.a.text(obj)), "verifier") {
		return true
	}
	for _, a := range as.nodes {
		if t := fr.a.text(a); strings.HasSuffix(t, ".tbs_certificate_bytes") || strings.HasSuffix(t, ".signature") {
			return true
		}
	}
	return false
}

// compareDigest is hmac.compare_digest and the like: true when a shared
// secret header the proxy adds matches (a trusted-proxy guard), or when a
// certificate digest matches a pin.
func (fr *frame) compareDigest(as args) value {
	c := condition{}
	switch {
	case as.all.fingerprint:
		c.t.verified = &check{node: as.node(0), spoofable: spoofable(as.all)}
	case as.all.header && !as.all.data() && as.all.status == nil:
		c.t.guarded = &check{node: as.node(0)}
	}
	return value{cond: &c}
}

// validator reports whether a function not defined in the file verifies
// certificates, by the user's setting or its name.
func (fr *frame) validator(name string) bool { return named(name, fr.a.validators, validatorName) }

// named reports whether a function's dotted name is in the user's list
// (whole or by its last component) or its last component matches re.
func named(name string, list map[string]bool, re *regexp.Regexp) bool {
	if name == "" {
		return false
	}
	return list[name] || list[last(name)] || re.MatchString(last(name))
}

// guard reports whether a function not defined in the file checks that
// the request came from a trusted proxy.
func (fr *frame) guard(name string) bool { return named(name, fr.a.guards, proxyGuardName) }

// validated is a call of a certificate validator: true (or, used as a
// statement, returning at all) means verified.
func (fr *frame) validated(n *source.Node, data value) value {
	f := facts{verified: &check{node: n, spoofable: spoofable(data)}}
	fr.pending = fr.pending.with(f)
	v := data.derived()
	v.cond = &condition{t: f}
	return v
}

// external is a call of a function another module of the repository
// defines (through the file's imports) with the request, its META or
// certificate data: what the call establishes, tested or returning, is
// left to the worlds (see judge) that Finish decides with the function's
// summary. ok is false for any other call.
func (fr *frame) external(n *source.Node, name string, as args) (value, bool) {
	q := fr.a.resolve(name)
	if q == "" || !as.carryRequest() {
		return value{}, false
	}
	sp := spoofable(as.all)
	returned := &ext{node: n, name: q, written: name, use: 'x', spoofable: sp}
	tested := &ext{node: n, name: q, written: name, use: 't', spoofable: sp}
	failed := &ext{node: n, name: q, written: name, use: 'f', spoofable: sp}
	fr.pending = fr.pending.with(facts{exts: []*ext{returned}})
	fr.a.exportCall(q, n, fr.now())
	v := as.all.derived()
	v.cond = &condition{t: facts{exts: []*ext{tested}}, f: facts{exts: []*ext{failed}}}
	v.called = name
	// What the function returns read from the request is certificate data
	// if its summary says so (Finish decides, see judge).
	v.origins = mergeOrigins(v.origins, []*origin{{node: n, key: keyInfo{name: name + "()", setting: callRefPrefix + q}}})
	if v.parse == nil && (isDN(as.all) || isPEM(as.all) || hasFormat(as.all, xfccFormat)) {
		// If the function cuts the string apart, its result is parsed
		// (Finish decides with its summary).
		v.parse, v.parser = n, q
	}
	return v, true
}

// carryRequest reports whether the arguments pass the request, its META
// or headers, or certificate data.
func (as args) carryRequest() bool {
	carries := func(v value) bool {
		return v.kind == requestKind || v.kind == metaKind || v.kind == headersKind || v.data() || v.status != nil
	}
	for _, v := range as.pos {
		if carries(v) {
			return true
		}
	}
	for _, v := range as.kw {
		if carries(v) {
			return true
		}
	}
	return false
}

// guardCall is a call of a trusted-proxy check.
func (fr *frame) guardCall(n *source.Node) value {
	f := facts{guarded: &check{node: n}}
	fr.pending = fr.pending.with(f)
	return value{cond: &condition{t: f}}
}

// spoofable reports whether v carries data from a header the client can send.
func spoofable(v value) bool {
	if v.status != nil && v.status.key.spoofable {
		return true
	}
	for _, o := range v.origins {
		if o.key.spoofable {
			return true
		}
	}
	return false
}

// short keeps the first line of s, at most 60 characters.
func short(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + "…"
	}
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60]) + "…"
	}
	return s
}
