package report

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/rule"
	"github.com/residue-sec/residue/analyzers/source"
)

func baselineFinding(path string, line int, fp string) analyzers.Finding {
	return analyzers.Finding{RuleID: "a/b", Message: "m", Level: "warning", Fingerprint: fp,
		Location: analyzers.Location{Path: path, Range: source.Range{StartLine: line, StartColumn: 1, EndLine: line, EndColumn: 2}}}
}

func writeBaseline(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "baseline.sarif")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadBaseline(t *testing.T) {
	var sarif bytes.Buffer
	old := []analyzers.Finding{baselineFinding("a.py", 1, "fp1"), baselineFinding("a.py", 9, "fp1:2")}
	r := &Run{ToolVersion: "1", Rules: []*rule.Rule{{ID: "a/b", Severity: "warning", Precision: "high"}}, Findings: old}
	if err := WriteSARIF(&sarif, r); err != nil {
		t.Fatal(err)
	}
	fps, _, err := ReadBaseline(writeBaseline(t, sarif.String()))
	if err != nil || !reflect.DeepEqual(fps, []string{"fp1", "fp1:2"}) {
		t.Fatalf("fingerprints = %v, %v", fps, err)
	}
	var empty bytes.Buffer
	if err := WriteSARIF(&empty, &Run{ToolVersion: "1"}); err != nil {
		t.Fatal(err)
	}
	if fps, _, err := ReadBaseline(writeBaseline(t, empty.String())); err != nil || len(fps) != 0 {
		t.Errorf("empty report: %v, %v", fps, err)
	}
}

func TestReadBaselineErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none.sarif")
	for _, tc := range []struct{ path, want string }{
		{missing, "--baseline " + missing + ": no such file or directory"},
		{writeBaseline(t, "not json"), ": not a SARIF report: invalid character"},
		{writeBaseline(t, `{"version": "1", "findings": []}`), ": not a SARIF 2.1.0 report"},
		{writeBaseline(t, `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "semgrep"}}, "results": []}]}`), `a report of "semgrep", not of residue`},
		{writeBaseline(t, `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "residue"}}, "results": [{"locations": [{}], "partialFingerprints": {"other/v1": "x"}}]}]}`), "no residue/v1 fingerprint"},
	} {
		if _, _, err := ReadBaseline(tc.path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ReadBaseline(%s) = %v, want %q", tc.path, err, tc.want)
		}
	}
}
