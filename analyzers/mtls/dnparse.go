package mtls

import "fmt"

// reportParse reports mtls/dn-string-parsing: a DN, a PEM or Envoy's XFCC
// header cut apart with regular expressions or string methods, and the
// result used as an identity. A CN containing "," or "/" injects another
// attribute, the DN format differs between servers and versions (nginx
// 1.11.6 moved from /C=../CN=.. to RFC 2253), and with Envoy's
// APPEND_FORWARD the first XFCC element is the client's own.
func (fr *frame) reportParse(s site, v value) {
	if v.parser == "" {
		fr.reportParseWith(nil, s, v)
		return
	}
	fr.reportParseWith(map[string]string{dataParser: v.parser}, s, v)
	if v.after != nil {
		// The parsing of the function's result stands if it does not parse.
		after := v
		after.parse, after.parser, after.after = v.after, "", nil
		fr.reportParseWith(map[string]string{dataUnlessParser: v.parser}, s, after)
	}
}

// reportParseWith reports the parsing at v.parse, with data for Finish.
func (fr *frame) reportParseWith(data map[string]string, s site, v value) {
	var what string
	switch {
	case v.parser != "":
		what = fmt.Sprintf("%s() cuts the certificate string it is given apart as a string (see its definition): a CN containing \",\" or \"/\" injects another attribute; "+
			"parse the certificate with cryptography.x509 and read NameOID.COMMON_NAME", fr.a.text(v.parse.ChildByFieldName("function")))
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
	msg := fmt.Sprintf("%s, and the result %s (line %d)", what, s.what, fr.line(s.node))
	var o *origin
	if len(v.origins) > 0 {
		o = v.origins[0]
	}
	fr.reportWith(data, ruleDNParsing, v.parse, msg, o, s, nil, fr.sinkLoc(s))
}
