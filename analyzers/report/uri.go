package report

import (
	"strings"
)

// encodeURI returns the relative URI reference, against %SRCROOT%, of a
// slash path relative to the repository root, as SARIF §3.10 requires
// (RFC 3986): the path's segments keep the unreserved characters, the
// sub-delimiters and "@"; every other byte, UTF-8 included, is
// percent-encoded with upper-case hex digits. ":" is encoded too, so that
// a first segment never reads as a URI scheme, and so are "%", "?" and "#".
func encodeURI(path string) string {
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		c := path[i]
		if c == '/' || keptInSegment(c) {
			b.WriteByte(c)
			continue
		}
		const hex = "0123456789ABCDEF"
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// keptInSegment reports whether encodeURI writes c as itself: RFC 3986's
// unreserved characters, sub-delimiters and "@".
func keptInSegment(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=@", c) >= 0
}
