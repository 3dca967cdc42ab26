// Package sarifcheck runs the project's SARIF checker
// (../shared/check_sarif.py: the 2.1.0 schema plus what GitHub code
// scanning needs) from tests.
package sarifcheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Check runs the checker on the SARIF file at report and fails t with its
// output when it finds problems. Where the checker is absent (a user's
// clone has no ../shared) it logs that the schema check was skipped; in CI
// (CI=true) a python3 without jsonschema is a failure, not a skip.
func Check(t testing.TB, report string) {
	t.Helper()
	checker, err := findChecker()
	if err != nil {
		t.Logf("schema check skipped: %v", err)
		return
	}
	python := findPython()
	if python == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no python3 with jsonschema: install python3-jsonschema (.ci/run does)")
		}
		t.Logf("schema check skipped: no python3 with jsonschema (apt-get install python3-jsonschema)")
		return
	}
	out, err := exec.Command(python, checker, report).CombinedOutput()
	if err != nil {
		t.Errorf("check_sarif.py %s: %v\n%s", report, err, out)
	}
}

// findChecker returns ../shared/check_sarif.py beside the module root.
func findChecker() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			checker := filepath.Join(dir, "..", "shared", "check_sarif.py")
			_, err := os.Stat(checker)
			return checker, err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

// findPython returns the first python3 that can import jsonschema: the one
// on PATH, else Debian's (where python3-jsonschema installs it).
func findPython() string {
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(p, "-c", "import jsonschema").Run() == nil {
			return p
		}
	}
	return ""
}
