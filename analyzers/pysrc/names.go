package pysrc

import (
	"fmt"
	"strings"
	"unicode"
)

// IsDottedName reports whether s is a Python name or a dotted chain of
// names ("redact", "utils.log.redact").
func IsDottedName(s string) bool {
	if s == "" {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if !isIdentifier(part) {
			return false
		}
	}
	return true
}

// isIdentifier reports whether s is a Python identifier: a letter or "_",
// then letters, digits and "_".
func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r != '_' && !unicode.IsLetter(r) && (i == 0 || !unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

// ValidateDottedName returns an error unless value is a name or a dotted
// name, for analyzers' ValidateSetting.
func ValidateDottedName(value string) error {
	if !IsDottedName(value) {
		return fmt.Errorf("%q is not a name or a dotted name (redact, utils.redact)", value)
	}
	return nil
}
