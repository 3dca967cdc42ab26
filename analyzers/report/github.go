package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/residue-sec/residue/analyzers"
)

// WriteGitHub writes r's findings as GitHub Actions workflow commands, one
// line each, which GitHub shows as annotations on the lines of the pull
// request and in the run's summary, without code scanning:
//
//	::error file=app/views.py,line=12,endLine=12,col=13,endColumn=25,title=logging/request-body::request body written to a log
//
// Levels become error, warning and notice; a suppressed finding is a
// notice whose message ends in "(suppressed: reason)". Columns are written
// only for a finding on one line, the only case GitHub draws them. Control
// characters from the scanned code are escaped (Printable), then values
// as the Actions toolkit escapes them. Notifications are not
// written: the command prints them on stderr.
func WriteGitHub(w io.Writer, r *Run) error {
	bw := bufio.NewWriter(w)
	for i := range r.Findings {
		f := &r.Findings[i]
		level, msg := githubLevel(f.Level), f.Message
		if s := f.Suppression; s != nil {
			level = "notice"
			msg = strings.TrimSpace(msg + " " + suppressedMark(s))
		}
		loc := f.Location
		// A line break in a path is encoded as GitHub decodes it, before
		// Printable escapes the other control characters.
		props := []string{"file=" + Printable(escapeProperty(loc.Path)), fmt.Sprintf("line=%d", loc.StartLine)}
		if loc.EndLine > 0 {
			props = append(props, fmt.Sprintf("endLine=%d", loc.EndLine))
		}
		if loc.EndLine == loc.StartLine && loc.StartColumn > 0 {
			props = append(props, fmt.Sprintf("col=%d", loc.StartColumn))
			if loc.EndColumn > loc.StartColumn {
				props = append(props, fmt.Sprintf("endColumn=%d", loc.EndColumn))
			}
		}
		props = append(props, "title="+escapeProperty(Printable(f.RuleID)))
		fmt.Fprintf(bw, "::%s %s::%s\n", level, strings.Join(props, ","), escapeData(printableLines(msg)))
	}
	return bw.Flush()
}

// printableLines returns s with each of its lines made Printable: a
// message may span lines, which escapeData encodes for GitHub.
func printableLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Printable(l)
	}
	return strings.Join(lines, "\n")
}

// githubLevel returns the workflow command for a finding's level.
func githubLevel(level string) string {
	switch level {
	case "error":
		return "error"
	case "note":
		return "notice"
	}
	return "warning"
}

// suppressedMark returns "(suppressed)" or "(suppressed: justification)".
func suppressedMark(s *analyzers.Suppression) string {
	if s.Justification == "" {
		return "(suppressed)"
	}
	return "(suppressed: " + s.Justification + ")"
}

// escapeData escapes a workflow command's message.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
