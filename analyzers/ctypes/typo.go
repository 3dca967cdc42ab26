package ctypes

import (
	"fmt"
	"strings"

	"github.com/residue-sec/residue/analyzers"
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
func (a *analysis) checkTypos(s *scope) {
	for _, set := range s.attrSets {
		left := set.ChildByFieldName("left")
		attr := a.text(left.ChildByFieldName("attribute"))
		want := nearAttribute(attr)
		if want == "" {
			continue
		}
		fp, ok := s.fpOf(left.ChildByFieldName("object"), 0)
		if !ok {
			continue
		}
		msg := fmt.Sprintf("%s.%s is not an attribute ctypes reads (did you mean %s?): the assignment adds a plain Python attribute and %s %s",
			a.text(left.ChildByFieldName("object")), attr, want, fp.sym, typoEffects[want])
		attrNode := left.ChildByFieldName("attribute")
		a.pass.Report(analyzers.Finding{RuleID: ruleTypo, Message: msg, Location: a.pass.Location(set, ""),
			Data: map[string]string{dataLib: fp.lib, dataSymbol: fp.sym},
			Fix: &analyzers.Fix{Description: "Use the attribute ctypes reads",
				Replacements: []analyzers.Replacement{{Location: a.pass.Location(attrNode, ""), Text: want}}}})
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
		if norm == want || editDistance(attr, want) <= 2 {
			return want
		}
	}
	return ""
}

// editDistance is the Levenshtein distance of two short strings.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
