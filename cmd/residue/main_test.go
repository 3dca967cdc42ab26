package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/analyzertest/testanalyzers"
	"github.com/residue-sec/residue/analyzers/rule"
)

// useTestAnalyzers makes scans run the test analyzers (which report calls
// to leak()) for the rest of the test.
func useTestAnalyzers(t *testing.T) {
	t.Helper()
	oldReg, oldRules := registry, loadRules
	registry = func() []*analyzers.Analyzer { return testanalyzers.All }
	loadRules = func() (*rule.Set, error) { return testanalyzers.Rules(), nil }
	t.Cleanup(func() { registry, loadRules = oldReg, oldRules })
}

// residue runs the command in-process and returns exit code, stdout, stderr.
func residue(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestVersionAndHelp(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, _ := residue(args...)
		if code != 0 || !strings.HasPrefix(out, "residue ") {
			t.Errorf("%v: exit %d, %q", args, code, out)
		}
	}
	for _, cmd := range []string{"scan", "init", "rules", "explain", "version"} {
		code, out, _ := residue(cmd, "--help")
		if code != 0 || !strings.Contains(out, "Usage: residue") || (cmd != "version" && !strings.Contains(out, "Example")) {
			t.Errorf("%s --help: exit %d\n%s", cmd, code, out)
		}
	}
	if code, out, _ := residue("--help"); code != 0 || !strings.Contains(out, "residue rules") {
		t.Errorf("--help: exit %d %q", code, out)
	}
	// Flags are listed as the documentation writes them; a command
	// without flags lists no empty section.
	if _, out, _ := residue("scan", "--help"); !strings.Contains(out, "\n  --baseline FILE\n") || !strings.Contains(out, "\n  -o FILE\n") ||
		!strings.Contains(out, "\n  --format FORMAT\n") || !strings.Contains(out, "\n  --jobs N\n") || !strings.Contains(out, "(default 5MiB)") {
		t.Errorf("scan --help lists flags as Go's flag package does:\n%s", out)
	}
	if _, out, _ := residue("test", "--help"); strings.Contains(out, "Flags:") {
		t.Errorf("test --help lists an empty Flags section:\n%s", out)
	}
}

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"scan", "--bogus"}, "unknown flag --bogus"},
		{[]string{"scan", "--fromat", "sarif", "."}, "unknown flag --fromat; did you mean --format?"},
		{[]string{"scan", "--diff-base"}, "flag needs an argument: --diff-base"},
		{[]string{"scan", "--shard", "5/4", "."}, "for flag --shard"},
		{[]string{"scan", "-o"}, "flag needs an argument: -o"},
		{[]string{"scan", "--format", "xml", "."}, `unknown --format "xml"`},
		{[]string{"scan", "--severity", "high", "."}, `unknown --severity "high"`},
		{[]string{"scan", "no/such/path"}, "no/such/path"},
		{[]string{"scan", "--no-cache", "--cache-dir", "/tmp/c", "."}, "--no-cache and --cache-dir contradict each other"},
		{[]string{"scan", "--jobs", "99999999999", "."}, "--jobs must be 0 (one per CPU) or more, at most 1024"},
		{[]string{"scan", "--pre-commit", "--format", "json", "-o", "r.json", "."}, "--pre-commit gathers the runs of one pre-commit invocation in a SARIF report only"},
		{[]string{"scan", "-o", "", "."}, "-o is empty (an unset variable?)"},
		{[]string{"scan", "--diff-base=", "."}, "--diff-base is empty"},
		{[]string{"scan", "--baseline", "", "."}, "--baseline is empty"},
		{[]string{"scan", "--rules=", "."}, "--rules is empty"},
		{[]string{"merge", "-o", "", "a.sarif"}, "-o is empty"},
		{[]string{"explain"}, "explain takes one rule id"},
		{[]string{"explain", "nope/nope"}, `no rule "nope/nope"; 'residue rules' lists them`},
		{[]string{"explain", "logging/request-bdy"}, `no rule "logging/request-bdy"; did you mean logging/request-body?`},
		{[]string{"test", "no/such/rules"}, "test no/such/rules: no such directory of rules"},
		{[]string{"rules", "--format", "xml"}, `unknown --format "xml"`},
	}
	for _, tc := range cases {
		code, _, errs := residue(tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", tc.args, code, errs, tc.want)
		}
	}
}

