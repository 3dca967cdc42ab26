package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/residue-sec/residue/analyzers/analyzertest/sarifcheck"
)

// sarifFindings returns "path:line rule" for each result of a SARIF file,
// and each result's fingerprint and baselineState.
func sarifFindings(t *testing.T, path string) (found, fingerprints, states []string) {
	t.Helper()
	data, err := os.ReadFile(path)
	must(t, err)
	var doc struct {
		Runs []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string } `json:"artifactLocation"`
						Region           struct{ StartLine int }
					} `json:"physicalLocation"`
				}
				PartialFingerprints map[string]string `json:"partialFingerprints"`
				BaselineState       string            `json:"baselineState"`
			}
		}
	}
	must(t, json.Unmarshal(data, &doc))
	for _, r := range doc.Runs[0].Results {
		pl := r.Locations[0].PhysicalLocation
		found = append(found, fmt.Sprintf("%s:%d %s", pl.ArtifactLocation.URI, pl.Region.StartLine, r.RuleID))
		fingerprints = append(fingerprints, r.PartialFingerprints["residue/v1"])
		states = append(states, r.BaselineState)
	}
	return found, fingerprints, states
}

// TestBaseline is the adoption story: scan an old code base and save the
// SARIF; then move the old code around, add one new bug, and scan with the
// baseline: exactly the new finding is reported, and the exit code is 1.
// Without the new bug the scan with the baseline is clean.
func TestBaseline(t *testing.T) {
	useTestAnalyzers(t)
	old := map[string]string{
		"app/views.py": "def view(request):\n    leak(request.body)\n    leak(request.body)\n",
		"app/other.py": "def other():\n    leak(1)\n",
		"native/n.c":   "void f(void) { leak(1); }\n",
	}
	dir := tree(t, old)
	base := filepath.Join(t.TempDir(), "baseline.sarif")
	if code, _, errs := residue("scan", "--format", "sarif", "-o", base, dir); code != 1 {
		t.Fatalf("baseline scan: exit %d %s", code, errs)
	}
	sarifcheck.Check(t, base)
	oldFound, oldPrints, _ := sarifFindings(t, base)
	if len(oldFound) != 4 {
		t.Fatalf("baseline has %d findings, want 4: %q", len(oldFound), oldFound)
	}

	// Unrelated edits move every old finding: lines inserted above,
	// re-indentation, a new function between.
	moved := map[string]string{
		"app/views.py": "import logging\n\n\ndef helper():\n    return 1\n\n\ndef view(request):\n    x = helper()\n    leak(request.body)\n\n    leak(request.body)\n",
		"app/other.py": "# comment\n\ndef other():\n        leak(1)\n",
		"native/n.c":   "#include <stdio.h>\n\n\nvoid f(void) { leak(1); }\n",
	}
	for name, content := range moved {
		must(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	out := filepath.Join(t.TempDir(), "moved.sarif")
	if code, _, _ := residue("scan", "--format", "sarif", "-o", out, dir); code != 1 {
		t.Fatalf("scan after moving code: exit %d", code)
	}
	movedFound, movedPrints, _ := sarifFindings(t, out)
	if reflect.DeepEqual(movedFound, oldFound) || !reflect.DeepEqual(movedPrints, oldPrints) {
		t.Errorf("partialFingerprints changed when unrelated edits moved the findings:\nbefore %q %q\nafter  %q %q", oldFound, oldPrints, movedFound, movedPrints)
	}
	code, stdout, errs := residue("scan", "--baseline", base, dir)
	if code != 0 || !strings.Contains(stdout, "no findings") || !strings.Contains(errs, "residue: note: 4 findings in the baseline left out") {
		t.Errorf("moved code with the baseline: exit %d, want 0\n%s%s", code, stdout, errs)
	}

	// One new bug: exactly that finding, in every format.
	views := moved["app/views.py"] + "    leak(request.headers)\n"
	must(t, os.WriteFile(filepath.Join(dir, "app/views.py"), []byte(views), 0o644))
	sarif := filepath.Join(t.TempDir(), "new.sarif")
	code, _, errs = residue("scan", "--baseline", base, "--format", "sarif", "-o", sarif, dir)
	if code != 1 {
		t.Fatalf("new bug with the baseline: exit %d, want 1: %s", code, errs)
	}
	if want := "residue: wrote " + sarif + ": 1 finding (1 warning) in 1 of 3 files\n"; !strings.HasSuffix(errs, want) {
		t.Errorf("stderr %q lacks the summary %q", errs, want)
	}
	sarifcheck.Check(t, sarif)
	found, _, states := sarifFindings(t, sarif)
	if want := []string{"app/views.py:13 test/leak"}; !reflect.DeepEqual(found, want) || !reflect.DeepEqual(states, []string{"new"}) {
		t.Errorf("with the baseline: %q (states %q), want %q marked new", found, states, want)
	}
	code, stdout, _ = residue("scan", "--baseline", base, "--quiet", dir)
	if code != 1 || strings.Count(stdout, "test/leak") != 1 || !strings.HasPrefix(stdout, "app/views.py:13:5: warning test/leak: leak called with (request.headers)") {
		t.Errorf("text with the baseline: exit %d\n%s", code, stdout)
	}
}

func TestBaselineErrors(t *testing.T) {
	useTestAnalyzers(t)
	dir := tree(t, map[string]string{"a.py": "leak(1)\n", "report.json": "{\"version\": \"1\", \"findings\": []}\n"})
	for _, tc := range []scanCase{
		{"missing baseline", []string{"scan", "--baseline", filepath.Join(dir, "none.sarif"), dir}, 2,
			[]string{"none.sarif: no such file or directory"}, []string{"a.py:1:1"}},
		{"a JSON report", []string{"scan", "--baseline", filepath.Join(dir, "report.json"), dir}, 2,
			[]string{"not a SARIF 2.1.0 report", "(write one with residue scan --format sarif -o FILE)"}, []string{"a.py:1:1"}},
	} {
		tc.check(t)
	}
}

// git runs git in dir with a neutral configuration.
func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// gitTree is tree in a new git repository with everything committed.
func gitTree(t *testing.T, files map[string]string) string {
	t.Helper()
	requireTool(t, "git", "apt-get install git")
	dir := tree(t, files)
	git(t, dir, "init", "-q", "-b", "main")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "base")
	return dir
}

func TestDiffBase(t *testing.T) {
	useTestAnalyzers(t)
	dir := gitTree(t, map[string]string{
		"app/views.py": "def view(request):\n    leak(1)\n    x = 1\n",
		"app/old.py":   "leak(2)\n",
	})
	if code, out, _ := residue("scan", "--diff-base", "HEAD", dir); code != 0 || !strings.Contains(out, "no findings") {
		t.Errorf("nothing changed: exit %d\n%s", code, out)
	}
	must(t, os.WriteFile(filepath.Join(dir, "app/views.py"), []byte("def view(request):\n    leak(1)\n    x = leak(3)\n    leak(4)\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "app/new.py"), []byte("leak(5)\n"), 0o644))
	for _, tc := range []scanCase{
		{"changed lines only", []string{"scan", "--quiet", "--diff-base", "HEAD", dir}, 1,
			[]string{"app/views.py:3:9: warning test/leak: leak called with (3)", "app/views.py:4:5:", "app/new.py:1:1:"},
			[]string{"app/views.py:2:", "app/old.py"}},
		{"counted on stderr", []string{"scan", "--diff-base", "HEAD", filepath.Join(dir, "app")}, 1,
			[]string{"residue: note: 2 findings on lines unchanged since --diff-base left out", "3 findings"}, nil},
		{"without --diff-base", []string{"scan", dir}, 1, []string{"app/views.py:2:5:", "app/old.py:1:1:"}, nil},
		{"unknown revision", []string{"scan", "--diff-base", "no-such-rev", dir}, 2,
			[]string{"--diff-base no-such-rev: no such commit in this clone"}, []string{"app/"}},
	} {
		tc.check(t)
	}
}

// TestBaselineOfAnotherRoot: a baseline written by a scan of a subfolder
// (paths relative to it) matches nothing in a scan of the folder above,
// which says so; a baseline whose findings were all fixed, or whose files
// were deleted, says nothing.
func TestBaselineOfAnotherRoot(t *testing.T) {
	useTestAnalyzers(t)
	dir := tree(t, map[string]string{"sub/a.py": "leak(1)\n"})
	base := filepath.Join(t.TempDir(), "sub.sarif")
	if code, _, errs := residue("scan", "--format", "sarif", "-o", base, filepath.Join(dir, "sub")); code != 1 {
		t.Fatalf("scan of sub: exit %d\n%s", code, errs)
	}
	code, _, errs := residue("scan", "--baseline", base, dir)
	if code != 1 || !strings.Contains(errs, "none of its findings is in this scan, whose sub/a.py is its a.py: a report of a scan from another folder?") {
		t.Errorf("baseline of sub/ at the root: exit %d\n%s", code, errs)
	}
	must(t, os.WriteFile(filepath.Join(dir, "sub", "a.py"), []byte("x = 1\n"), 0o644))
	if code, _, errs := residue("scan", "--baseline", base, filepath.Join(dir, "sub")); code != 0 || strings.Contains(errs, "none of its findings") {
		t.Errorf("baseline whose findings were fixed: exit %d\n%s", code, errs)
	}
	// A baseline whose files were all deleted since, and a new finding.
	must(t, os.WriteFile(filepath.Join(dir, "sub", "a.py"), []byte("leak(1)\n"), 0o644))
	whole := filepath.Join(t.TempDir(), "whole.sarif")
	if code, _, errs := residue("scan", "--format", "sarif", "-o", whole, dir); code != 1 {
		t.Fatalf("scan: exit %d\n%s", code, errs)
	}
	must(t, os.RemoveAll(filepath.Join(dir, "sub")))
	must(t, os.WriteFile(filepath.Join(dir, "new.py"), []byte("leak(2)\n"), 0o644))
	if code, _, errs := residue("scan", "--baseline", whole, dir); code != 1 || strings.Contains(errs, "none of its findings") {
		t.Errorf("baseline whose files were deleted: exit %d\n%s", code, errs)
	}
}
