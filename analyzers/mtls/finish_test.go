package mtls

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/analyzertest"
	"github.com/residue-sec/residue/analyzers/driver"
)

// crossFile is the fixture whose findings the repository decides.
const crossFile = "../../rules/mtls/testdata/cross-file.txtar"

func extract(t *testing.T, archive string) string {
	t.Helper()
	ar, err := txtar.ParseFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := analyzertest.Write(dir, ar); err != nil {
		t.Fatal(err)
	}
	return dir
}

// scanDir scans paths of the repository at root with the analyzer alone,
// its rules at level error.
func scanDir(t testing.TB, root string, paths ...string) []analyzers.Finding {
	t.Helper()
	res, err := driver.Run(driver.Config{Analyzers: []*analyzers.Analyzer{Analyzer}, Rules: analyzertest.Rules("error", Analyzer),
		Paths: paths, Root: root, Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	return res.Findings
}

func lines(fs []analyzers.Finding, path string) []string {
	var out []string
	for _, f := range fs {
		if f.Location.Path == path {
			out = append(out, f.Location.Path+":"+strconv.Itoa(f.Location.StartLine)+" "+f.Level+" "+f.RuleID)
		}
	}
	return out
}

// TestMiddlewareOrderLowers checks the level, not only the message: a
// middleware listed after a validating one is lowered one step, the same
// finding in a middleware listed before it is not.
func TestMiddlewareOrderLowers(t *testing.T) {
	dir := extract(t, crossFile)
	src, err := os.ReadFile(filepath.Join(dir, "app", "middleware.py"))
	if err != nil {
		t.Fatal(err)
	}
	// The first request.client_dn assignment is EarlyDNMiddleware's,
	// listed before VerifyingMiddleware; the second DNMiddleware's, after.
	var sinks []int
	for i, line := range strings.Split(string(src), "\n") {
		if strings.Contains(line, "request.client_dn = ") {
			sinks = append(sinks, i+1)
		}
	}
	if len(sinks) != 2 {
		t.Fatalf("the fixture changed: client_dn assignments on lines %v", sinks)
	}
	levels := map[int]string{}
	for _, f := range scanDir(t, dir, dir) {
		if f.RuleID == rulePassthrough {
			levels[f.Location.StartLine] = f.Level
		}
	}
	if levels[sinks[0]] != "error" || levels[sinks[1]] != "warning" {
		t.Errorf("passthrough levels by line: %v; want %d (before VerifyingMiddleware) error, %d (after it) warning", levels, sinks[0], sinks[1])
	}
}

// TestCheckingCallersLower: a function every caller of which checked first
// is lowered one level and says so; one with an unchecked caller does not
// say so. In the fixture, every request also passes VerifyingMiddleware:
// both are lowered for it, and the two reasons lower only one level.
func TestCheckingCallersLower(t *testing.T) {
	dir := extract(t, crossFile)
	level, msg := map[string]string{}, map[string]string{}
	for _, f := range scanDir(t, dir, dir) {
		if f.Location.Path == "app/certs.py" && f.RuleID == ruleUnverified {
			level[f.Function], msg[f.Function] = f.Level, f.Message
		}
	}
	callers, behind := "every call of user_for() found in the repository checks first", "every request passes app.middleware.VerifyingMiddleware first"
	if !strings.Contains(msg["user_for"], callers) || strings.Contains(msg["lookup_user"], "every call of") {
		t.Errorf("messages by function: %q", msg)
	}
	if !strings.Contains(msg["user_for"], behind) || !strings.Contains(msg["lookup_user"], behind) {
		t.Errorf("messages by function: %q; want both behind VerifyingMiddleware", msg)
	}
	if level["user_for"] != "warning" || level["lookup_user"] != "warning" {
		t.Errorf("levels by function: %v; want one level lower each", level)
	}
}

// TestOneScannedFileSeesTheRepository scans only the middleware module:
// the settings, the MIDDLEWARE list and the other modules' checks are
// read for their facts, and the findings are those of the whole scan.
func TestOneScannedFileSeesTheRepository(t *testing.T) {
	dir := extract(t, crossFile)
	const mw = "app/middleware.py"
	whole := strings.Join(lines(scanDir(t, dir, dir), mw), "\n")
	one := scanDir(t, dir, filepath.Join(dir, "app", "middleware.py"))
	if got := strings.Join(lines(one, mw), "\n"); got != whole || len(one) != strings.Count(whole, "\n")+1 {
		t.Errorf("one file:\n%s\nwhole repository:\n%s", got, whole)
	}
}