// TestDashedFileNames: pre-commit passes the staged files after the
// hook's flags, so a file whose name starts with "-" is a path, not an
// unknown flag; a flag's value that starts with "-" stays its value.
func TestDashedFileNames(t *testing.T) {
	useTestAnalyzers(t)
	dir := tree(t, map[string]string{"-x.py": "leak(1)\n", "a.py": "leak(2)\n"})
	git(t, dir, "init", "-q")
	t.Chdir(dir)
	code, out, errs := residue("scan", "--no-cache", "-x.py", "a.py")
	if code != 1 || !strings.Contains(out, "-x.py:1:1") || !strings.Contains(out, "a.py:1:1") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if code, _, errs := residue("scan", "--no-cache", "-o", "-report.json", "--format", "json", "a.py"); code != 1 {
		t.Errorf("-o -report.json: exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "-report.json")); err != nil {
		t.Errorf("the report: %v", err)
	}
	if code, _, errs := residue("scan", "-nope.py"); code != 2 || !strings.Contains(errs, "unknown flag -nope.py; for a file of that name, write ./-nope.py") {
		t.Errorf("no such file: exit %d, %q", code, errs)
	}
}

func TestExitCodesAndFilters(t *testing.T) {
	useTestAnalyzers(t)
	dir := tree(t, map[string]string{"app/a.py": "leak(1)\n", "tests/t.py": "leak(2)\n", "ok.py": "x = 1\n"})
	cases := []struct {
		args     []string
		code     int
		contains []string
		absent   []string
	}{
		{[]string{dir}, 1, []string{"app/a.py:1:1: warning test/leak: leak called with (1)", "tests/t.py:1:1"}, nil},
		{[]string{"scan", "--exit-zero", dir}, 0, []string{"app/a.py:1:1"}, nil},
		{[]string{"scan", "--severity", "error", dir}, 0, nil, []string{"app/a.py"}},
		{[]string{"scan", dir, "--exclude", "tests/**"}, 1, []string{"app/a.py"}, []string{"tests/t.py"}},
		{[]string{"scan", "--include", "tests/**", dir}, 1, []string{"tests/t.py"}, []string{"app/a.py"}},
		{[]string{"scan", "--quiet", "--jobs", "1", dir}, 1, []string{"app/a.py"}, []string{"findings"}},
	}
	for _, tc := range cases {
		code, out, errs := residue(tc.args...)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d\n%s%s", tc.args, code, tc.code, out, errs)
		}
		for _, s := range tc.contains {
			if !strings.Contains(out, s) {
				t.Errorf("%v: output lacks %q:\n%s", tc.args, s, out)
			}
		}
		for _, s := range tc.absent {
			if strings.Contains(out, s) {
				t.Errorf("%v: output has %q:\n%s", tc.args, s, out)
			}
		}
	}
}

