package mtls

import "fmt"

// reportUnverified reports mtls/unverified-identity: certificate data set
// by the server (or by a proxy that forwards certificates it did not
// verify) decides the identity, and neither its verification status is
// compared to "SUCCESS" nor the certificate verified or pinned. Reported
// at the first sink of each origin.
func (fr *frame) reportUnverified(o *origin, s site, v value) {
	first, ok := fr.once(ruleUnverified, o)
	if !ok {
		return
	}
	why := `its verification status (SSL_CLIENT_VERIFY) is never compared to "SUCCESS" and the certificate is neither verified nor pinned`
	if o.key.proxyUnverified {
		why = "the proxy forwards this certificate without verifying it (AWS ALB mTLS passthrough), and the code neither verifies nor pins it"
	}
	msg := fmt.Sprintf("the value of %s %s, but nothing verifies the certificate: %s (with SSLVerifyClient optional_no_ca any self-signed certificate passes)", keyName(o), s.what, why)
	fr.reportWith(first, ruleUnverified, s.node, msg, o, s, v.steps, fr.sourceLoc(o))
}

// oncePerSink reports whether rule has not yet been reported for sink s:
// findings reported at the read stand for every header reaching the same
// sink (one proxy check fixes them all), in this world.
func (a *analysis) oncePerSink(rule string, s site) bool {
	if a.quiet() {
		return false
	}
	if s.node == nil {
		return true
	}
	key := fmt.Sprintf("%s>%d-%d", rule, s.node.StartByte(), s.node.EndByte()) + worldSuffix(a.world)
	if a.seen[key] {
		return false
	}
	a.seen[key] = true
	return true
}

// once reports whether rule has not yet been reported for origin o (the
// first sink an origin reaches stands for the others), in this world. The
// data it returns marks the finding so that Finish keeps one per origin
// (a finding of some worlds at one sink, of every world at the next).
func (fr *frame) once(rule string, o *origin) (map[string]string, bool) {
	a := fr.a
	if a.quiet() {
		return nil, false
	}
	base := fmt.Sprintf("%s#%d-%d", rule, o.node.StartByte(), o.node.EndByte())
	key := base + worldSuffix(a.world)
	if a.seen[base] || a.seen[key] {
		a.shareOwner(base, fr.ownerData(rule, o))
		return nil, false
	}
	a.seen[key] = true
	return map[string]string{dataOnce: base}, true
}
