package mtls

import (
	"fmt"

	"github.com/residue-sec/residue/analyzers/source"
)

// reportUnguarded reports mtls/unguarded-checked-header: the certificate
// data was checked (a verification status equal to "SUCCESS", a verified
// or pinned certificate) but the data or the status is a header any
// client can send, and nothing checks that the request came from the
// trusted proxy. A forwarded certificate proves nothing about the key, and
// a forged status header passes the check; lower confidence than no check
// at all, since the proxy may overwrite the headers and be the only way in.
func (fr *frame) reportUnguarded(o *origin, s site, c *check, steps []*source.Node) {
	if !fr.a.oncePerSink(ruleUnguarded, s) {
		return
	}
	var msg string
	if o.key.class == verifyKey {
		msg = fmt.Sprintf(`the verification status %s is compared to "SUCCESS" but is a request header any client can send `+
			`(and X-SSL_Client-Verify reaches the same META key on some servers, CVE-2015-0219); `+
			`nothing checks that the request came from the trusted proxy (REMOTE_ADDR)`, keyName(o))
	} else {
		msg = fmt.Sprintf("%s is checked (line %d) but the check relies on request headers any client can send; "+
			"with no check that the request came from the trusted proxy (REMOTE_ADDR), a forged header passes and its value %s (line %d)",
			keyName(o), fr.line(c.node), s.what, fr.line(s.node))
	}
	fr.report(ruleUnguarded, o.node, msg, o, s, steps, fr.a.pass.Location(c.node, "the check that a forged header passes"))
}
