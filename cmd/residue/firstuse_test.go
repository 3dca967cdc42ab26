package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestUnknownCommand tells a mistyped command from a path to scan: a plain
// word that names nothing is an unknown command, a word that names a
// directory is scanned.
func TestUnknownCommand(t *testing.T) {
	useTestAnalyzers(t)
	code, out, errs := residue("bogus")
	if code != 2 || out != "" || !strings.Contains(errs, `unknown command "bogus"`) {
		t.Errorf("residue bogus: exit %d, stderr %q, want 2 and unknown command", code, errs)
	}
	if code, _, errs := residue("bogus.py"); code != 2 || !strings.Contains(errs, "bogus.py: no such file or directory") {
		t.Errorf("residue bogus.py: exit %d, stderr %q, want a missing path", code, errs)
	}
	t.Chdir(tree(t, map[string]string{"bogus/a.py": "leak(1)\n"}))
	if code, out, errs := residue("bogus"); code != 1 || !strings.Contains(out, "a.py:1:1") {
		t.Errorf("residue bogus with a folder bogus: exit %d\n%s%s", code, out, errs)
	}
}

// TestExplainFamily lists the rules of a family.
func TestExplainFamily(t *testing.T) {
	code, out, errs := residue("explain", "logging")
	if code != 0 {
		t.Fatalf("explain logging: exit %d: %s", code, errs)
	}
	for _, id := range builtinRuleIDs(t) {
		if strings.HasPrefix(id, "logging/") != strings.Contains(out, id) {
			t.Errorf("explain logging: rule %s listed: %v\n%s", id, strings.Contains(out, id), out)
		}
	}
	if code, _, errs := residue("explain", "log"); code != 2 || !strings.Contains(errs, `no rule or rule family "log"`) {
		t.Errorf("explain log: exit %d %q", code, errs)
	}
}

// TestMaxFileSizeUnits takes --max-file-size with the units the
// configuration's max-file-size takes.
func TestMaxFileSizeUnits(t *testing.T) {
	useTestAnalyzers(t)
	dir := tree(t, map[string]string{"big.py": "leak(1)\n" + strings.Repeat("x = 1\n", 400)})
	if code, _, errs := residue("scan", "--max-file-size", "1KiB", dir); code != 0 || !strings.Contains(errs, "exceeds the 1.0 KiB size cap") {
		t.Errorf("1KiB: exit %d, stderr %q, want the file skipped", code, errs)
	}
	if code, _, errs := residue("scan", "--max-file-size", "2MiB", dir); code != 1 {
		t.Errorf("2MiB: exit %d, stderr %q, want the finding", code, errs)
	}
	if code, _, errs := residue("scan", "--max-file-size", "2 XB", dir); code != 2 || !strings.Contains(errs, "optionally with a unit") {
		t.Errorf("2 XB: exit %d, stderr %q", code, errs)
	}
}

// TestRulesListing fits the rule table in 100 columns and counts in
// singular and plural.
func TestRulesListing(t *testing.T) {
	code, out, errs := residue("rules")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, line := range strings.Split(out, "\n") {
		if n := utf8.RuneCountInString(line); n > 100 {
			t.Errorf("line of %d columns: %q", n, line)
		}
	}
	for _, id := range builtinRuleIDs(t) {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(id) + ` `).MatchString(out) {
			t.Errorf("rule %s not listed", id)
		}
	}
	dir := tree(t, map[string]string{"one.yml": `id: mine/one
name: One
language: python
severity: note
security-severity: 1.0
precision: high
tags: [security]
summary: One rule.
help: One rule.
message: one
pattern: one($X)
tests:
  bad: ["one(1)"]
`})
	if code, out, errs := residue("rules", "--no-builtin", "--rules", dir); code != 0 || !strings.Contains(out, "\n1 rule;") {
		t.Errorf("one rule: exit %d, %q %s", code, out, errs)
	}
	if code, out, errs := residue("test", dir); code != 0 || !strings.Contains(out, "1 rule tested, 0 failed") {
		t.Errorf("test one rule: exit %d, %q %s", code, out, errs)
	}
}

// TestDocsStayInTheRepository checks that the README points to nothing
// outside the repository and that its install instructions work in a
// clone: no module version that does not exist yet.
func TestDocsStayInTheRepository(t *testing.T) {
	readme := readFile(t, "../../README.md")
	for _, bad := range []string{"../", "@latest", "rev: v", "residue-sec/residue@v"} {
		if strings.Contains(readme, bad) {
			t.Errorf("README.md has %q", bad)
		}
	}
	if !strings.Contains(readme, "go install ./cmd/residue") || !strings.Contains(readme, "make build") {
		t.Error("README.md does not say how to install from a clone")
	}
	for _, m := range regexp.MustCompile(`\]\(([^)#]+)\)`).FindAllStringSubmatch(readme, -1) {
		if link := m[1]; !strings.Contains(link, "://") && (filepath.IsAbs(link) || !filepath.IsLocal(link)) {
			t.Errorf("README.md links to %s, outside the repository", link)
		}
	}
}

// TestGitignoreListsNoTrackedFile checks that .gitignore ignores no file
// the repository tracks.
func TestGitignoreListsNoTrackedFile(t *testing.T) {
	root, err := filepath.Abs("../..")
	must(t, err)
	if _, err := os.Stat(filepath.Join(root, ".git")); err != nil {
		t.Skip("not a git checkout")
	}
	out, err := exec.Command("git", "-C", root, "ls-files", "--cached", "--ignored", "--exclude-standard").Output()
	if err != nil {
		t.Fatal(err)
	}
	if len(out) > 0 {
		t.Errorf(".gitignore ignores tracked files:\n%s", out)
	}
}
