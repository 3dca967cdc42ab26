package filter

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/report"
	"github.com/residue-sec/residue/analyzers/rule"
	"github.com/residue-sec/residue/analyzers/source"
)

func finding(path string, line int, fp string) analyzers.Finding {
	return analyzers.Finding{RuleID: "a/b", Message: "m", Level: "warning", Fingerprint: fp,
		Location: analyzers.Location{Path: path, Range: source.Range{StartLine: line, StartColumn: 1, EndLine: line, EndColumn: 2}}}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "baseline.sarif")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBaseline(t *testing.T) {
	var sarif bytes.Buffer
	old := []analyzers.Finding{finding("a.py", 1, "fp1"), finding("a.py", 9, "fp1:2")}
	r := &report.Run{ToolVersion: "1", Rules: []*rule.Rule{{ID: "a/b", Severity: "warning", Precision: "high"}}, Findings: old}
	if err := report.WriteSARIF(&sarif, r); err != nil {
		t.Fatal(err)
	}
	b, err := LoadBaseline(writeFile(t, sarif.String()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(b, Baseline{"fp1": true, "fp1:2": true}) {
		t.Fatalf("baseline = %v", b)
	}
	now := []analyzers.Finding{finding("a.py", 3, "fp1"), finding("a.py", 5, "new"), finding("a.py", 12, "fp1:2"), finding("a.py", 20, "fp1:3")}
	kept, dropped := b.Drop(now)
	if dropped != 2 || len(kept) != 2 || kept[0].Fingerprint != "new" || kept[1].Fingerprint != "fp1:3" {
		t.Errorf("Drop kept %+v, dropped %d", kept, dropped)
	}

	var empty bytes.Buffer
	if err := report.WriteSARIF(&empty, &report.Run{ToolVersion: "1"}); err != nil {
		t.Fatal(err)
	}
	if b, err := LoadBaseline(writeFile(t, empty.String())); err != nil || len(b) != 0 {
		t.Errorf("empty report: %v, %v", b, err)
	}
}

func TestBaselineErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none.sarif")
	for _, tc := range []struct{ path, want string }{
		{missing, "--baseline " + missing + ": no such file or directory"},
		{writeFile(t, "not json"), ": not a SARIF report: invalid character"},
		{writeFile(t, `{"version": "1", "findings": []}`), ": not a SARIF 2.1.0 report"},
		{writeFile(t, `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "semgrep"}}, "results": []}]}`), `a report of "semgrep", not of residue`},
		{writeFile(t, `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "residue"}}, "results": [{"locations": [{}], "partialFingerprints": {"other/v1": "x"}}]}]}`), "no residue/v1 fingerprint"},
	} {
		if _, err := LoadBaseline(tc.path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("LoadBaseline(%s) = %v, want %q", tc.path, err, tc.want)
		}
	}
}
