package mtls

import (
	"fmt"

	"github.com/residue-sec/residue/analyzers"
)

// reportWeak reports mtls/weak-verify-check: the verification status is
// tested for presence or truth, or compared with something other than
// equality to "SUCCESS", and that test is all that stands before the
// sink. mod_ssl sets SSL_CLIENT_VERIFY to "NONE", "FAILED:reason" and, with
// optional_no_ca, "GENEROUS"; nginx's $ssl_client_verify is "NONE" or
// "FAILED:reason" too. Reported at the test.
func (fr *frame) reportWeak(w *check, s site) {
	msg := fmt.Sprintf(`this test of the verification status %q %s, yet it is the only check before the value %s (line %d): `+
		`the server also sends "NONE", "FAILED:reason" and "GENEROUS"; require it to equal "SUCCESS" and reject otherwise`,
		w.key, w.how, s.what, fr.line(s.node))
	if w.ext != nil {
		msg = fmt.Sprintf(`%s() is the only check before the value %s (line %d), and it does not require the verification status to equal "SUCCESS" `+
			`(see its definition): the server also sends "NONE", "FAILED:reason" and "GENEROUS"`, w.ext.written, s.what, fr.line(s.node))
	}
	var related analyzers.Location
	if s.node != nil {
		related = fr.sinkLoc(s)
	}
	fr.report(ruleWeakVerify, w.node, msg, nil, s, nil, related)
}
