package mtls

import (
	"fmt"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// reportSpoofable reports mtls/spoofable-header-identity: a certificate or
// user header, which any client can send, decides the identity or access
// with nothing checking that the request came through the trusted proxy.
// It is reported at the read, where the proxy check belongs.
func (fr *frame) reportSpoofable(o *origin, s site, v value) {
	if !fr.a.oncePerSink(ruleSpoofable, s) {
		return
	}
	what := "certificate header"
	if o.key.class == identityKey {
		what = "user header"
	}
	msg := fmt.Sprintf("%s is a %s any client can send, and its value %s (line %d) with no check that the request came from the trusted proxy (REMOTE_ADDR)",
		keyName(o), what, s.what, fr.line(s.node))
	fr.report(ruleSpoofable, o.node, msg, o, s, v.steps, fr.sinkLoc(s))
}

// remoteUserHeader reports a RemoteUserMiddleware or DRF
// RemoteUserAuthentication subclass that takes the user name from an HTTP
// header (header = "HTTP_X_REMOTE_USER"): Django's documentation warns
// that a header, unlike the REMOTE_USER server variable, is the client's.
// A class whose code checks REMOTE_ADDR or a trusted-proxy list is left
// alone. A certificate server variable (header = "SSL_CLIENT_S_DN_CN")
// is an unverified identity unless the class checks the status. A header
// named by a setting (header = settings.X) is judged in worlds.
func (a *analysis) remoteUserHeader(class *source.Node) {
	bases := class.ChildByFieldName("superclasses")
	if bases == nil || !remoteUserBases.MatchString(a.text(bases)) {
		return
	}
	attr := a.classAttr(class, "header")
	if attr == nil {
		return
	}
	fr := &frame{a: a}
	if strings.Contains(a.text(bases), "Middleware") {
		fr.mw = a.module + "." + a.text(class.ChildByFieldName("name"))
	}
	var o *origin
	if name, ok := a.stringValue(attr, class); ok && attr.Type() == "string" {
		o = &origin{node: attr, key: a.keys.classify(name, false)}
	} else if ref := a.keyReference(attr); ref != "" {
		o = &origin{node: attr, key: keyInfo{name: refName(ref), setting: ref}}
	} else {
		return
	}
	fr.judge(facts{}, o, func(_ facts, o *origin) { fr.remoteUserKey(class, o) })
	a.flush()
}

// remoteUserKey judges the key o a RemoteUserMiddleware class logs in with.
func (fr *frame) remoteUserKey(class *source.Node, o *origin) {
	a, attr, info, name := fr.a, o.node, o.key, o.key.name
	body := a.text(class.ChildByFieldName("body"))
	if info.class == certKey && !info.spoofable {
		// A certificate server variable as the user name: nothing checks
		// SSL_CLIENT_VERIFY unless the class does.
		for _, k := range []string{"VERIFY", "verify"} {
			if strings.Contains(body, k) {
				return
			}
		}
		fr.reportUnverified(o, site{node: attr, kind: identitySink, what: "is the user name RemoteUserMiddleware logs in"}, value{})
		return
	}
	if !info.spoofable || info.class == otherKey {
		return
	}
	for _, g := range []string{peerKey, "compare_digest", "constant_time_compare"} {
		if containsWord(body, g) {
			return
		}
	}
	for name := range a.proxySettings {
		if containsWord(body, name) {
			return
		}
	}
	if trustedProxyName.MatchString(body) && containsWord(body, "settings") {
		return
	}
	fr.report(ruleSpoofable, attr, fmt.Sprintf("%s takes the user name from %q, a request header any client can send; "+
		"with no check that the request came from the trusted proxy, anyone can log in as anyone", a.text(class.ChildByFieldName("name")), name),
		nil, site{}, nil, analyzers.Location{})
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
