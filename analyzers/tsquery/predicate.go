package tsquery

import (
	"regexp"
	"slices"
)

// supportedList names the predicates residue evaluates, for error messages.
const supportedList = "#eq?, #not-eq?, #any-eq?, #any-not-eq?, #match?, #not-match?, #any-match?, #any-not-match?, #any-of?, #not-any-of?"

// operators maps each supported predicate to its form.
var operators = map[string]struct {
	op          string
	negate, any bool
}{
	"eq?":            {op: "eq"},
	"not-eq?":        {op: "eq", negate: true},
	"any-eq?":        {op: "eq", any: true},
	"any-not-eq?":    {op: "eq", negate: true, any: true},
	"match?":         {op: "match"},
	"not-match?":     {op: "match", negate: true},
	"any-match?":     {op: "match", any: true},
	"any-not-match?": {op: "match", negate: true, any: true},
	"any-of?":        {op: "any-of"},
	"not-any-of?":    {op: "any-of", negate: true},
}

// A predicate is one compiled text predicate of a pattern. Captures are
// referred to by index. With a quantified capture, the plain form requires
// every captured node to pass and the any- form at least one; a capture
// that is absent from a match passes, as upstream tree-sitter does.
type predicate struct {
	op         string // "eq", "match" or "any-of"
	negate     bool
	any        bool
	capture    int
	captureArg bool // eq against another capture (other) instead of strs
	other      int
	strs       []string
	re         *regexp.Regexp
}

// holds reports whether the predicate accepts the match whose captures are
// given, reading node text from src.
func (p *predicate) holds(caps []rawCapture, src []byte) bool {
	var otherText []byte
	if p.captureArg {
		found := false
		for _, c := range caps {
			if c.index == p.other {
				otherText, found = src[c.start:c.end], true
				break
			}
		}
		if !found {
			return true
		}
	}
	seen, anyPassed := false, false
	for _, c := range caps {
		if c.index != p.capture {
			continue
		}
		seen = true
		text := src[c.start:c.end]
		var ok bool
		switch p.op {
		case "eq":
			if p.captureArg {
				ok = string(text) == string(otherText)
			} else {
				ok = string(text) == p.strs[0]
			}
		case "match":
			ok = p.re.Match(text)
		case "any-of":
			ok = slices.Contains(p.strs, string(text))
		}
		if p.negate {
			ok = !ok
		}
		if p.any && ok {
			return true
		}
		if !p.any && !ok {
			return false
		}
		anyPassed = anyPassed || ok
	}
	if !seen {
		return true
	}
	return !p.any || anyPassed
}
