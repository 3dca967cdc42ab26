package mtls

import (
	"fmt"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/pysrc"
)

// A found finding, with what the repository's verdicts need: what it
// belongs to, and what would clear it.
type found struct {
	fd   analyzers.Finding
	own  owner
	need need
}

// A need is what clears a finding: a verification, a proxy check.
type need uint8

const (
	needVerify need = 1 << iota
	needGuard
)

// needs says what would clear a finding of rule about a key k.
func needs(rule string, k keyInfo) need {
	switch rule {
	case ruleSpoofable, ruleUnguarded:
		return needGuard
	case ruleUnverified, ruleWeakVerify:
		return needVerify
	case rulePassthrough:
		if k.spoofable {
			return needGuard
		}
		return needVerify
	}
	return 0
}

// report records a finding once per rule and location. The flow goes
// from the origin through the assignments the data went through to the
// sink; related marks the other end.
func (c *checker) report(fr *frame, rule string, at pysrc.Loc, msg string, o *origin, k keyInfo, s site, steps []pysrc.Loc, related ...analyzers.Location) {
	if !at.Valid() {
		return
	}
	base := fmt.Sprintf("%s@%d-%d", rule, at.Span.Start, at.Span.End)
	if c.seen[base] {
		c.shareOwner(base, fr.own)
		return
	}
	c.seen[base] = true
	if rule == ruleSpoofable || rule == ruleUnguarded {
		// A finding that stands for the function's missing proxy check
		// (see entry's deferred reports).
		c.headerFindings++
	}
	rp := c.rp
	fd := analyzers.Finding{RuleID: rule, Message: msg, Location: rp.location(at, "")}
	for _, l := range related {
		if l.Message != "" {
			fd.Related = append(fd.Related, l)
		}
	}
	switch {
	case k.def.Valid() && k.ref != "":
		fd.Related = append(fd.Related, rp.location(k.def, fmt.Sprintf("%s is %q here", last(k.ref), k.name)))
	case k.def.Valid():
		fd.Related = append(fd.Related, rp.location(k.def, k.name+" returns certificate data it reads from the request"))
	}
	if o != nil {
		fd.Flow = append(fd.Flow, analyzers.Step{Location: rp.location(o.at, "source: "+pysrc.Short(rp.text(o.at)))})
		for _, st := range steps {
			if st.Mod == at.Mod {
				fd.Flow = append(fd.Flow, analyzers.Step{Location: rp.location(st, "flows through "+pysrc.Short(rp.text(st)))})
			}
		}
		if s.at.Valid() && s.at != o.at {
			fd.Flow = append(fd.Flow, analyzers.Step{Location: rp.location(s.at, "sink: "+s.what)})
		}
	}
	c.at[base] = len(c.out)
	if c.onceKey != "" {
		c.at[c.onceKey], c.onceKey = len(c.out), ""
	}
	c.out = append(c.out, found{fd: fd, own: fr.own, need: needs(rule, k)})
}

// shareOwner notes that the finding kept under base is reached from code
// with owner own too: where the owners differ, no single middleware or
// function owns it, and it must not be lowered for one.
func (c *checker) shareOwner(base string, own owner) {
	i, ok := c.at[base]
	if !ok {
		return
	}
	f := &c.out[i]
	if f.own.mwName != own.mwName {
		f.own.mw, f.own.mwName = pysrc.Datum{}, ""
	}
	if f.own.entry != own.entry {
		f.own.entry = nil
	}
}

// once reports whether rule has not yet been reported for origin o: the
// first sink an origin reaches stands for the others.
func (c *checker) once(fr *frame, rule string, o *origin) bool {
	base := fmt.Sprintf("%s#%d-%d", rule, o.at.Span.Start, o.at.Span.End)
	if c.seen[base] {
		c.shareOwner(base, fr.own)
		return false
	}
	c.seen[base], c.onceKey = true, base
	return true
}

// oncePerSink reports whether rule has not yet been reported for sink s:
// findings reported at the read stand for every header reaching the same
// sink (one proxy check fixes them all).
func (c *checker) oncePerSink(rule string, s site) bool {
	if !s.at.Valid() {
		return true
	}
	key := fmt.Sprintf("%s>%d-%d", rule, s.at.Span.Start, s.at.Span.End)
	if c.seen[key] {
		return false
	}
	c.seen[key] = true
	return true
}

