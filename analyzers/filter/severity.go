package filter

import (
	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/rule"
)

// Report returns the findings a scan reports: those at or above the minimum
// severity min ("" for all) and, unless includeSuppressed, not suppressed.
func Report(findings []analyzers.Finding, min string, includeSuppressed bool) []analyzers.Finding {
	out := make([]analyzers.Finding, 0, len(findings))
	for _, f := range findings {
		if min != "" && rule.SeverityRank(f.Level) < rule.SeverityRank(min) {
			continue
		}
		if f.Suppression != nil && !includeSuppressed {
			continue
		}
		out = append(out, f)
	}
	return out
}
