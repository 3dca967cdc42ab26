package filter

import (
	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/gitdiff"
)

// OnChangedLines returns the findings whose reported lines include a
// changed one, and how many were dropped.
func OnChangedLines(findings []analyzers.Finding, changes *gitdiff.Changes) ([]analyzers.Finding, int) {
	out := make([]analyzers.Finding, 0, len(findings))
	for _, f := range findings {
		loc := f.Location
		if changes.Touches(loc.Path, loc.StartLine, max(loc.EndLine, loc.StartLine)) {
			out = append(out, f)
		}
	}
	return out, len(findings) - len(out)
}
