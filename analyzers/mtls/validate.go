package mtls

import (
	"fmt"

	"github.com/residue-sec/residue/analyzers/pysrc"
)

// validateSetting checks one value of an mtls setting: a header is a META
// key or header name, with a trailing * for a prefix; the other settings
// name Python names.
func validateSetting(key, value string) error {
	switch key {
	case "cert-headers", "verify-headers":
		if !isHeaderName(value) {
			return fmt.Errorf("%q is not a META key or header name (X-SSL-Client-Cert, HTTP_X_SSL_CLIENT_S_DN, X-Client-*)", value)
		}
		return nil
	}
	return pysrc.ValidateDottedName(value)
}

// isHeaderName reports whether s is letters, digits, "-" and "_",
// optionally ending in "*".
func isHeaderName(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
		case c == '*' && i == len(s)-1 && i > 0:
		default:
			return false
		}
	}
	return s != ""
}
