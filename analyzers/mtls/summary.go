package mtls

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/pysrc"
	"github.com/residue-sec/residue/analyzers/source"
)

// The kinds of facts the analyzer exports for its Finish step.
const (
	// factSummary: Key is a module-level function's dotted name, Values
	// the checkStates where it returns a true value, where it returns, and
	// where it returns a false one (see summaryUses), then summaryParses
	// if what it returns cuts its arguments apart, then its dependencies.
	factSummary = "summary"
	// summaryUses are the uses of an ext the summary's first values are for.
	summaryUses = "txf"
	// summaryParses marks a function that parses certificate strings.
	summaryParses = "parses"
	// summaryReturns prefixes the settingState of a key whose value the
	// function returns (read from the request it is given).
	summaryReturns = "returns:"
	// summaryDep joins "t" or "x" (where the function returns a true
	// value, or at all) to the id of an ext that holds there: what that
	// function checks adds to the summary's state.
	summaryDep = ":"
	// factWeakTest: the weak test of the verification status a
	// summarized function relies on; Values its description and key.
	factWeakTest = "weak-test"
	// factCall: a call of another module's function; Values the
	// checkState that holds at the call, then the exts that hold there.
	factCall = "call"
	// factSetting: a module-level NAME = "KEY" naming a certificate or
	// user key; Key is module.NAME, Values the key.
	factSetting = "setting"
	// factMiddlewareList: Django's MIDDLEWARE setting; Values its entries.
	factMiddlewareList = "middleware-list"
	// factMiddleware: a middleware (a method of it); Values the
	// checkState of every request it hands on.
	factMiddleware = "middleware"
	// factFunction: a module-level function analyzed as an entry point.
	factFunction = "function"
)

// upperName matches the names of Django settings and module constants.
var upperName = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// summarySignals are literals of function bodies that may check a
// certificate, its status or the proxy; other functions are summarized
// only when their name says they check (the summary then says whether
// they do).
var summarySignals = []string{"SSL_CLIENT", "_VERIFY", "Verify", "verif", "valid", "SUCCESS", "REMOTE_ADDR", "x509", "X509",
	"compare_digest", "fingerprint", "TRUSTED", "PROXIES", "PROXY"}

// nameFragments are what the names of checks, guards and certificate
// parsers contain (validatorName, proxyGuardName, certNameHint), in lower
// case: a file with none of them, and no check signal, has no function to
// summarize.
var nameFragments = []string{"verif", "valid", "check", "cert", "client", "tls", "ssl", "x509", "chain", "_ok", "trust",
	"pinned", "prox", "peer", "internal_request", "subject", "issuer", "pem", "xfcc", "dn", "cn"}

// maySummarize reports whether the file may define a function worth a
// summary, from its text.
func (a *analysis) maySummarize() bool {
	src := a.pass.File.Src
	if a.checkSignal(src) {
		return true
	}
	lower := bytes.ToLower(src)
	for _, f := range nameFragments {
		if bytes.Contains(lower, []byte(f)) {
			return true
		}
	}
	return false
}

// returnedKeys are the summary values for what a summarized function
// returns read from the request: the kinds of certificate or user keys
// (its parameters' own data, bound at nameNode, flows through the call).
func (a *analysis) returnedKeys(out value, nameNode *source.Node) []string {
	if out.record {
		// A record looked up by the data: the look-up was the sink.
		return nil
	}
	seen := map[int]bool{}
	var vals []string
	for _, o := range out.origins {
		if o.node == nameNode || o.key.setting != "" {
			continue
		}
		s := settingOther
		switch {
		case o.key.class == identityKey:
			s = settingIdentityHeader
		case o.key.class == certKey && o.key.spoofable:
			s = settingCertHeader
		case o.key.class == certKey:
			s = settingCertVariable
		}
		if s != settingOther && !seen[s] {
			seen[s] = true
			vals = append(vals, summaryReturns+strconv.Itoa(s))
		}
	}
	return vals
}

// deps are the fact values of the exts that hold where f does: what the
// other modules' functions called there check adds to the state (Finish
// joins them, see factState).
func deps(f facts) []string {
	var out []string
	for _, e := range f.exts {
		out = append(out, "x"+summaryDep+e.id())
	}
	return out
}

