package mtls

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/residue-sec/residue/analyzers/pysrc"
)

// remoteUserHeader reports a RemoteUserMiddleware or DRF
// RemoteUserAuthentication subclass (directly or through the
// repository's classes) that takes the user name from an HTTP header
// (header = "HTTP_X_REMOTE_USER"): Django's documentation warns that a
// header, unlike the REMOTE_USER server variable, is the client's. A
// class whose code checks REMOTE_ADDR or a trusted-proxy list is left
// alone. A certificate server variable (header = "SSL_CLIENT_S_DN_CN")
// is an unverified identity unless the class checks the status. A header
// named by a setting or a constant is the one the repository gives it,
// and so is one a property returns (netbox's header property).
func (c *checker) remoteUserHeader(class *pysrc.ClassDef) {
	middleware, ok := remoteUserBase(class)
	if !ok {
		return
	}
	fr := newFrame(c, c.rp, class.BodyDef(), role{}, nil)
	if middleware {
		fr.own.mw, fr.own.mwName = pysrc.Datum{Tag: pysrc.TagClass, Class: class}, class.Qualified()
	}
	var o *origin
	if s, at, ok := class.Const("header"); ok && s.Value.Kind == pysrc.LitString {
		o = &origin{at: at, keys: []keyInfo{c.rp.keys.classify(s.Value.Text, false)}}
	} else if m := class.Method("header"); m != nil && m.IsProperty() {
		// @property def header(self): return settings.REMOTE_AUTH_HEADER
		scope := newFrame(c, c.rp, m, role{}, nil)
		o = &origin{at: m.Module().At(m.NameSpan), keys: scope.vals.keyInfos(keyExpr{v: m.Code().Returns}, false)}
	} else if v, k := class.Binding("header"); k != nil {
		scope := newFrame(c, c.rp, k.BodyDef(), role{}, nil)
		at, ok := headerAt(k)
		if !ok {
			return
		}
		o = &origin{at: at, keys: scope.vals.keyInfos(keyExpr{v: v}, false)}
	} else {
		return
	}
	for _, k := range o.keys {
		c.remoteUserKey(fr, class, o, k)
	}
}

// remoteUserBase reports whether class derives from RemoteUserMiddleware
// (middleware is set) or DRF's RemoteUserAuthentication.
func remoteUserBase(class *pysrc.ClassDef) (middleware, ok bool) {
	for _, e := range class.External() {
		if remoteUserBases.MatchString(last(e)) {
			ok = true
			middleware = middleware || strings.Contains(last(e), "Middleware")
		}
	}
	return middleware, ok
}

// headerAssign matches the line of a class body that binds header.
var headerAssign = regexp.MustCompile(`(?m)^[ \t]+header[ \t]*=[ \t]*(.+?)[ \t]*$`)

// headerAt returns the location of the value class k's body binds header
// to.
func headerAt(k *pysrc.ClassDef) (pysrc.Loc, bool) {
	text := k.Module().Text(k.Span)
	m := headerAssign.FindStringSubmatchIndex(text)
	if m == nil {
		return pysrc.Loc{}, false
	}
	start := k.Span.Start + uint32(m[2])
	return k.Module().At(pysrc.Span{Start: start, End: k.Span.Start + uint32(m[3])}), true
}

// remoteUserKey judges the key k a RemoteUserMiddleware class logs in with.
func (c *checker) remoteUserKey(fr *frame, class *pysrc.ClassDef, o *origin, k keyInfo) {
	body := codeText(class.Module().Text(class.Span))
	if k.class == certKey && !k.spoofable {
		// A certificate server variable as the user name: nothing checks
		// SSL_CLIENT_VERIFY unless the class does.
		if strings.Contains(body, "VERIFY") || strings.Contains(body, "verify") {
			return
		}
		c.reportUnverified(fr, o, k, site{at: o.at, kind: identitySink, what: "is the user name RemoteUserMiddleware logs in"}, value{})
		return
	}
	if !k.spoofable {
		return // a server variable (REMOTE_USER), which no client sets
	}
	for _, g := range []string{peerKey, "compare_digest", "constant_time_compare"} {
		if containsWord(body, g) {
			return
		}
	}
	for name := range c.rp.proxySettings {
		if containsWord(body, name) {
			return
		}
	}
	if trustedProxyName.MatchString(body) && containsWord(body, "settings") {
		return
	}
	c.report(fr, ruleSpoofable, o.at, fmt.Sprintf("%s takes the user name from %s, a request header any client can send; "+
		"with no check that the request came from the trusted proxy, anyone can log in as anyone", last(class.Name), k.display()),
		nil, k, site{}, nil)
}

// containsWord reports whether s contains w not inside a longer identifier.
func containsWord(s, w string) bool {
	for off := 0; off < len(s) && w != ""; {
		i := strings.Index(s[off:], w)
		if i < 0 {
			return false
		}
		i += off
		end := i + len(w)
		if (i == 0 || !isIdentByte(s[i-1])) && (end == len(s) || !isIdentByte(s[end])) {
			return true
		}
		off = i + 1
	}
	return false
}

// codeText returns Python source with its comments and triple-quoted
// strings (docstrings, prose) blanked, so that a word in them ("verify",
// "REMOTE_ADDR") is not taken for a check the code makes. Other string
// literals stay: a key is one (request.META["REMOTE_ADDR"]).
func codeText(src string) string {
	out := []byte(src)
	blank := func(from, to int) {
		for j := from; j < to; j++ {
			if out[j] != '\n' {
				out[j] = ' '
			}
		}
	}
	for i := 0; i < len(src); {
		switch c := src[i]; {
		case c == '#':
			end := strings.IndexByte(src[i:], '\n')
			if end < 0 {
				end = len(src) - i
			}
			blank(i, i+end)
			i += end
		case c == '"' || c == '\'':
			q := src[i : i+1]
			if strings.HasPrefix(src[i:], q+q+q) {
				q += q + q
			}
			end := closingQuote(src, i+len(q), q)
			if len(q) == 3 {
				blank(i, end)
			}
			i = end
		default:
			i++
		}
	}
	return string(out)
}

// closingQuote returns the offset just past the quote q that closes the
// string whose text starts at from (the end of src when none does; a
// one-quote string ends at its line's end too).
func closingQuote(src string, from int, q string) int {
	for i := from; i < len(src); i++ {
		switch {
		case src[i] == '\\':
			i++
		case src[i] == '\n' && len(q) == 1:
			return i
		case strings.HasPrefix(src[i:], q):
			return i + len(q)
		}
	}
	return len(src)
}
