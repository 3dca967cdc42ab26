package driver

import (
	"slices"
	"strings"

	"github.com/residue-sec/residue/analyzers"
)

// Disabled reports whether rule id, or its family, is in list (a
// configuration's rules.disable).
func Disabled(list []string, id string) bool {
	family, _, _ := strings.Cut(id, "/")
	return slices.Contains(list, id) || slices.Contains(list, family)
}

// enabled returns the analyzers that have at least one rule not disabled.
func enabled(as []*analyzers.Analyzer, disable []string) []*analyzers.Analyzer {
	if len(disable) == 0 {
		return as
	}
	var out []*analyzers.Analyzer
	for _, a := range as {
		if slices.ContainsFunc(a.Rules, func(id string) bool { return !Disabled(disable, id) }) {
			out = append(out, a)
		}
	}
	return out
}
