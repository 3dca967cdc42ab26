package crosslang

import (
	"regexp"
	"strings"

	"github.com/residue-sec/residue/analyzers/pysrc"
)

// A view behind a check of client certificates serves authenticated
// mTLS clients: services and people the deployment trusts, and that
// trust what it sends. The mtls family judges those checks; here it is
// enough to know that one exists: a middleware of MIDDLEWARE, or a
// decorator of the view, whose code compares a certificate verification
// key with "SUCCESS" and rejects the request otherwise.

// verifyKey matches a certificate verification key or header as
// written: SSL_CLIENT_VERIFY, HTTP_X_SSL_CLIENT_VERIFY, X-Client-Verify.
var verifyKey = regexp.MustCompile(`(?i)["'](HTTP_)?(X[-_])?(SSL[-_])?CLIENT[-_]VERIFY["']`)

// success matches the value of a verified certificate.
var success = regexp.MustCompile(`["']SUCCESS["']`)

// rejection matches a refusal of the request.
var rejection = regexp.MustCompile(`PermissionDenied|HttpResponseForbidden|status\s*=\s*40[13]|raise\s+\w*(Denied|Forbidden|Unauthorized)`)

// validates reports whether a definition's code checks that a client
// certificate was verified and rejects the request when it was not.
func validates(text string) bool {
	return verifyKey.MatchString(text) && success.MatchString(text) && rejection.MatchString(text)
}

// gates are the repository's checks of client certificates.
type gates struct {
	// middleware is the first validating middleware of MIDDLEWARE, named
	// as the setting names it.
	middleware *pysrc.Def
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
		for _, path := range s.Value.Strings() {
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
			g.middleware = &d
			return g
		}
	}
	return g
}

// gate returns the check of client certificates a view passes before it
// runs: a validating decorator of the view (or its class), else a
// validating middleware.
func (c *checker) gate(view pysrc.Def, isView bool) (pysrc.Def, bool) {
	if c.gates == nil {
		c.gates = gatesOf(c.prog)
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
	if c.gates.middleware != nil && isView {
		return *c.gates.middleware, true
	}
	return pysrc.Def{}, false
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
