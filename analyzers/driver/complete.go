package driver

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// complete fills in what the driver owns while the file's source is at
// hand: level, enclosing function, snippets and fingerprint.
func (w *worker) complete(f *source.File, fd analyzers.Finding) analyzers.Finding {
	fd.Level = w.p.cfg.Rules.Get(fd.RuleID).Severity
	fd.Location.Path = f.Path
	fd.Function = f.EnclosingFunction(fd.Location.StartByte)
	return withLines(fd, f.Path, w.lines.of(f.Lines))
}

// withLines fills in a finding's snippets from its file's lines, whose
// text text returns, and its fingerprint.
func withLines(fd analyzers.Finding, path string, text func(line int) string) analyzers.Finding {
	fd.Location.Snippet = text(fd.Location.StartLine)
	fd.Related = withSnippets(path, text, fd.Related)
	for i := range fd.Flow {
		fd.Flow[i].Location = withSnippets(path, text, []analyzers.Location{fd.Flow[i].Location})[0]
	}
	fd.Fingerprint = fingerprint(fd, text)
	return fd
}

// completeFact fills in a fact's path, snippet and enclosing function.
func (w *worker) completeFact(f *source.File, ft analyzers.Fact) analyzers.Fact {
	ft.Location = withSnippets(f.Path, w.lines.of(f.Lines), []analyzers.Location{ft.Location})[0]
	ft.Function = f.EnclosingFunction(ft.Location.StartByte)
	return ft
}

// withSnippets fills the snippet of each location in the file at path,
// whose lines' text text returns (and a missing path).
func withSnippets(path string, text func(line int) string, locs []analyzers.Location) []analyzers.Location {
	for i := range locs {
		if locs[i].Path == "" {
			locs[i].Path = path
		}
		if locs[i].Path == path && locs[i].Snippet == "" {
			locs[i].Snippet = text(locs[i].StartLine)
		}
	}
	return locs
}

// maxFingerprintLines caps how many reported lines feed a fingerprint.
const maxFingerprintLines = 5

// fingerprint hashes what identifies a finding across unrelated edits: the
// rule, the path, the enclosing function and the reported lines with their
// whitespace normalized. Line numbers are left out, so moving code does not
// change it; numberFingerprints later tells identical ones apart.
func fingerprint(fd analyzers.Finding, lineText func(int) string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00", fd.RuleID, fd.Location.Path, fd.Function)
	last := min(fd.Location.EndLine, fd.Location.StartLine+maxFingerprintLines-1)
	for l := fd.Location.StartLine; l <= last; l++ {
		fmt.Fprintf(h, "%s\n", strings.Join(strings.Fields(lineText(l)), " "))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// numberFingerprints appends ":N" to the Nth (N ≥ 2) of findings sharing a
// fingerprint, in their sorted order, so that every fingerprint is unique.
func numberFingerprints(fds []analyzers.Finding) {
	seen := map[string]int{}
	for i := range fds {
		seen[fds[i].Fingerprint]++
		if n := seen[fds[i].Fingerprint]; n > 1 {
			fds[i].Fingerprint = fmt.Sprintf("%s:%d", fds[i].Fingerprint, n)
		}
	}
}