// sourceLoc is the related location of an origin.
func (c *checker) sourceLoc(o *origin) analyzers.Location {
	return c.rp.location(o.at, "the certificate value is read here")
}

// sinkLoc is the related location of a sink.
func (c *checker) sinkLoc(s site) analyzers.Location {
	return c.rp.location(s.at, "the value "+s.what+" here")
}

// reportSpoofable reports mtls/spoofable-header-identity: a certificate or
// user header, which any client can send, decides the identity or access
// with nothing checking that the request came through the trusted proxy.
// It is reported at the read, where the proxy check belongs.
func (c *checker) reportSpoofable(fr *frame, o *origin, k keyInfo, s site, v value) {
	if !c.oncePerSink(ruleSpoofable, s) {
		return
	}
	what := "certificate header"
	if k.class == identityKey {
		what = "user header"
	}
	msg := fmt.Sprintf("%s is a %s any client can send, and its value %s (line %d) with no check that the request came from the trusted proxy (REMOTE_ADDR)",
		k.display(), what, s.what, s.at.Line())
	c.report(fr, ruleSpoofable, o.at, msg, o, k, s, v.pathOf(o), c.sinkLoc(s))
}

// reportUnguarded reports mtls/unguarded-checked-header: the certificate
// data was checked (a verification status equal to "SUCCESS", a verified
// or pinned certificate) but the data or the status is a header any
// client can send, and nothing checks that the request came from the
// trusted proxy. A forwarded certificate proves nothing about the key, and
// a forged status header passes the check; lower confidence than no check
// at all, since the proxy may overwrite the headers and be the only way in.
func (c *checker) reportUnguarded(fr *frame, o *origin, k keyInfo, s site, chk *check, steps []pysrc.Loc) {
	if !c.oncePerSink(ruleUnguarded, s) {
		return
	}
	var msg string
	if k.class == verifyKey {
		msg = fmt.Sprintf(`the verification status %s is compared to "SUCCESS" but is a request header any client can send `+
			`(and X-SSL_Client-Verify reaches the same META key on some servers, CVE-2015-0219); `+
			`nothing checks that the request came from the trusted proxy (REMOTE_ADDR)`, k.display())
	} else {
		msg = fmt.Sprintf("%s is checked (line %d) but the check relies on request headers any client can send; "+
			"with no check that the request came from the trusted proxy (REMOTE_ADDR), a forged header passes and its value %s (line %d)",
			k.display(), chk.at.Line(), s.what, s.at.Line())
	}
	c.report(fr, ruleUnguarded, o.at, msg, o, k, s, steps, c.rp.location(chk.at, "the check that a forged header passes"))
}

// reportUnverified reports mtls/unverified-identity: certificate data set
// by the server (or by a proxy that forwards certificates it did not
// verify) decides the identity, and neither its verification status is
// compared to "SUCCESS" nor the certificate verified or pinned. Reported
// at the first sink of each origin.
func (c *checker) reportUnverified(fr *frame, o *origin, k keyInfo, s site, v value) {
	if !c.once(fr, ruleUnverified, o) {
		return
	}
	why := `its verification status (SSL_CLIENT_VERIFY) is never compared to "SUCCESS" and the certificate is neither verified nor pinned`
	if k.proxyUnverified {
		why = "the proxy forwards this certificate without verifying it (AWS ALB mTLS passthrough), and the code neither verifies nor pins it"
	}
	msg := fmt.Sprintf("the value of %s %s, but nothing verifies the certificate: %s (with SSLVerifyClient optional_no_ca any self-signed certificate passes)", k.display(), s.what, why)
	c.report(fr, ruleUnverified, s.at, msg, o, k, s, v.pathOf(o), c.sourceLoc(o))
}

