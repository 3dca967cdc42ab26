package mtls

import (
	"fmt"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/pysrc"
)

// A keyClass says what a META key or header carries.
type keyClass uint8

const (
	otherKey keyClass = iota
	// certKey is a value of the client certificate: a DN, a CN, the PEM,
	// a serial or fingerprint, Envoy's XFCC.
	certKey
	// verifyKey is the verification status of the client certificate.
	verifyKey
	// identityKey is a user name an authenticating proxy forwards.
	identityKey
	// peerKey is REMOTE_ADDR, the address of the TCP peer.
	peerAddrKey
)

// A keyFormat says how a certificate value is written.
type keyFormat uint8

const (
	plainFormat keyFormat = iota
	dnFormat              // a distinguished name: CN=a,O=b or /O=b/CN=a
	pemFormat             // a PEM certificate or chain
	xfccFormat            // Envoy's X-Forwarded-Client-Cert element list
)

// keyInfo is what the analysis knows of one key read.
type keyInfo struct {
	// name is the key as written in the source.
	name  string
	class keyClass
	// spoofable is true for HTTP request headers: the client can send
	// them unless a proxy overwrites them and is the only way in.
	spoofable bool
	format    keyFormat
	// proxyUnverified is true for headers a proxy forwards without
	// verifying the certificate (AWS ALB passthrough).
	proxyUnverified bool
	// ref names what names the key when it is not a literal of the
	// function's module (settings.X, app.conf.X), def where that is
	// given its value.
	ref string
	def pysrc.Loc
}

// display is how messages name the key: quoted, after what names it.
func (k keyInfo) display() string {
	if k.ref != "" {
		return fmt.Sprintf("%s (%q)", k.ref, k.name)
	}
	return fmt.Sprintf("%q", k.name)
}

// A keyMatcher matches a normalized key exactly or, with prefix, by its start.
type keyMatcher struct {
	key    string
	prefix bool
}

// keySet classifies keys with the default tables and the user's settings.
type keySet struct {
	certs, verifies []keyMatcher
}

func newKeySet(s analyzers.Settings) keySet {
	return keySet{certs: matchers(s["cert-headers"]), verifies: matchers(s["verify-headers"])}
}

func matchers(list []string) []keyMatcher {
	var out []keyMatcher
	for _, k := range list {
		m := keyMatcher{key: strings.TrimPrefix(normalize(k), "HTTP_")}
		if strings.HasSuffix(m.key, "*") {
			m.key, m.prefix = strings.TrimSuffix(m.key, "*"), true
		}
		if m.key != "" || m.prefix {
			out = append(out, m)
		}
	}
	return out
}

// configured reports whether the settings add keys the default tables and
// the prefilter literals may not know.
func (k keySet) configured() bool { return len(k.certs)+len(k.verifies) > 0 }

func matchAny(ms []keyMatcher, key string) bool {
	for _, m := range ms {
		if m.key == key || m.prefix && strings.HasPrefix(key, m.key) {
			return true
		}
	}
	return false
}

// normalize spells a key as META does, without the HTTP_ prefix rule:
// upper case, with "-" as "_".
func normalize(key string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(key), "-", "_"))
}

// classify returns what key carries when read from request.headers
// (header is true: a header name) or from META/environ.
func (k keySet) classify(key string, header bool) keyInfo {
	norm := normalize(key)
	info := keyInfo{name: key}
	body := norm
	switch {
	case header:
		info.spoofable = true
		body = strings.TrimPrefix(norm, "HTTP_")
	case strings.HasPrefix(norm, "HTTP_"):
		info.spoofable = true
		body = norm[len("HTTP_"):]
	}
	switch {
	case !info.spoofable && body == peerKey:
		info.class = peerAddrKey
	case matchAny(k.verifies, body) || verifyKeyPattern.MatchString(body):
		info.class = verifyKey
	case matchAny(k.certs, body) || certKeyPattern.MatchString(body) && !certKeyExclude.MatchString(body):
		info.class = certKey
		info.proxyUnverified = unverifiedByProxyKeys[body]
		switch {
		case xfccKeyPattern.MatchString(body):
			info.format = xfccFormat
		case dnKeyPattern.MatchString(body):
			info.format = dnFormat
		case pemKeyPattern.MatchString(body):
			info.format = pemFormat
		}
	case info.spoofable && identityKeyPattern.MatchString(body):
		info.class = identityKey
	}
	return info
}
