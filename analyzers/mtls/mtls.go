// Package mtls finds Django and WSGI code that trusts client-certificate
// data without validating it: values a TLS-terminating proxy or the WSGI
// server forwards (SSL_CLIENT_S_DN, SSL_CLIENT_CERT, X-SSL-Client-*,
// X-Forwarded-Client-Cert) that decide who the user is, with no check that
// the certificate was verified or that the header came from the proxy.
//
// It is an intra-procedural, path-sensitive evaluator over each function
// that receives a request or a WSGI environ: sources are reads of
// certificate keys, sinks are identity decisions (request.user, login,
// authenticate, ORM look-ups, values returned by authentication classes,
// access decisions), and validations met on the way (SSL_CLIENT_VERIFY ==
// "SUCCESS" with a rejecting branch, x509 verification or pinning, a
// REMOTE_ADDR check against the trusted proxies) clear them. Calls to
// functions of the same file are followed two levels deep.
package mtls

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// The rule ids this analyzer reports.
const (
	ruleSpoofable   = "mtls/spoofable-header-identity"
	ruleUnguarded   = "mtls/unguarded-checked-header"
	ruleUnverified  = "mtls/unverified-identity"
	ruleWeakVerify  = "mtls/weak-verify-check"
	ruleDNParsing   = "mtls/dn-string-parsing"
	rulePassthrough = "mtls/middleware-passthrough"
)

// Analyzer is the mtls analyzer.
var Analyzer = &analyzers.Analyzer{
	Name:      "mtls",
	Doc:       "client-certificate data from a TLS-terminating proxy trusted without verification (CWE-290, CWE-295)",
	Languages: []source.Language{source.Python},
	Rules:     []string{ruleSpoofable, ruleUnguarded, ruleUnverified, ruleWeakVerify, ruleDNParsing, rulePassthrough},
	// The certificate keys of the default tables, the containers any
	// configured key is read from (META, headers, environ), so that keys
	// added with the cert-headers setting are seen too, and what the
	// repository's facts come from: settings, proxy checks, x509.
	Prefilter:     prefilter,
	FactPrefilter: prefilter,
	Finish:        finish,
	Queries: map[source.Language]string{
		source.Python: "(function_definition) @function\n(class_definition) @class",
	},
	SettingKeys: map[string]string{
		"cert-headers":           "extra META keys or header names (a trailing * matches a prefix) that carry client-certificate data",
		"verify-headers":         "extra META keys or header names that carry the certificate verification status",
		"trusted-proxy-settings": "names of settings or constants that list the trusted proxies REMOTE_ADDR is checked against",
		"cert-validators":        "function names (or dotted names) that verify a client certificate or its verification status",
		"proxy-guards":           "function names (or dotted names) that check that a request came from a trusted proxy",
	},
	ValidateSetting: validateSetting,

	Run: run,
}

var prefilter = append(append([]string(nil), keyLiterals...), "META", "headers", "environ", "MIDDLEWARE = ", "MIDDLEWARE_CLASSES = ", "x509", "CN=", "_dn", "(dn", "verif", "(request", "(self.request")