// reportWeak reports mtls/weak-verify-check: the verification status is
// tested for presence or truth, or compared with something other than
// equality to "SUCCESS", and that test is all that stands before the
// sink. mod_ssl sets SSL_CLIENT_VERIFY to "NONE", "FAILED:reason" and, with
// optional_no_ca, "GENEROUS"; nginx's $ssl_client_verify is "NONE" or
// "FAILED:reason" too. Reported at the test.
func (c *checker) reportWeak(fr *frame, w *check, s site) {
	msg := fmt.Sprintf(`this test of the verification status %q %s, yet it is the only check before the value %s (line %d): `+
		`the server also sends "NONE", "FAILED:reason" and "GENEROUS"; require it to equal "SUCCESS" and reject otherwise`,
		w.key, w.how, s.what, s.at.Line())
	var related []analyzers.Location
	if s.at.Valid() {
		related = append(related, c.sinkLoc(s))
	}
	if w.via != "" {
		msg = fmt.Sprintf(`%s() is the only check before the value %s (line %d), and it does not require the verification status to equal "SUCCESS" `+
			`(see its definition): the server also sends "NONE", "FAILED:reason" and "GENEROUS"`, w.via, s.what, s.at.Line())
		if w.def.Valid() {
			related = append(related, c.rp.location(w.def, fmt.Sprintf("%s() relies on this test of %q, which %s", last(w.via), w.key, w.how)))
		}
	}
	c.report(fr, ruleWeakVerify, w.at, msg, nil, keyInfo{}, s, nil, related...)
}

// reportParse reports mtls/dn-string-parsing: a DN, a PEM or Envoy's XFCC
// header cut apart with regular expressions or string methods, and the
// result used as an identity. A CN containing "," or "/" injects another
// attribute, the DN format differs between servers and versions (nginx
// 1.11.6 moved from /C=../CN=.. to RFC 2253), and with Envoy's
// APPEND_FORWARD the first XFCC element is the client's own.
func (c *checker) reportParse(fr *frame, s site, v value) {
	var what string
	switch {
	case v.parser != "":
		what = fmt.Sprintf("%s() cuts the certificate string it is given apart as a string (see its definition): a CN containing \",\" or \"/\" injects another attribute; "+
			"parse the certificate with cryptography.x509 and read NameOID.COMMON_NAME", v.parser)
	case v.firstElement:
		what = "takes the first element of X-Forwarded-Client-Cert, which is the one the client sent when the proxy appends to the header; take the element the proxy added (the last)"
	case hasFormat(v, xfccFormat) && !isDN(v):
		what = `splits X-Forwarded-Client-Cert on "," or ";", which breaks on quoted values (Subject="CN=a,O=b"); parse it with a quote-aware parser and take the element the proxy added`
	case isPEM(v):
		what = "cuts the forwarded PEM certificate apart as a string; parse it with cryptography.x509.load_pem_x509_certificate"
	default:
		what = `cuts the distinguished name apart as a string: a CN containing "," or "/" injects another attribute and the DN format differs between servers; ` +
			"parse the certificate with cryptography.x509 and read NameOID.COMMON_NAME"
	}
	msg := fmt.Sprintf("%s, and the result %s (line %d)", what, s.what, s.at.Line())
	var o *origin
	if len(v.origins) > 0 {
		o = v.origins[0]
	}
	related := []analyzers.Location{c.sinkLoc(s)}
	if v.parserDef.Valid() {
		related = append(related, c.rp.location(v.parserDef, v.parser+"() is defined here: it cuts its argument apart as a string"))
	}
	c.report(fr, ruleDNParsing, v.parse, msg, o, keyInfo{}, s, nil, related...)
}

// reportPassthrough reports mtls/middleware-passthrough: middleware (or a
// view decorator) attaches certificate data to the request, its META or
// the session and hands the request on with no check at all: views then
// trust a value nobody verified. Reported at the first such assignment of
// each origin.
func (c *checker) reportPassthrough(fr *frame, o *origin, k keyInfo, s site, v value) {
	if !c.once(fr, rulePassthrough, o) {
		return
	}
	shape := fr.role.name
	if shape == "" {
		shape = "middleware"
	}
	spoof := ""
	if k.spoofable {
		spoof = ", though any client can send this header"
	}
	msg := fmt.Sprintf("%s puts %s on %s and passes the request on with no check of the certificate or of the proxy%s",
		shape, k.display(), s.what, spoof)
	c.report(fr, rulePassthrough, s.at, msg, o, k, s, v.pathOf(o), c.sourceLoc(o))
}