// checkSignal reports whether a function body may check a certificate,
// its status or the proxy, by the default names or the user's.
func (a *analysis) checkSignal(body []byte) bool {
	for _, s := range summarySignals {
		if bytes.Contains(body, []byte(s)) {
			return true
		}
	}
	for _, k := range []string{"verify-headers", "trusted-proxy-settings", "cert-validators", "proxy-guards"} {
		for _, name := range a.pass.Settings[k] {
			if name = strings.TrimSuffix(name, "*"); name != "" && bytes.Contains(body, []byte(name)) {
				return true
			}
		}
	}
	return false
}

// paramKind guesses what a summarized function's parameter p is from its
// name and how the body uses it: a request (p.META, p.user), a headers
// mapping, a META mapping (p.get(...), p[...]), or else certificate data.
func paramKind(body []byte, p string) kind {
	has := func(s string) bool { return bytes.Contains(body, []byte(p+s)) }
	lower := strings.ToLower(p)
	switch {
	case has(".META") || has(".headers") || has(".environ") || has(".user") || has(".method") || has(".COOKIES"):
		return requestKind
	case strings.Contains(lower, "header") && (has(".get(") || has("[")):
		return headersKind
	case strings.Contains(lower, "meta") || strings.Contains(lower, "environ") || has(".get(") || has("["):
		return metaKind
	}
	return plainKind
}

// wrapperName matches the names of functions that may wrap another
// module's check (ensure_client(request) calling check_status(request)).
var wrapperName = regexp.MustCompile(`(?i)ensure|require|check|assert|verif|valid|guard|allow|deny|permit|auth|trust|secur|protect|client|cert|tls|ssl`)

// certNameHint matches names of functions and parameters that handle a
// certificate or its names (user_from_dn, parse_subject(subject)).
var certNameHint = regexp.MustCompile(`(?i)(^|_)(dn|subject|issuer|cert|certificate|pem|xfcc|cn)(_|$)`)

// certNamed reports whether fn or one of its parameters is named for
// certificate data: a parser of it is summarized.
func (a *analysis) certNamed(fn *source.Node) bool {
	if certNameHint.MatchString(a.text(fn.ChildByFieldName("name"))) {
		return true
	}
	for _, p := range a.parameters(fn, false) {
		if certNameHint.MatchString(p) {
			return true
		}
	}
	return false
}

// exportModuleFacts exports the module's settings that name certificate or
// user keys, and its MIDDLEWARE list.
func (a *analysis) exportModuleFacts() {
	root := a.pass.File.Root()
	for i := 0; root != nil && i < int(root.NamedChildCount()); i++ {
		s := root.NamedChild(i)
		if s.Type() != "expression_statement" || s.NamedChildCount() == 0 || s.NamedChild(0).Type() != "assignment" {
			continue
		}
		as := s.NamedChild(0)
		left, right := as.ChildByFieldName("left"), as.ChildByFieldName("right")
		if left == nil || right == nil || left.Type() != "identifier" || !upperName.MatchString(a.text(left)) {
			continue
		}
		name := a.text(left)
		if name == "MIDDLEWARE" || name == "MIDDLEWARE_CLASSES" {
			a.exportMiddlewareList(name, right)
			continue
		}
		v, ok := a.settingValue(right)
		if !ok || a.keys.settingState(v, false) == settingOther && a.keys.settingState(v, true) == settingOther {
			continue
		}
		a.pass.Export(analyzers.Fact{Kind: factSetting, Key: a.module + "." + name, Values: []string{v},
			Location: a.pass.Location(as, name+" is "+strconv.Quote(v)+" here")})
	}
}

// settingValue returns the string a setting is given: a literal, a
// constant, getattr(config, "NAME", "default") or os.environ.get("NAME",
// "default") (the default is what the code was written for).
func (a *analysis) settingValue(n *source.Node) (string, bool) {
	if v, ok := a.stringValue(n, nil); ok {
		return v, true
	}
	if n.Type() != "call" {
		return "", false
	}
	args := n.ChildByFieldName("arguments")
	for i := 0; args != nil && i < int(args.NamedChildCount()); i++ {
		// env.str("NAME", default="..."), config("NAME", default="...")
		if c := args.NamedChild(i); c.Type() == "keyword_argument" && a.text(c.ChildByFieldName("name")) == "default" {
			return a.stringValue(c.ChildByFieldName("value"), nil)
		}
	}
	switch last(a.dotted(n.ChildByFieldName("function"))) {
	case "get", "getenv", "str", "config", "env":
		if args != nil && args.NamedChildCount() == 2 {
			return a.stringValue(args.NamedChild(1), nil)
		}
	}
	return "", false
}