func run(pass *analyzers.Pass) error {
	a := newAnalysis(pass)
	a.exportModuleFacts()
	if a.relevant() {
		// process_request first: process_view of the same middleware
		// runs after it, with what it checked.
		for _, first := range []bool{true, false} {
			for _, m := range pass.Matches {
				if c := m.Node("class"); c != nil && !first {
					a.remoteUserHeader(c)
				}
				if fn := m.Node("function"); fn != nil && (a.text(fn.ChildByFieldName("name")) == "process_request") == first {
					a.entry(fn, false)
				}
			}
		}
		// Helpers no call site followed (too deep, or past the budget)
		// are analyzed on their own.
		for _, fn := range a.helpers {
			if !a.followed[fn] {
				a.entry(fn, true)
			}
		}
		// Module-level helpers the file's callers check may be called
		// unchecked from other modules: analyzed on their own, their
		// findings stand only if such a call exists (Finish decides).
		for _, fn := range a.helpers {
			if a.followed[fn] && enclosingClass(fn) == nil && enclosingFunction(fn) == nil {
				a.onlyIfCalled = a.module + "." + a.text(fn.ChildByFieldName("name"))
				a.entry(fn, true)
				a.onlyIfCalled = ""
			}
		}
	} else if a.callsHelpers() {
		// No certificate key here, but calls of the repository's
		// functions with the request: what holds at them decides
		// whether those functions' callers all check.
		a.callsOnly = true
		for _, m := range pass.Matches {
			if fn := m.Node("function"); fn != nil && a.callsImported(fn) {
				a.entry(fn, true)
			}
		}
		a.callsOnly = false
	}
	a.summarize()
	for _, fd := range a.out {
		pass.Report(fd)
	}
	return nil
}

// callsHelpers reports whether the file may call a function of another
// module of the repository with the request.
func (a *analysis) callsHelpers() bool {
	src := a.pass.File.Src
	if !bytes.Contains(src, []byte("(request")) && !bytes.Contains(src, []byte("(self.request")) {
		return false
	}
	return len(a.importMap()) > 0
}

// callsImported reports whether fn's body calls a name the module imports
// with the request (name(request, ...), module.name(self.request)): a
// wrapper of another module's check, or a caller of a helper.
func (a *analysis) callsImported(fn *source.Node) bool {
	body := fn.ChildByFieldName("body")
	if body == nil {
		return false
	}
	src := a.pass.File.Src[body.StartByte():body.EndByte()]
	imports := a.importMap()
	for _, arg := range []string{"(request", "(self.request"} {
		for off := 0; ; {
			i := bytes.Index(src[off:], []byte(arg))
			if i < 0 {
				break
			}
			i += off
			// The dotted name called: the identifiers and dots before "(".
			j := i
			for j > 0 && (isIdentByte(src[j-1]) || src[j-1] == '.') {
				j--
			}
			first, _, _ := strings.Cut(string(src[j:i]), ".")
			if _, ok := imports[first]; ok && first != "" {
				return true
			}
			off = i + len(arg)
		}
	}
	return false
}

// namedKeyReads are, for each word that starts it, what follows in a read
// of META or headers at a key a setting or a constant names, or in a
// RemoteUserMiddleware header taken from one.
var namedKeyReads = []struct {
	word  string
	after *regexp.Regexp
}{
	{"META", namedKeyRead}, {"headers", namedKeyRead}, {"environ", namedKeyRead},
	{"header", regexp.MustCompile(`^\s*=\s*(?:settings\.|(?:\w+\.)?[A-Z][A-Z0-9_]*\b)`)},
}

var namedKeyRead = regexp.MustCompile(`^\s*(?:\.get\s*\(|\[)\s*(?:getattr\(\s*settings\b|settings\.|(?:\w+\.)?[A-Z][A-Z0-9_]*\b)`)

// readsNamedKey reports whether src reads a key a setting or a constant
// names: the regexps only look at the text after each word.
func readsNamedKey(src []byte) bool {
	const window = 64
	for _, r := range namedKeyReads {
		for off := 0; ; {
			i := bytes.Index(src[off:], []byte(r.word))
			if i < 0 {
				break
			}
			start := i + off
			i = start + len(r.word)
			if (start == 0 || !isIdentByte(src[start-1])) && r.after.Match(src[i:min(i+window, len(src))]) {
				return true
			}
			off = i
		}
	}
	return false
}

// relevant reports whether the file mentions any certificate key at all,
// or reads a key a setting names; the prefilter also admits every file
// that reads META or headers.
func (a *analysis) relevant() bool {
	if a.keys.configured() {
		return true
	}
	src := a.pass.File.Src
	for _, lit := range keyLiterals {
		if bytes.Contains(src, []byte(lit)) {
			return true
		}
	}
	return readsNamedKey(src)
}
