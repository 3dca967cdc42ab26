package filter

import (
	"github.com/residue-sec/residue/analyzers"
)

// A Baseline is the set of fingerprints of the findings in an earlier
// SARIF report: the findings a team has accepted for now.
type Baseline map[string]bool

// NewBaseline returns the baseline of the fingerprints of an earlier
// report (report.ReadBaseline reads them from a SARIF file).
func NewBaseline(fingerprints []string) Baseline {
	b := Baseline{}
	for _, fp := range fingerprints {
		b[fp] = true
	}
	return b
}

// Drop returns the findings whose fingerprints are not in b, and how many
// were dropped.
func (b Baseline) Drop(findings []analyzers.Finding) ([]analyzers.Finding, int) {
	out := make([]analyzers.Finding, 0, len(findings))
	for _, f := range findings {
		if !b[f.Fingerprint] {
			out = append(out, f)
		}
	}
	return out, len(findings) - len(out)
}
