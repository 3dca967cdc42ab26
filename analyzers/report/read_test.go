package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/residue-sec/residue/analyzers"
)

// roundTrip writes r, reads it back and writes it again.
func roundTrip(t *testing.T, r *Run) (first, second string) {
	t.Helper()
	var a, b bytes.Buffer
	if err := WriteSARIF(&a, r); err != nil {
		t.Fatal(err)
	}
	back, err := ReadSARIF(bytes.NewReader(a.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteSARIF(&b, back); err != nil {
		t.Fatal(err)
	}
	return a.String(), b.String()
}

// TestReadSARIFRoundTrip: what WriteSARIF wrote, ReadSARIF reads back so
// that writing it again gives the same bytes, for every feature of a
// result (related locations, flows, fixes, suppressions), notifications,
// a category, a baseline, rules with and without help, and a report the
// writer had to cut.
func TestReadSARIFRoundTrip(t *testing.T) {
	baseline := testRun()
	baseline.Baseline = true
	cut := testRun()
	for i := range 3 {
		f := cut.Findings[0]
		for j := range maxRelatedLocations + 1 {
			f.Related = append(f.Related, analyzers.Location{Path: fmt.Sprintf("p%d.py", j), Message: "m"})
		}
		f.Fingerprint = fmt.Sprint("cut", i)
		cut.Findings = append(cut.Findings, f)
	}
	for name, r := range map[string]*Run{"full": testRun(), "empty": emptyRun(), "baseline": baseline, "cut": cut} {
		first, second := roundTrip(t, r)
		if first != second {
			t.Errorf("%s: written again differently:\n%s\nfirst:\n%s", name, second, first)
		}
	}
}

func TestReadSARIFRefuses(t *testing.T) {
	for name, doc := range map[string]string{
		"not json":      "{",
		"other version": `{"version": "2.0.0", "runs": []}`,
		"two runs":      `{"version": "2.1.0", "runs": [{}, {}]}`,
		"other tool":    `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "semgrep"}}}]}`,
		"no fingerprint": `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "residue"}}, "results": [
			{"ruleId": "x/y", "message": {"text": "m"}, "locations": [{}]}]}]}`,
		// What a hand-edited or forged shard carries into a merged report.
		"unknown rule":     refused(`"ruleId": "x/z", "level": "error"`, "a.py"),
		"unknown level":    refused(`"ruleId": "x/y", "level": "catastrophic"`, "a.py"),
		"path out of root": refused(`"ruleId": "x/y", "level": "error"`, "../../etc/passwd"),
		"absolute path":    refused(`"ruleId": "x/y", "level": "error"`, "/etc/passwd"),
		"inner ..":         refused(`"ruleId": "x/y", "level": "error"`, "a/../../b.py"),
		"file URI":         refused(`"ruleId": "x/y", "level": "error"`, "file:///etc/passwd"),
		"https URI":        refused(`"ruleId": "x/y", "level": "error"`, "https://example.com/a.py"),
		"drive":            refused(`"ruleId": "x/y", "level": "error"`, "C:/Windows/a.py"),
		"notification path": `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "residue"}},
			"invocations": [{"toolExecutionNotifications": [{"level": "warning", "message": {"text": "m"},
			 "locations": [{"physicalLocation": {"artifactLocation": {"uri": "../outside.py"}}}]}]}]}]}`,
		"notification level": `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "residue"}},
			"invocations": [{"toolExecutionNotifications": [{"level": "fatal", "message": {"text": "m"}}]}]}]}`,
	} {
		if _, err := ReadSARIF(strings.NewReader(doc)); err == nil {
			t.Errorf("%s: read without error", name)
		}
	}
	if _, err := ReadSARIF(strings.NewReader(refused(`"ruleId": "x/y", "level": "error"`, "a/..b/c..py"))); err != nil {
		t.Errorf("a path with dots in its names: %v", err)
	}
	// A colon is percent-encoded in a path, so that it reads as no
	// scheme.
	if _, err := ReadSARIF(strings.NewReader(refused(`"ruleId": "x/y", "level": "error"`, "a%3Ab.py"))); err != nil {
		t.Errorf("a path with a colon: %v", err)
	}
	// A byte-order mark, which PowerShell 5 writes, is read past.
	if _, err := ReadSARIF(strings.NewReader("\xef\xbb\xbf" + refused(`"ruleId": "x/y", "level": "error"`, "a.py"))); err != nil {
		t.Errorf("a report after a byte-order mark: %v", err)
	}
	// A document of another shape says so in JSON's terms, not Go's.
	for doc, want := range map[string]string{
		`[{"version": "2.1.0"}]`:          "a JSON array, where a report is an object",
		`{"version": "2.1.0", "runs": 3}`: "runs is a JSON number",
	} {
		if _, err := ReadSARIF(strings.NewReader(doc)); err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "Go ") {
			t.Errorf("%s: %v, want %q", doc, err, want)
		}
	}
	// A result without a level, which the writer makes of a finding
	// without one (SARIF reads it as a warning), reads back.
	if _, err := ReadSARIF(strings.NewReader(refused(`"ruleId": "x/y"`, "a.py"))); err != nil {
		t.Errorf("no level: %v", err)
	}
}

// refused returns a report of rule x/y with one result of the given
// rule and level fields at path.
func refused(fields, path string) string {
	return `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "residue", "rules": [{"id": "x/y"}]}}, "results": [
		{` + fields + `, "message": {"text": "m"}, "partialFingerprints": {"` + FingerprintKey + `": "f"},
		 "locations": [{"physicalLocation": {"artifactLocation": {"uri": "` + path + `"}}}]}]}]}`
}
