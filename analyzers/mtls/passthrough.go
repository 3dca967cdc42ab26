package mtls

import "fmt"

// reportPassthrough reports mtls/middleware-passthrough: middleware (or a
// view decorator) attaches certificate data to the request, its META or
// the session and hands the request on with no check at all: views then
// trust a value nobody verified. Reported at the first such assignment of
// each origin.
func (fr *frame) reportPassthrough(o *origin, s site, v value) {
	first, ok := fr.once(rulePassthrough, o)
	if !ok {
		return
	}
	shape := fr.role.name
	if shape == "" {
		shape = "middleware"
	}
	spoof := ""
	if o.key.spoofable {
		spoof = ", though any client can send this header"
	}
	msg := fmt.Sprintf("%s puts %s on %s and passes the request on with no check of the certificate or of the proxy%s",
		shape, keyName(o), s.what, spoof)
	fr.reportWith(first, rulePassthrough, s.node, msg, o, s, v.steps, fr.sourceLoc(o))
}
