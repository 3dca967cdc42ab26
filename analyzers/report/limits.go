package report

import (
	"compress/gzip"
	"fmt"

	"github.com/residue-sec/residue/analyzers"
)

// Limits GitHub code scanning enforces on an uploaded SARIF file. Beyond
// them it rejects the upload or silently drops data, so the SARIF writer
// truncates and says so in a notification instead.
const (
	maxResults             = 25000
	maxRelatedLocations    = 1000
	maxThreadFlowLocations = 10000
	maxTags                = 20
	// maxGzipBytes is "10 MB" read as decimal megabytes, the stricter reading.
	maxGzipBytes = 10_000_000
)

// A plan is how much of a Run the SARIF writer keeps.
type plan struct {
	// results is how many findings, from the first, become results.
	results int
	// snippets keeps the source lines in regions.
	snippets bool
	// shrunk records that results were cut to fit the size limit.
	shrunk bool
	// noFingerprints leaves out the fingerprints of the results cut, when
	// even with no result they do not fit.
	noFingerprints bool
	// uncut keeps every related location and flow step: a shard's report,
	// which merge cuts as the whole scan's.
	uncut bool
}

// gzipSize returns the size of doc compressed as gzip.
func gzipSize(doc []byte) int {
	var n countingWriter
	zw := gzip.NewWriter(&n)
	zw.Write(doc) // writing to a countingWriter cannot fail
	zw.Close()
	return int(n)
}

// countingWriter counts the bytes written to it and discards them.
type countingWriter int

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

// notifications reports what p left out of a Run of total findings.
func (p plan) notifications(total int) []analyzers.Notification {
	var notes []analyzers.Notification
	if p.results < total {
		reason := "GitHub code scanning keeps 25,000 per run"
		if p.shrunk {
			reason = "GitHub code scanning takes at most 10 MB gzipped"
		}
		notes = append(notes, warning(fmt.Sprintf("results truncated: %d of %d written (%s)", p.results, total, reason)))
	}
	if !p.snippets {
		notes = append(notes, warning("source snippets left out (GitHub code scanning takes at most 10 MB gzipped)"))
	}
	if p.noFingerprints {
		notes = append(notes, warning("the fingerprints of the results cut left out (GitHub code scanning takes at most 10 MB gzipped): the report is no complete baseline"))
	}
	return notes
}