func TestSubfolderPathsAreRelativeToRepositoryRoot(t *testing.T) {
	useTestAnalyzers(t)
	dir := tree(t, map[string]string{".git/HEAD": "ref: refs/heads/main\n", "svc/app/a.py": "leak(1)\n"})
	code, out, _ := residue("scan", "--format", "json", filepath.Join(dir, "svc", "app"))
	var doc struct {
		Findings []analyzers.Finding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 1 || len(doc.Findings) != 1 {
		t.Fatalf("exit %d, err %v:\n%s", code, err, out)
	}
	if got := doc.Findings[0].Location.Path; got != "svc/app/a.py" {
		t.Errorf("path %q, want svc/app/a.py", got)
	}
}

// TestFilesOfTwoDirectoriesOutsideARepository: files of two directories
// of a tree that is no repository are scanned from their common
// directory, which is also where query reports them from.
func TestFilesOfTwoDirectoriesOutsideARepository(t *testing.T) {
	useTestAnalyzers(t)
	dir := tree(t, map[string]string{"a/x.py": "leak(1)\n", "b/c/y.py": "leak(2)\n"})
	x, y := filepath.Join(dir, "a", "x.py"), filepath.Join(dir, "b", "c", "y.py")
	code, out, errs := residue("scan", "--no-cache", "--format", "json", x, y)
	var doc struct {
		Findings []analyzers.Finding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 1 || len(doc.Findings) != 2 {
		t.Fatalf("exit %d, err %v:\n%s%s", code, err, out, errs)
	}
	if a, b := doc.Findings[0].Location.Path, doc.Findings[1].Location.Path; a != "a/x.py" || b != "b/c/y.py" {
		t.Errorf("paths %q and %q, want a/x.py and b/c/y.py", a, b)
	}
	code, out, errs = residue("query", "--lang", "python", "(call) @c", x, y)
	if code != 0 || !strings.Contains(out, "a/x.py:1:1") || !strings.Contains(out, "b/c/y.py:1:1") {
		t.Errorf("query: exit %d:\n%s%s", code, out, errs)
	}
}

func TestOutputFileIsWrittenAtomically(t *testing.T) {
	useTestAnalyzers(t)
	dir := tree(t, map[string]string{"a.py": "leak(1)\n"})
	out := filepath.Join(t.TempDir(), "report.sarif")
	if code, _, errs := residue("scan", "--format", "sarif", "-o", out, dir); code != 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	first, err := os.ReadFile(out)
	if err != nil || !bytes.Contains(first, []byte(`"ruleId": "test/leak"`)) {
		t.Fatalf("report: %v\n%s", err, first)
	}
	// A failing scan leaves the previous report as it was, with no temp file.
	if code, _, _ := residue("scan", "--format", "sarif", "-o", out, filepath.Join(dir, "missing")); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if again, _ := os.ReadFile(out); !bytes.Equal(again, first) {
		t.Error("a failed scan changed the previous report")
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Errorf("stray files next to the report: %v", entries)
	}
	// A destination in a missing directory is refused before scanning.
	code, _, errs := residue("scan", "-o", filepath.Join(out, "sub", "x.txt"), dir)
	if code != 2 || !strings.Contains(errs, "is not a directory") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	// A symlinked report is written through, keeping the target's mode.
	must(t, os.Chmod(out, 0o600))
	link := filepath.Join(t.TempDir(), "link.sarif")
	must(t, os.Symlink(out, link))
	if code, _, errs := residue("scan", "--format", "json", "-o", link, dir); code != 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced: %v", err)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode of the report: %v %v", fi.Mode(), err)
	}
	if data, _ := os.ReadFile(out); !bytes.HasPrefix(data, []byte("{\n  \"version\": \"1\"")) {
		t.Errorf("the JSON report did not reach the symlink's target:\n%.80s", data)
	}
}

func TestSARIFIsIdenticalAcrossJobs(t *testing.T) {
	useTestAnalyzers(t)
	files := map[string]string{}
	for i := range 40 {
		files[filepath.Join("pkg", string(rune('a'+i%5)), "m"+string(rune('a'+i))+".py")] = "def f():\n    leak(1)\n    leak(2)\n"
		files["n"+string(rune('a'+i))+".c"] = "void f(void) { leak(1); }\n"
	}
	dir := tree(t, files)
	var reports [][]byte
	for _, jobs := range []string{"1", "8"} {
		out := filepath.Join(t.TempDir(), "r.sarif")
		if code, _, errs := residue("scan", "--format", "sarif", "--jobs", jobs, "-o", out, dir); code != 1 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		reports = append(reports, data)
	}
	if !bytes.Equal(reports[0], reports[1]) {
		t.Error("SARIF differs between --jobs 1 and --jobs 8")
	}
}

