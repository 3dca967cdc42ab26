package report

import (
	"bytes"
	"errors"
	"fmt"
	"os"
)

// ReadBaseline reads the fingerprints of every finding of the SARIF
// report at path, for a baseline: those of its results and those of the
// findings it left out to keep GitHub's limits (more than 25,000, say),
// which residue lists in the run's properties; and the files of its
// results, once each. A file that is not SARIF, or whose results carry no
// residue fingerprint, is an error: it cannot have been written by
// residue.
func ReadBaseline(path string) (fingerprints, files []string, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, nil, fmt.Errorf("--baseline %s: %v", path, err)
	}
	doc, err := ReadSARIF(bytes.NewReader(data))
	if err != nil {
		return nil, nil, fmt.Errorf("--baseline %s: %v (write one with residue scan --format sarif -o FILE)", path, err)
	}
	seen := map[string]bool{}
	for _, f := range doc.Findings {
		fingerprints = append(fingerprints, f.Fingerprint)
		if p := f.Location.Path; !seen[p] {
			seen[p] = true
			files = append(files, p)
		}
	}
	return append(fingerprints, doc.Omitted...), files, nil
}
