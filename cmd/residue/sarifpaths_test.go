package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/residue-sec/residue/analyzers/analyzertest/sarifcheck"
)

// TestSARIFURIsArePercentEncoded scans files whose paths need encoding:
// the URIs are RFC 3986 references (sarifcheck checks their syntax), and
// the report serves as a baseline for the same files.
func TestSARIFURIsArePercentEncoded(t *testing.T) {
	useTestAnalyzers(t)
	dir := tree(t, map[string]string{"sub dir/vüe 100%#.py": "leak(1)\n", "a:b?.py": "leak(2)\n"})
	report := filepath.Join(t.TempDir(), "r.sarif")
	if code, _, errs := residue("scan", "--format", "sarif", "-o", report, dir); code != 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	sarifcheck.Check(t, report)
	text := readFile(t, report)
	for _, want := range []string{`"uri": "sub%20dir/v%C3%BCe%20100%25%23.py"`, `"uri": "a%3Ab%3F.py"`} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %s", want)
		}
	}
	if code, out, errs := residue("scan", "--baseline", report, dir); code != 0 || !strings.Contains(errs, "2 findings in the baseline left out") {
		t.Errorf("with the report as baseline: exit %d\n%s%s", code, out, errs)
	}
}

// TestBaselineOver25000Results writes a report of 28,000 findings, more
// than SARIF's 25,000 results, and uses it as a baseline: every finding is
// in it, none is new.
func TestBaselineOver25000Results(t *testing.T) {
	useTestAnalyzers(t)
	files := map[string]string{}
	for i := range 28 {
		var b strings.Builder
		for j := range 1000 {
			fmt.Fprintf(&b, "leak(%d)\n", j)
		}
		files[fmt.Sprintf("m%02d.py", i)] = b.String()
	}
	dir := tree(t, files)
	baseline := filepath.Join(t.TempDir(), "baseline.sarif")
	if code, _, errs := residue("scan", "--quiet", "--format", "sarif", "-o", baseline, dir); code != 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	found, _, _ := sarifFindings(t, baseline)
	if len(found) != 25000 {
		t.Errorf("%d results in the report, want GitHub's 25,000", len(found))
	}
	code, out, errs := residue("scan", "--baseline", baseline, dir)
	if code != 0 || !strings.Contains(errs, "28000 findings in the baseline left out") {
		t.Errorf("exit %d, want 0 with every finding in the baseline\n%.300s\n%s", code, out, errs)
	}
}