// exportMiddlewareList exports a MIDDLEWARE list's literal entries, in order.
func (a *analysis) exportMiddlewareList(name string, list *source.Node) {
	switch list.Type() {
	case "list", "tuple", "parenthesized_expression":
	default:
		return
	}
	var entries []string
	for i := 0; i < int(list.NamedChildCount()); i++ {
		if v, ok := a.stringValue(list.NamedChild(i), nil); ok {
			entries = append(entries, v)
		}
	}
	if len(entries) > 0 {
		a.pass.Export(analyzers.Fact{Kind: factMiddlewareList, Key: name, Values: entries,
			Location: a.pass.Location(list, "the "+name+" setting")})
	}
}

// exportMiddleware exports what the middleware mw (its method fn)
// guarantees of every request it hands on: its check's location when that
// includes a sound verification or a proxy check. Middleware that checks
// nothing is exported too, so that two middleware of one dotted name (two
// services of a monorepo) are told apart.
func (a *analysis) exportMiddleware(mw string, fn *source.Node) {
	if mw == "" {
		return
	}
	var f facts
	if a.passOn != nil {
		f = *a.passOn
	}
	s := stateOf(f)
	at, what := fn.ChildByFieldName("name"), last(mw)+" is defined here"
	switch {
	case s.satisfies(needVerify):
		at, what = f.verified.node, "the check "+last(mw)+" makes of every request"
	case s.satisfies(needGuard):
		at, what = f.guarded.node, "the check "+last(mw)+" makes of every request"
	default:
		s = noCheck
	}
	values := append([]string{strconv.Itoa(int(s))}, deps(f)...)
	a.pass.Export(analyzers.Fact{Kind: factMiddleware, Key: mw, Values: values, Location: a.pass.Location(at, what)})
}

// exportFunction exports a module-level function the file analyzed, so
// that Finish knows which dotted names are ambiguous.
func (a *analysis) exportFunction(name string, fn *source.Node) {
	a.pass.Export(analyzers.Fact{Kind: factFunction, Key: name, Location: a.pass.Location(fn.ChildByFieldName("name"), "")})
}

// exportCall exports a call of another module's function q at n with
// what holds there, for Finish to clear the function's own findings when
// every caller checked first.
func (a *analysis) exportCall(q string, n *source.Node, f facts) {
	if a.summarizing {
		return
	}
	values := append([]string{strconv.Itoa(int(stateOf(f)))}, deps(f)...)
	a.pass.Export(analyzers.Fact{Kind: factCall, Key: q, Values: values, Location: a.pass.Location(n, "called here")})
}

// summarize exports the summaries of the module-level functions that may
// check a certificate or the proxy: what holds where each returns a true
// value and where it returns. Its parameters are the request or environ
// by name, certificate data otherwise (verify_cert(pem)).
func (a *analysis) summarize() {
	root := a.pass.File.Root()
	if !a.maySummarize() {
		return
	}
	a.summarizing = true
	defer func() { a.summarizing = false }()
	for i := 0; root != nil && i < int(root.NamedChildCount()); i++ {
		switch d := pysrc.Unwrap(root.NamedChild(i)); d.Type() {
		case "function_definition":
			a.summarizeFunction(d, nil, "")
		case "class_definition":
			a.inheritDispatch(d)
			// Static and class methods are called through the class
			// (ClientCertificate.require(request)).
			cname := a.text(d.ChildByFieldName("name"))
			cbody := d.ChildByFieldName("body")
			for j := 0; cbody != nil && j < int(cbody.NamedChildCount()); j++ {
				m := cbody.NamedChild(j)
				if m.Type() == "decorated_definition" && staticDecorator.MatchString(a.text(m)) {
					a.summarizeFunction(pysrc.Unwrap(m), d, cname+".")
				}
			}
		}
	}
}

