// Package sarifcheck checks SARIF reports from tests: every artifact URI
// must be a relative URI reference (RFC 3986, SARIF §3.10), checked here,
// and the project's shared checker (check_sarif.py beside the checkout:
// the 2.1.0 schema plus what GitHub code scanning needs) must pass where
// it is available.
package sarifcheck

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Check checks the SARIF file at report and fails t with what is wrong:
// first its URIs (checkURIs), then the shared checker's verdict. Where the
// checker is absent (a user's clone has none beside it) it logs that the
// schema check was skipped; in CI (CI=true) a python3 without jsonschema
// is a failure, not a skip.
func Check(t testing.TB, report string) {
	t.Helper()
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range checkURIs(data) {
		t.Errorf("%s: %s", report, p)
	}
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

// checkerEnv names the checker to run instead of the one beside the
// module root (a work tree kept elsewhere has none beside it).
const checkerEnv = "RESIDUE_CHECK_SARIF"

// findChecker returns $RESIDUE_CHECK_SARIF, else ../shared/check_sarif.py
// beside the module root.
func findChecker() (string, error) {
	if env := os.Getenv(checkerEnv); env != "" {
		_, err := os.Stat(env)
		return env, err
	}
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

// pathRef matches the path of a relative URI reference: RFC 3986 pchars
// (unreserved, sub-delims, ":", "@", percent-encoded octets) and "/".
var pathRef = regexp.MustCompile(`^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$`)

// checkURIs returns a problem for every "uri" in the SARIF document data
// that is not a relative reference to a file below %SRCROOT%: empty,
// absolute, with a scheme, a query or a fragment, a character RFC 3986
// does not allow unencoded (a blank, "%" not starting an escape, non-ASCII
// bytes), or a ".." segment.
func checkURIs(data []byte) []string {
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	var problems []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, item := range v {
				if uri, ok := item.(string); ok && k == "uri" {
					if msg := uriProblem(uri); msg != "" {
						problems = append(problems, fmt.Sprintf("uri %q %s", uri, msg))
					}
					continue
				}
				walk(item)
			}
		case []any:
			for _, item := range v {
				walk(item)
			}
		}
	}
	walk(doc)
	return problems
}

// uriProblem says what is wrong with uri as a relative URI reference to
// a file below the source root, "" when nothing is.
func uriProblem(uri string) string {
	first, _, _ := strings.Cut(uri, "/")
	switch {
	case uri == "":
		return "is empty"
	case !pathRef.MatchString(uri):
		return "is not a percent-encoded URI reference path (RFC 3986, SARIF 3.10)"
	case strings.HasPrefix(uri, "/"):
		return "is absolute"
	case strings.Contains(first, ":"):
		return "has a scheme, or a first segment with \":\""
	}
	for _, seg := range strings.Split(uri, "/") {
		if seg == ".." || strings.EqualFold(seg, "%2E%2E") {
			return "leaves the source root"
		}
	}
	return ""
}