// TestBadInputWarnings checks the warning lines and the exit code for each
// kind of bad input. The unreadable file is made unreadable for an
// unprivileged user; as root, the scan runs as nobody through setpriv.
func TestBadInputWarnings(t *testing.T) {
	if os.Getenv("RESIDUE_CHILD") == "1" {
		return
	}
	dir := tree(t, map[string]string{
		"binary.py":   "x\x00y",
		"invalid.py":  "s = '\xff'\n",
		"syntax.py":   "def f(:\nleak(1)\n",
		"deep.py":     "leak" + strings.Repeat("(", 10000) + strings.Repeat(")", 10000) + "\n",
		"empty.py":    "",
		"secret.py":   "x = 1\n",
		"crlf.py":     "x = 1\r\n",
		"bom.py":      "\xef\xbb\xbfx = 1\n",
		"nested/a.py": "x = 1\n",
	})
	if err := os.WriteFile(filepath.Join(dir, "huge.py"), bytes.Repeat([]byte("x = 1\n"), 20<<20/6), 0o644); err != nil {
		t.Fatal(err)
	}
	must(t, os.Symlink("missing.py", filepath.Join(dir, "dangling.py")))
	must(t, os.Symlink("..", filepath.Join(dir, "nested", "loop")))
	must(t, os.Chmod(filepath.Join(dir, "secret.py"), 0))
	must(t, os.Chmod(dir, 0o755))
	must(t, os.Chmod(filepath.Dir(dir), 0o755))
	code, out, errs := scanAsUnprivileged(t, dir)
	if code != 1 || !strings.Contains(out, "syntax.py:2:1: warning test/leak") {
		t.Errorf("exit %d, want 1 for the finding after the syntax error\n%s%s", code, out, errs)
	}
	for _, want := range []string{
		"residue: binary.py: warning: skipped: binary file",
		"residue: dangling.py: warning: skipped: dangling symlink",
		"residue: deep.py: warning: skipped: syntax nested deeper than",
		"residue: huge.py: warning: skipped: 20.0 MiB exceeds the 5.0 MiB size cap",
		"residue: secret.py: warning: skipped: cannot read the file: permission denied",
		"residue: syntax.py:1: note: syntax errors, the first on this line; findings near them may be missing",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if n := strings.Count(errs, "\n"); n != 6 {
		t.Errorf("%d warning lines, want 6 (one per bad file):\n%s", n, errs)
	}
}

// scanAsUnprivileged runs residue scan with args and the test analyzers,
// in this process when not root, else in a copy of the test binary run as
// nobody.
func scanAsUnprivileged(t *testing.T, args ...string) (int, string, string) {
	if os.Geteuid() != 0 {
		useTestAnalyzers(t)
		return residue(append([]string{"scan"}, args...)...)
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("running as root without setpriv: cannot make a file unreadable")
	}
	self, err := os.Executable()
	must(t, err)
	bin := filepath.Join(t.TempDir(), "residue.test")
	data, err := os.ReadFile(self)
	must(t, err)
	must(t, os.WriteFile(bin, data, 0o755))
	must(t, os.Chmod(filepath.Dir(bin), 0o755))
	cmd := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", bin, "-test.run=^TestChildScan$")
	// The child makes a cache directory of its own: it cannot write ours.
	cmd.Env = append(os.Environ(), "RESIDUE_CHILD=1", "RESIDUE_CHILD_ARGS="+strings.Join(args, "\n"), CacheDirEnv+"=")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	// The child prints the scan's stdout, then "--- exit N" and the test
	// framework's PASS line; its stderr is the scan's.
	stdout, _, _ := strings.Cut(out.String(), "--- exit ")
	if code != 0 {
		t.Fatalf("child failed (%d): %s %s", code, out.String(), errb.String())
	}
	var scanCode int
	if _, rest, ok := strings.Cut(out.String(), "--- exit "); ok && len(rest) > 0 {
		scanCode = int(rest[0] - '0')
	}
	return scanCode, stdout, errb.String()
}

// TestChildScan is the unprivileged half of TestBadInputWarnings.
func TestChildScan(t *testing.T) {
	if os.Getenv("RESIDUE_CHILD") != "1" {
		t.Skip("runs only as TestBadInputWarnings' child process")
	}
	useTestAnalyzers(t)
	var out bytes.Buffer
	code := run(append([]string{"scan"}, strings.Split(os.Getenv("RESIDUE_CHILD_ARGS"), "\n")...), &out, os.Stderr)
	os.Stdout.WriteString(out.String() + "--- exit " + string(rune('0'+code)) + "\n")
}

// TestUnreadableNamedFile names an unreadable file on the command line:
// as the README says, it is skipped with a warning, and the other files
// are scanned.
func TestUnreadableNamedFile(t *testing.T) {
	if os.Getenv("RESIDUE_CHILD") == "1" {
		return
	}
	dir := tree(t, map[string]string{"secret.py": "leak(1)\n", "open.py": "leak(2)\n"})
	must(t, os.Chmod(filepath.Join(dir, "secret.py"), 0))
	must(t, os.Chmod(dir, 0o755))
	must(t, os.Chmod(filepath.Dir(dir), 0o755))
	code, out, errs := scanAsUnprivileged(t, filepath.Join(dir, "secret.py"), filepath.Join(dir, "open.py"))
	if code != 1 || !strings.Contains(out, "open.py:1:1") ||
		!strings.Contains(errs, "residue: secret.py: warning: skipped: cannot read the file: permission denied") {
		t.Errorf("exit %d, want 1 with the warning and open.py's finding\n%s%s", code, out, errs)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestFlagParsing(t *testing.T) {
	code, out, errs := residue("rules", "--help")
	if code != 0 || strings.Count(out, "Usage: residue rules") != 1 || errs != "" {
		t.Errorf("--help: exit %d, usage printed %d times, stderr %q", code, strings.Count(out, "Usage:"), errs)
	}
	code, out, errs = residue("scan", "--bogus", ".")
	if code != 2 || out != "" || !strings.Contains(errs, "Run 'residue scan --help'") {
		t.Errorf("bad flag: exit %d, stdout %q (must stay empty), stderr %q", code, out, errs)
	}
	useTestAnalyzers(t)
	dir := tree(t, map[string]string{"-a.py": "leak(1)\n", "-b.py": "x = 1\n"})
	t.Chdir(dir)
	code, out, errs = residue("scan", "--quiet", "--", "-a.py", "-b.py")
	if code != 1 || !strings.Contains(out, "-a.py:1:1") {
		t.Errorf("after --: exit %d\n%s%s", code, out, errs)
	}
	if code, _, errs := residue("version", "extra"); code != 2 || !strings.Contains(errs, "version takes no arguments") {
		t.Errorf("version extra: exit %d %q", code, errs)
	}
}

// fullWriter fails every write, as a full disk does.
type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// TestOutputThatCannotBeWritten: every command whose output cannot be
// written exits 2 and says so, rather than 0 with its output lost; help
// on a command is that command's.
func TestOutputThatCannotBeWritten(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"rules"}, {"rules", "--format", "json"}, {"explain", "logging/request-body"}, {"--help"}, {"help", "scan"}} {
		var errb bytes.Buffer
		if code := run(args, fullWriter{}, &errb); code != 2 || !strings.Contains(errb.String(), "no space left on device") {
			t.Errorf("%q: exit %d, stderr %q", args, code, errb.String())
		}
	}
	if code, out, _ := residue("help", "scan"); code != 0 || !strings.HasPrefix(out, "Usage: residue [scan]") {
		t.Errorf("help scan: exit %d, %q", code, out[:min(len(out), 80)])
	}
	if code, _, errs := residue("help", "scna"); code != 2 || !strings.Contains(errs, `unknown command "scna"`) {
		t.Errorf("help scna: exit %d, %q", code, errs)
	}
	// A command that says why it failed is not followed by a second line.
	var errb bytes.Buffer
	if code := run([]string{"rules", "--format", "json"}, fullWriter{}, &errb); code != 2 || strings.Count(errb.String(), "no space left") != 1 {
		t.Errorf("rules --format json: exit %d, stderr %q", code, errb.String())
	}
	// Colour is decided on the file under the checked writer.
	if f, err := os.Open(os.DevNull); err == nil {
		defer f.Close()
		if got, ok := terminalOf(&checkedWriter{w: f}); !ok || got != f {
			t.Error("terminalOf does not see the file under the checked writer")
		}
	}
	// residue test without a directory tested nothing and passed.
	if code, _, errs := residue("test"); code != 2 || !strings.Contains(errs, "test takes one directory of rules") {
		t.Errorf("test: exit %d, %q", code, errs)
	}
}

// TestSyntaxNotesOfRepairedFiles: a C file whose only syntax errors are
// macros the C model repairs (a statement macro without its semicolon)
// gets no note, since the model reads the repaired parse, nor does one
// whose errors are outside its functions (a CPython type's members and
// initializer); a function the repair does not mend keeps it, and so does
// one that errors swallowed whole.
func TestSyntaxNotesOfRepairedFiles(t *testing.T) {
	dir := tree(t, map[string]string{
		"macro.c":   "static int f(char *out)\n{\n    int n = 0;\n    Py_BEGIN_ALLOW_THREADS\n    n = fill(out, 64);\n    Py_END_ALLOW_THREADS\n    return n;\n}\n",
		"type.c":    "typedef struct {\n    PyObject_HEAD\n\n    int fd;\n} Dev;\n\nstatic PyTypeObject DevType = {\n    PyVarObject_HEAD_INIT(NULL, 0)\n    \"dev.Dev\",\n    sizeof(Dev),\n};\n\nstatic int h(void) { return 1; }\n",
		"broken.c":  "int g(void) {\n  return 1 +;\n}\n",
		"swallow.c": "int k(void) @ {\n  return 1;\n}\n",
	})
	_, _, errs := residue("scan", "--no-cache", dir)
	for file, line := range map[string]int{"macro.c": 0, "type.c": 0, "broken.c": 1, "swallow.c": 1} {
		want := fmt.Sprintf("residue: %s:%d: note: syntax errors the model could not repair, the first in the function on this line", file, line)
		if noted := strings.Contains(errs, "residue: "+file+":"); noted != (line > 0) || line > 0 && !strings.Contains(errs, want) {
			t.Errorf("%s: want a note at line %d (0: none):\n%s", file, line, errs)
		}
	}
}

// TestIncludeMatchingNothing: an include that matches no file (a glob
// without **/ for files below the root) warns, since the empty report it
// gives would close every alert code scanning holds; one that matches
// does not.
func TestIncludeMatchingNothing(t *testing.T) {
	dir := tree(t, map[string]string{"app/views.py": "x = 1\n"})
	_, _, errs := residue("scan", "--no-cache", "--include", "*.py", dir)
	if !strings.Contains(errs, "warning: include *.py matches no file") {
		t.Errorf("no warning for an include that matches nothing:\n%s", errs)
	}
	if _, _, errs := residue("scan", "--no-cache", "--include", "**/*.py", dir); strings.Contains(errs, "matches no file") {
		t.Errorf("warning for an include that matches:\n%s", errs)
	}
	// Files named one by one (pre-commit's staged files) that the
	// include leaves out are what it is for: no warning.
	if _, _, errs := residue("scan", "--no-cache", "--include", "src/**", filepath.Join(dir, "app", "views.py")); strings.Contains(errs, "matches no file") {
		t.Errorf("warning for staged files the include leaves out:\n%s", errs)
	}
}

// TestBrokenCompileDB: a compilation database that does not parse is a
// warning, not silently ignored: the defines it holds change the findings.
func TestBrokenCompileDB(t *testing.T) {
	dir := tree(t, map[string]string{
		".git/HEAD":             "ref: refs/heads/main\n",
		"compile_commands.json": `[{"directory": ".", "file": "s.c", "command": "cc -DWIDE -c s.c"},]`,
		"s.c":                   "int f(void) { return 0; }\n",
	})
	code, _, errs := residue("scan", "--no-cache", dir)
	if code != 0 || !strings.Contains(errs, "warning: compile_commands.json not used, its -D and -I flags ignored: invalid character") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	must(t, os.WriteFile(filepath.Join(dir, "compile_commands.json"), []byte(`[{"directory": 5, "file": "s.c"}]`), 0o644))
	if code, _, errs := residue("scan", "--no-cache", dir); code != 0 || !strings.Contains(errs, "compile_commands.json not used, its -D and -I flags ignored: json: cannot unmarshal number") {
		t.Errorf("an entry of the wrong type: exit %d, stderr %q", code, errs)
	}
	must(t, os.WriteFile(filepath.Join(dir, "compile_commands.json"), []byte(`[{"directory": ".", "file": "s.c", "command": "cc -c s.c"}]`), 0o644))
	if code, _, errs := residue("scan", "--no-cache", dir); code != 0 || strings.Contains(errs, "compile_commands") {
		t.Errorf("a good database: exit %d, stderr %q", code, errs)
	}
}
