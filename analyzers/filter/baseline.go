package filter

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/report"
)

// A Baseline is the set of fingerprints of the findings in an earlier
// SARIF report: the findings a team has accepted for now.
type Baseline map[string]bool

// LoadBaseline reads the fingerprints of every finding of the SARIF report
// at path: those of its results and those of the findings it left out to
// keep GitHub's limits (more than 25,000, say), which residue lists in the
// run's properties. A file that is not SARIF, or whose results carry no
// residue fingerprint, is an error: it cannot have been written by residue.
// Paths are read percent-decoded, as ReadSARIF reads them.
func LoadBaseline(path string) (Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("--baseline %s: %v", path, err)
	}
	doc, err := report.ReadSARIF(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("--baseline %s: %v (write one with residue scan --format sarif -o FILE)", path, err)
	}
	b := Baseline{}
	for _, f := range doc.Findings {
		b[f.Fingerprint] = true
	}
	for _, fp := range doc.Omitted {
		b[fp] = true
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
