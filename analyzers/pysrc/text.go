package pysrc

import "strings"

// Short keeps the first line of a source text, at most 60 characters,
// for a finding's message or a flow step's.
func Short(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + "…"
	}
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60]) + "…"
	}
	return s
}
