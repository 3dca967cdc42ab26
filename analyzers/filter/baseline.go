package filter

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/report"
)

// A Baseline is the set of fingerprints of the findings in an earlier
// SARIF report: the findings a team has accepted for now.
type Baseline map[string]bool

// LoadBaseline reads the fingerprints of every result of the SARIF report
// at path. A file that is not SARIF, or whose results carry no residue
// fingerprint, is an error: it cannot have been written by residue.
func LoadBaseline(path string) (Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("--baseline %s: %v", path, err)
	}
	var doc struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				PartialFingerprints map[string]any `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("--baseline %s: not a SARIF report: %v", path, err)
	}
	if doc.Version != "2.1.0" || doc.Runs == nil {
		return nil, fmt.Errorf("--baseline %s: not a SARIF 2.1.0 report (write one with residue scan --format sarif -o FILE)", path)
	}
	b := Baseline{}
	results := 0
	for _, run := range doc.Runs {
		for _, res := range run.Results {
			results++
			if fp, ok := res.PartialFingerprints[report.FingerprintKey].(string); ok && fp != "" {
				b[fp] = true
			}
		}
	}
	if results > 0 && len(b) == 0 {
		return nil, fmt.Errorf("--baseline %s: no result has a %s fingerprint; was it written by residue?", path, report.FingerprintKey)
	}
	return b, nil
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
