package ctypes

import (
	"fmt"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/pysrc"

	"github.com/residue-sec/residue/analyzers/spell"
)

// typoEffects says what a foreign function keeps when the attribute is misspelled.
var typoEffects = map[string]string{
	"argtypes": "keeps no argtypes, so its arguments are converted by default (Python ints as C int) and never checked",
	"restype":  "keeps the default restype, C int, which truncates a pointer or a 64-bit result",
	"errcheck": "never runs the error check",
}

// checkTypos reports assignments to a misspelled ctypes attribute on a
// foreign function (f.restypes = ..., f.argtype = ...): ctypes ignores
// them silently.
func (ix *index) checkTypos() {
	for _, s := range ix.stores {
		want := nearAttribute(s.attr)
		if want == "" {
			continue
		}
		stmt := ix.text(s.loc)
		i := strings.Index(stmt, "."+s.attr)
		if i < 0 {
			continue
		}
		msg := fmt.Sprintf("%s.%s is not an attribute ctypes reads (did you mean %s?): the assignment adds a plain Python attribute and %s %s",
			strings.TrimSpace(stmt[:i]), s.attr, want, s.obj.Key, typoEffects[want])
		name := s.loc
		name.Span = pysrc.Span{Start: s.loc.Span.Start + uint32(i) + 1, End: s.loc.Span.Start + uint32(i+1+len(s.attr))}
		ix.report(analyzers.Finding{RuleID: ruleTypo, Message: msg,
			Fix: &analyzers.Fix{Description: "Use the attribute ctypes reads",
				Replacements: []analyzers.Replacement{{Location: ix.place(name), Text: want}}}}, s.loc)
	}
}

// nearAttribute returns the function-pointer attribute attr misspells
// (at most two edits away, or equal ignoring case and underscores), or "".
func nearAttribute(attr string) string {
	norm := strings.ToLower(strings.ReplaceAll(attr, "_", ""))
	for _, want := range fpAttributes {
		if attr == want {
			return ""
		}
	}
	for _, want := range fpAttributes {
		if norm == want || spell.Distance(attr, want) <= 2 {
			return want
		}
	}
	return ""
}
