package crosslang

import (
	"regexp"
	"strings"

	"github.com/residue-sec/residue/analyzers/pysrc"
)

// A view behind a check of client certificates serves authenticated
// mTLS clients: services and people the deployment trusts, and that
// trust what it sends. The mtls family judges those checks; here it is
// enough to know that one exists: a middleware of MIDDLEWARE, a
// decorator of the view, or for a DRF view an authentication class of
// REST_FRAMEWORK's DEFAULT_AUTHENTICATION_CLASSES, whose code compares a
// certificate verification key with "SUCCESS" and rejects the request
// otherwise.

// verifyKey matches a certificate verification key or header as
// written: SSL_CLIENT_VERIFY, HTTP_X_SSL_CLIENT_VERIFY, X-Client-Verify.
var verifyKey = regexp.MustCompile(`(?i)["'](HTTP_)?(X[-_])?(SSL[-_])?CLIENT[-_]VERIFY["']`)

// success matches the value of a verified certificate.
var success = regexp.MustCompile(`["']SUCCESS["']`)

// rejection matches a refusal of the request.
var rejection = regexp.MustCompile(`PermissionDenied|HttpResponseForbidden|AuthenticationFailed|NotAuthenticated|status\s*=\s*40[13]|raise\s+\w*(Denied|Forbidden|Unauthorized)`)

// validates reports whether a definition's code checks that a client
// certificate was verified and rejects the request when it was not.
func validates(text string) bool {
	return verifyKey.MatchString(text) && success.MatchString(text) && rejection.MatchString(text)
}

// gates are the repository's checks of client certificates.
type gates struct {
	// middleware is the first validating middleware of MIDDLEWARE, drf
	// the first validating class of DEFAULT_AUTHENTICATION_CLASSES, each
	// named as the setting names it.
	middleware, drf *pysrc.Def
	// decorators are the validating functions, by name.
	decorators map[string]pysrc.Def
}

// gatesOf reads the repository's checks of client certificates.
func gatesOf(prog *pysrc.Program) *gates {
	g := &gates{decorators: map[string]pysrc.Def{}}
	byName := map[string]pysrc.Def{}
	prog.Defs(func(d pysrc.Def) {
		if d.Class == nil && validates(prog.Text(d.Loc)) {
			byName[lastName(d.Name)] = d
			g.decorators[lastName(d.Name)] = d
		}
	})
	for _, s := range prog.Settings("MIDDLEWARE") {
		if g.middleware = firstGate(prog, s.Value.Strings(), byName); g.middleware != nil {
			break
		}
	}
	for _, s := range prog.Settings("REST_FRAMEWORK") {
		if classes, ok := s.Value.Get("DEFAULT_AUTHENTICATION_CLASSES"); ok {
			if g.drf = firstGate(prog, classes.Strings(), byName); g.drf != nil {
				break
			}
		}
	}
	return g
}

// firstGate returns the first of the dotted paths a setting lists whose
// definition validates client certificates, named as the setting names
// it; byName holds the validating definitions by name, for a path the
// model names otherwise.
func firstGate(prog *pysrc.Program, paths []string, byName map[string]pysrc.Def) *pysrc.Def {
	for _, path := range paths {
		d, ok := prog.Lookup(path)
		if ok && !validates(prog.Text(d.Loc)) {
			continue
		}
		if !ok {
			if d, ok = byName[lastName(path)]; !ok {
				continue
			}
		}
		d.Name = path
		return &d
	}
	return nil
}

// gate returns the check of client certificates a view passes before it
// runs: a validating decorator of the view (or its class), else a
// validating middleware.
func (c *checker) gate(view pysrc.Def, isView bool) (pysrc.Def, bool) {
	if c.gates == nil {
		// Once per program: every definition's text is read.
		c.gates = c.prog.Memo("crosslang.gates", func() any { return gatesOf(c.prog) }).(*gates)
	}
	decs := view.Decorators
	if view.Class != nil {
		decs = append(append([]string(nil), decs...), view.Class.Decorators...)
	}
	for _, dec := range decs {
		name, _, _ := strings.Cut(dec, "(")
		if d, ok := c.gates.decorators[lastName(strings.TrimSpace(name))]; ok {
			return d, true
		}
	}
	if c.gates.drf != nil && isView && drfView(c.prog, view) {
		return *c.gates.drf, true
	}
	if c.gates.middleware != nil && isView {
		return *c.gates.middleware, true
	}
	return pysrc.Def{}, false
}

// drfView reports whether a view is DRF's: a method of a class whose
// bases name an APIView or a ViewSet, or a function under @api_view.
func drfView(prog *pysrc.Program, view pysrc.Def) bool {
	if view.Class != nil {
		header, _, _ := strings.Cut(prog.Text(view.Class.Loc), ":")
		return strings.Contains(header, "APIView") || strings.Contains(header, "ViewSet")
	}
	for _, dec := range view.Decorators {
		if strings.HasPrefix(dec, "api_view") {
			return true
		}
	}
	return false
}

// cachePage returns the @cache_page decorator of a view (or of its
// class, through method_decorator), "" when none.
func cachePage(view pysrc.Def) string {
	decs := view.Decorators
	if view.Class != nil {
		decs = append(append([]string(nil), decs...), view.Class.Decorators...)
	}
	for _, dec := range decs {
		if i := strings.Index(dec, "cache_page("); i >= 0 {
			end := strings.IndexByte(dec[i:], ')')
			if end < 0 {
				return "cache_page"
			}
			return dec[i : i+end+1]
		}
	}
	return ""
}
