// Package filter decides which findings a scan reports: in-source
// suppression comments, the severity threshold, a baseline of accepted
// findings and the lines changed since a git revision.
package filter

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
	"github.com/residue-sec/residue/analyzers/tsquery"
)

// Marker is the literal every suppression comment contains; files without it
// are not searched for comments at all.
const Marker = "residue:"

var ignorePattern = regexp.MustCompile(`residue:\s*ignore\b(?:\[([^\]]*)\])?(?:\s*--\s*(.*?))?\s*(?:\*/)?\s*$`)

// An Ignore is one `residue: ignore[...]` comment.
type Ignore struct {
	Line int
	// Rules are the rule ids or family names listed; All is set for a bare
	// `residue: ignore`, while empty brackets name nothing.
	Rules         []string
	All           bool
	Justification string
	Location      analyzers.Location
	// OwnLine is true when nothing but the comment is on its line; only
	// such a comment applies to the statement below it.
	OwnLine bool
	Used    bool
}

// covers reports whether the ignore names id or its family, or is bare.
func (ig *Ignore) covers(id string) bool {
	if ig.All {
		return true
	}
	family, _, _ := strings.Cut(id, "/")
	for _, r := range ig.Rules {
		if r == id || r == family {
			return true
		}
	}
	return false
}

// Ignores returns the suppression comments of f, found with comments, a
// query for the language's comment nodes, so that text inside strings is
// never taken for a comment.
func Ignores(f *source.File, comments *tsquery.Query, cur *tsquery.Cursor) []*Ignore {
	if !bytes.Contains(f.Src, []byte(Marker)) {
		return nil
	}
	var out []*Ignore
	_ = comments.Run(cur, f, tsquery.Limits{}, func(_ int, m tsquery.Match) {
		for _, c := range m.Captures {
			text := f.Text(c.Node)
			sub := ignorePattern.FindStringSubmatch(text)
			if sub == nil {
				continue
			}
			ig := &Ignore{Justification: strings.TrimSpace(sub[2]), All: !strings.Contains(sub[0], "[")}
			for _, r := range strings.Split(sub[1], ",") {
				if r = strings.TrimSpace(r); r != "" {
					ig.Rules = append(ig.Rules, r)
				}
			}
			ig.Location = analyzers.Location{Path: f.Path, Range: f.NodeRange(c.Node)}
			// A multi-line block comment applies from its last line.
			ig.Line = ig.Location.EndLine
			lineStart := bytes.LastIndexAny(f.Src[:c.Node.StartByte()], "\r\n") + 1 // a lone \r ends a line too
			before := bytes.TrimPrefix(f.Src[lineStart:c.Node.StartByte()], []byte("\ufeff"))
			ig.OwnLine = len(bytes.TrimSpace(before)) == 0
			out = append(out, ig)
		}
	})
	return out
}

// Suppress marks each finding that an ignore covers: one on a line of the
// finding's statement (first..last) or alone on the line just above it. It
// returns the findings with Suppression set where an ignore matched.
func Suppress(findings []analyzers.Finding, stmts [][2]int, ignores []*Ignore) []analyzers.Finding {
	for i := range findings {
		first, last := stmts[i][0], stmts[i][1]
		for _, ig := range ignores {
			above := ig.Line == first-1 && ig.OwnLine
			if !(above || first <= ig.Line && ig.Line <= last) || !ig.covers(findings[i].RuleID) {
				continue
			}
			ig.Used = true
			if findings[i].Suppression == nil {
				findings[i].Suppression = &analyzers.Suppression{Location: ig.Location, Justification: ig.Justification}
			}
		}
	}
	return findings
}