// inheritDispatch exports, for a class that inherits its dispatch, a
// summary of it made of its bases' (a mixin of a mixin, a view's
// subclass): what they check when they hand the request on.
func (a *analysis) inheritDispatch(class *source.Node) {
	bases := class.ChildByFieldName("superclasses")
	if bases == nil || !viewBase.MatchString(a.text(bases)) || hasOwn(a, class, "dispatch") {
		return // no view's base, or its own dispatch is summarized where it is analyzed
	}
	var deps []string
	for i := 0; i < int(bases.NamedChildCount()); i++ {
		name := a.dotted(bases.NamedChild(i))
		q := a.resolve(name)
		if name != "" && a.classes[name] != nil {
			q = a.module + "." + name
		}
		if q != "" {
			e := &ext{name: q + ".dispatch", use: 'x'}
			deps = append(deps, "x"+summaryDep+e.id())
		}
	}
	if len(deps) == 0 {
		return
	}
	name := a.text(class.ChildByFieldName("name"))
	a.pass.Export(analyzers.Fact{Kind: factSummary, Key: a.module + "." + name + ".dispatch",
		Values:   append([]string{"0", "0", "0"}, deps...),
		Location: a.pass.Location(class.ChildByFieldName("name"), name+" inherits its dispatch")})
}

// viewBase matches the bases of class views and their mixins.
var viewBase = regexp.MustCompile(`Mixin|View`)

// hasOwn reports whether class itself defines the method name.
func hasOwn(a *analysis, class *source.Node, name string) bool {
	body := class.ChildByFieldName("body")
	for i := 0; body != nil && i < int(body.NamedChildCount()); i++ {
		if d := pysrc.Unwrap(body.NamedChild(i)); d.Type() == "function_definition" && a.text(d.ChildByFieldName("name")) == name {
			return true
		}
	}
	return false
}

// staticDecorator matches a method decorated as a static or class method.
var staticDecorator = regexp.MustCompile(`^@(staticmethod|classmethod)\b`)

// summarizeFunction exports fn's summary under the module's name, prefix
// (Class.) and its name; class is set for a method.
func (a *analysis) summarizeFunction(fn, class *source.Node, prefix string) {
	nameNode, body := fn.ChildByFieldName("name"), fn.ChildByFieldName("body")
	name := a.text(nameNode)
	if class == nil && a.decorators[name] {
		return
	}
	fr := &frame{a: a, env: map[string]value{}, fn: fn, helper: true}
	if body == nil || !a.checkSignal(a.pass.File.Src[body.StartByte():body.EndByte()]) &&
		!fr.validator(name) && !fr.guard(name) && !a.certNamed(fn) && !(wrapperName.MatchString(name) && a.callsImported(fn)) {
		return
	}
	a.bindParameters(fn, class, fr.env)
	bodyText := a.pass.File.Src[body.StartByte():body.EndByte()]
	for _, p := range a.parameters(fn, class != nil) {
		if _, ok := fr.env[p]; ok {
			continue
		}
		if k := paramKind(bodyText, p); k != plainKind {
			fr.env[p] = value{kind: k}
			continue
		}
		fr.env[p] = value{origins: []*origin{{node: nameNode, key: keyInfo{name: p, class: certKey, format: dnFormat}}}}
	}
	o := fr.outcome(!fr.block(body))
	states := []string{"0", "0", "0"}
	var weak *check
	var deps []string
	for j, f := range []*facts{o.truthy, o.exits, o.falsy} {
		if f == nil {
			continue
		}
		states[j] = strconv.Itoa(int(stateOf(*f)))
		if weak == nil && f.verified == nil {
			weak = f.weak
		}
		// What the functions it calls check adds to its own.
		for _, e := range f.exts {
			deps = append(deps, string(summaryUses[j])+summaryDep+e.id())
		}
	}
	if o.out.parse != nil && o.out.parser == "" {
		states = append(states, summaryParses)
	}
	states = append(states, a.returnedKeys(o.out, nameNode)...)
	states = append(states, deps...)
	key := a.module + "." + prefix + name
	a.pass.Export(analyzers.Fact{Kind: factSummary, Key: key, Values: states, Location: a.pass.Location(nameNode, name+"() is defined here")})
	if weak != nil && weak.ext == nil {
		a.pass.Export(analyzers.Fact{Kind: factWeakTest, Key: key, Values: []string{weak.how, weak.key},
			Location: a.pass.Location(weak.node, "the verification status is tested here")})
	}
}
