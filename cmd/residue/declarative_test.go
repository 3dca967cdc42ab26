package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const example = "../../testdata/rules-example"

// TestRulesExample runs `residue test` on the example rules directory: every
// inline test and every annotated fixture must pass.
func TestRulesExample(t *testing.T) {
	code, out, errs := residue("test", example)
	if code != 0 || !strings.Contains(out, "9 rules tested, 0 failed") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	if strings.Contains(out, "no tests") {
		t.Errorf("a rule without tests:\n%s", out)
	}
}

func TestTestReportsFailures(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"debug-true.yml", "csrf-exempt.yml"} {
		data, err := os.ReadFile(filepath.Join(example, name))
		must(t, err)
		must(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	must(t, os.WriteFile(filepath.Join(dir, "fixture.py"), []byte(
		"# ruleid: example/debug-true\nDEBUG = False\n# ok: example/csrf-exempt\nv = csrf_exempt(view)\n"), 0o644))
	fixture := filepath.Join(dir, "fixture.py")
	wantTestFailures(t, dir,
		"example/debug-true: "+fixture+":2: expected a finding, got none",
		"example/csrf-exempt: "+fixture+":4: unexpected finding",
		"2 rules tested, 2 failed")
}

// wantTestFailures runs residue test on dir and checks that it fails
// (exit 1) with each of the lines wanted in its output.
func wantTestFailures(t *testing.T, dir string, wants ...string) {
	t.Helper()
	code, out, _ := residue("test", dir)
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
}

func TestScanWithUserRules(t *testing.T) {
	fixtures := filepath.Join(example, "fixtures")
	code, out, errs := residue("scan", "--quiet", "--no-builtin", "--rules", example, fixtures)
	if code != 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"views.py:10:5: error example/tls-verify-off: requests.get is called with verify=False",
		"views.py:14:13: error example/pickle-loads: pickle.loads(request.body) can run arbitrary code",
		"settings.py:4:1: warning example/debug-true: DEBUG is set to True",
		"native.c:8:5: warning example/memcpy-sizeof-source: memcpy into dst is sized by its source src",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = residue("rules", "--rules", example)
	if code != 0 || !strings.Contains(out, "example/strcpy") || !strings.Contains(out, "logging/request-body") {
		t.Errorf("rules --rules: exit %d\n%s", code, out)
	}
	code, out, _ = residue("rules", "--format", "json", "--rules", example)
	if code != 0 || !strings.Contains(out, example+"/c-rules.yml") {
		t.Errorf("rules --format json --rules: exit %d, no rule file\n%s", code, out)
	}
	if code, _, errs := residue("scan", "--no-builtin", "."); code != 2 || !strings.Contains(errs, "--no-builtin needs at least one --rules DIR") {
		t.Errorf("--no-builtin alone: exit %d %q", code, errs)
	}
}

// TestRuleErrors checks that each kind of malformed rule stops the run with
// exit 2 and names the rule file, line and column.
func TestRuleErrors(t *testing.T) {
	head := "id: t/x\nname: X\nlanguage: python\nseverity: note\nsecurity-severity: 1\nprecision: low\nsummary: s\nhelp: h\n"
	cases := []struct{ name, body, want string }{
		{"yaml", head + "message: [unclosed\n", "x.yml:9:1: did not find expected ',' or ']'"},
		{"unknown key", head + "mesage: m\npattern: f()\n", "x.yml:9:1: unknown key \"mesage\""},
		{"query error", head + "message: m\nquery: |\n  (call\n    (no_such_node))\n", "x.yml:12:6: query: unknown node type \"no_such_node\""},
		{"predicate error", head + "message: m\nquery: ((identifier) @i (#contains? @i \"x\"))\n", "x.yml:10:26: query: #contains?: unsupported predicate"},
		{"bad regexp", head + "message: m\nquery: |\n  ((identifier) @i (#match? @i \"(?!x)\"))\n", "x.yml:11:21: query: #match?: bad regular expression"},
		{"unknown capture", head + "message: \"{{nope}} here\"\nquery: (call) @finding\n", "x.yml:9:11: message: {{nope}} is not a capture of the rule (captures: finding)"},
		{"sequence in message", head + "message: \"{{REST}} and {{X}}\"\npattern: f($X, $X, $...REST)\n", "x.yml:9:11: message: {{REST}} names the sequence $...REST, which a message cannot show; name a single metavariable such as $X (captures: X, finding)"},
		{"a longer sequence", head + "message: \"{{ARG}}\"\npattern: f($...ARGS)\n", "x.yml:9:11: message: {{ARG}} is not a capture of the rule (captures: finding)"},
		{"bad pattern", head + "message: m\npattern: foo(\n", "x.yml:10:10: pattern: the pattern does not parse as python"},
		{"no matcher", head + "message: m\n", "x.yml:1:1: a rule needs `pattern:` or `query:`"},
		{"two matchers", head + "message: m\nquery: (call) @c\npattern: f()\n", "x.yml:11:1: `query:` and `pattern:` both given"},
		{"misspelt key", head + "message: m\npattern: f()\nprecison: low\n", "x.yml:11:1: unknown key \"precison\": did you mean \"precision\"?"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			must(t, os.WriteFile(filepath.Join(dir, "x.yml"), []byte(tc.body), 0o644))
			code, out, errs := residue("scan", "--rules", dir, t.TempDir())
			if code != 2 || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, stderr %q, want 2 and %q\n%s", code, errs, tc.want, out)
			}
		})
	}
}

func TestQueryCommand(t *testing.T) {
	dir := tree(t, map[string]string{"a.py": "logger.info(request.body)\nlogger.debug(x)  # residue: ignore[logging/log-injection]\n"})
	code, out, errs := residue("query", "--lang", "python", "--pattern", "logger.info($X)", dir)
	if code != 0 || !strings.Contains(out, "a.py:1:1: note query/match: match X=request.body") {
		t.Errorf("pattern: exit %d\n%s", code, out)
	}
	// The file's ignore comments name the scan's rules, which the query
	// does not run: it says nothing of them.
	if errs != "" {
		t.Errorf("query: stderr %q", errs)
	}
	code, out, _ = residue("query", "--lang", "python", `(call function: (attribute attribute: (identifier) @m (#eq? @m "debug")))`, dir)
	if code != 0 || !strings.Contains(out, "a.py:2:1") || strings.Contains(out, "a.py:1:") {
		t.Errorf("query: exit %d\n%s", code, out)
	}
	if code, _, _ := residue("query", "--lang", "python", "(lambda) @l", dir); code != 1 {
		t.Errorf("no match: exit %d, want 1", code)
	}
	if code, _, errs := residue("query", "--lang", "cobol", "(x)"); code != 2 || !strings.Contains(errs, "--lang must be python or c") {
		t.Errorf("bad lang: exit %d %q", code, errs)
	}
}

func TestConfigRulesDirs(t *testing.T) {
	dir := tree(t, map[string]string{
		".git/HEAD":                "ref: refs/heads/main\n",
		".residue.yml":             "rules-dirs: [policy/rules]\nrules:\n  severity: {team/no-eval: error}\n",
		"policy/rules/no-eval.yml": "id: team/no-eval\nname: NoEval\nlanguage: python\nseverity: note\nsecurity-severity: 8\nprecision: high\nsummary: eval\nhelp: h\nmessage: eval of {{X}}\npattern: eval($X)\n",
		"app/a.py":                 "eval(payload)\n",
	})
	code, out, errs := residue("scan", "--quiet", filepath.Join(dir, "app"))
	if code != 1 || !strings.Contains(out, "app/a.py:1:1: error team/no-eval: eval of payload") {
		t.Errorf("exit %d\n%s%s", code, out, errs)
	}
	// The rules' fixtures are residue test's, not the repository's: a
	// scan of the repository does not report them.
	must(t, os.WriteFile(filepath.Join(dir, "policy", "rules", "no_eval_fixture.py"), []byte("# ruleid: team/no-eval\neval(x)\n"), 0o644))
	code, out, errs = residue("scan", "--quiet", dir)
	if code != 1 || strings.Contains(out, "no_eval_fixture.py") || !strings.Contains(out, "app/a.py") {
		t.Errorf("a scan of the repository: exit %d\n%s%s", code, out, errs)
	}
	// The same folder by --rules too, spelt otherwise, is read once.
	code, out, errs = residue("scan", "--quiet", "--rules", filepath.Join(dir, "policy", "rules")+"/", filepath.Join(dir, "app"))
	if code != 1 || strings.Count(out, "team/no-eval") != 1 {
		t.Errorf("rules-dirs and --rules: exit %d\n%s%s", code, out, errs)
	}
	// analyzer: in a rules directory would never run.
	must(t, os.WriteFile(filepath.Join(dir, "policy", "rules", "extra.yml"), []byte(
		"id: logging/mine\nname: Mine\nlanguage: python\nseverity: note\nsecurity-severity: 8\nprecision: high\nsummary: s\nhelp: h\nanalyzer: logging\n"), 0o644))
	if code, _, errs := residue("scan", dir); code != 2 || !strings.Contains(errs, "policy/rules/extra.yml:1: analyzer: names a built-in analyzer") {
		t.Errorf("analyzer: in a rules directory: exit %d %q", code, errs)
	}
	must(t, os.Remove(filepath.Join(dir, "policy", "rules", "extra.yml")))
	must(t, os.WriteFile(filepath.Join(dir, ".residue.yml"), []byte("rules-dirs: [missing]\n"), 0o644))
	if code, _, errs := residue("scan", dir); code != 2 || !strings.Contains(errs, filepath.Join(dir, ".residue.yml")+":1:14: rules-dirs: missing is not a directory") || strings.Contains(errs, "--rules") {
		t.Errorf("missing rules dir: exit %d %q", code, errs)
	}
}

// TestRulesOfTheConfiguration: rules and explain see the rules a scan of
// the current directory uses: the configuration's rules-dirs and
// severities.
func TestRulesOfTheConfiguration(t *testing.T) {
	dir := tree(t, map[string]string{
		".residue.yml": "rules-dirs: [.residue/rules]\nrules:\n  severity: {my/system: error}\n",
		".residue/rules/system.yml": "id: my/system\nname: System\nlanguage: python\nseverity: note\nsecurity-severity: 5\nprecision: high\n" +
			"summary: os.system runs a shell\nhelp: h\nmessage: os.system runs a shell\npattern: os.system($X)\n",
		"app/a.py": "import os\nos.system(x)\n",
	})
	git(t, dir, "init", "-q")
	t.Chdir(filepath.Join(dir, "app"))
	if code, out, errs := residue("explain", "my/system"); code != 0 || !strings.HasPrefix(out, "my/system (error,") {
		t.Errorf("explain: exit %d, %q %q", code, out, errs)
	}
	if code, out, _ := residue("rules"); code != 0 || !regexp.MustCompile(`(?m)^my/system\s+error\s`).MatchString(out) {
		t.Errorf("rules: exit %d, does not list my/system as an error:\n%s", code, out)
	}
	// What the configuration disables is listed so.
	must(t, os.WriteFile(filepath.Join(dir, ".residue.yml"), []byte("rules-dirs: [.residue/rules]\nrules:\n  disable: [my/system, ctypes]\n"), 0o644))
	if code, out, _ := residue("rules"); code != 0 || !regexp.MustCompile(`(?m)^my/system\s+disabled\s`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^ctypes/call-arity\s+disabled\s`).MatchString(out) || !regexp.MustCompile(`(?m)^logging/request-body\s+warning\s`).MatchString(out) {
		t.Errorf("rules: exit %d, does not list the disabled rules so:\n%s", code, out)
	}
	if code, out, _ := residue("rules", "--format", "json"); code != 0 || strings.Count(out, `"disabled": true`) < 2 {
		t.Errorf("rules --format json: exit %d, no disabled field:\n%s", code, out[:min(len(out), 400)])
	}
	// A configuration that does not load leaves the documentation readable.
	must(t, os.WriteFile(filepath.Join(dir, ".residue.yml"), []byte("rules:\n  severity: {nosuch/rule: error}\n"), 0o644))
	if code, out, errs := residue("explain", "logging/log-injection"); code != 0 || !strings.HasPrefix(out, "logging/log-injection") || !strings.Contains(errs, "warning") {
		t.Errorf("explain with a broken configuration: exit %d, %q, %q", code, out[:min(len(out), 40)], errs)
	}
}

// TestRulePathsTakeDirectories limits a rule with paths that name
// directories as `app/` and `app/tests` do: what they hold, as exclude
// globs in the configuration take them.
func TestRulePathsTakeDirectories(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(example, "debug-true.yml"))
	must(t, err)
	rules := t.TempDir()
	must(t, os.WriteFile(filepath.Join(rules, "debug-true.yml"), append(data, "paths: {include: [\"app/\"], exclude: [app/tests]}\n"...), 0o644))
	dir := tree(t, map[string]string{"app/settings.py": "DEBUG = True\n", "app/tests/settings.py": "DEBUG = True\n", "lib/settings.py": "DEBUG = True\n"})
	code, out, errs := residue("scan", "--quiet", "--no-cache", "--no-builtin", "--rules", rules, dir)
	if code != 1 || !strings.Contains(out, "app/settings.py:1:1: warning example/debug-true") || strings.Count(out, "example/debug-true") != 1 {
		t.Errorf("exit %d, want 1 finding, in app/settings.py:\n%s%s", code, out, errs)
	}
}

// TestTestFindsEveryFixture runs residue test on a folder given through a
// symlink, with fixtures a scan reads whatever their names (.pyi, a
// Python script), a rule whose paths leave out the inline tests' files,
// and two ids that a file name would spell alike: each fixture and each
// snippet is checked.
func TestTestFindsEveryFixture(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(example, "debug-true.yml"))
	must(t, err)
	root := t.TempDir()
	dir := filepath.Join(root, "rules")
	must(t, os.MkdirAll(filepath.Join(dir, "fixtures", "config"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "debug-true.yml"), append(data, "paths: {include: [\"**/config/\"]}\n"...), 0o644))
	twin := func(id, call string) string {
		return "id: " + id + "\nname: Twin\nlanguage: python\nseverity: note\nsecurity-severity: 1.0\nprecision: high\nsummary: s\nhelp: h\n" +
			"message: m\npattern: " + call + "($X)\ntests:\n  bad: [\"" + call + "(1)\"]\n"
	}
	for _, r := range []struct{ file, id, call string }{{"a.yml", "a__b/c", "first"}, {"b.yml", "a/b__c", "second"}} {
		must(t, os.WriteFile(filepath.Join(dir, r.file), []byte(twin(r.id, r.call)), 0o644))
	}
	// Wrong annotations: each fails its rule.
	must(t, os.WriteFile(filepath.Join(dir, "fixtures", "config", "settings.pyi"), []byte("# ok: example/debug-true\nDEBUG = True\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "fixtures", "manage"), []byte("#!/usr/bin/env python3\n# ok: a/b__c\nsecond(1)\n"), 0o644))
	link := filepath.Join(root, "link")
	must(t, os.Symlink("rules", link))
	code, out, errs := residue("test", link)
	for _, want := range []string{
		filepath.Join(link, "fixtures/config/settings.pyi") + ":2: unexpected finding",
		filepath.Join(link, "fixtures/manage") + ":3: unexpected finding",
		"3 rules tested, 2 failed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s%s", want, out, errs)
		}
	}
	if strings.Contains(out, "tests.bad") || strings.Contains(out, "no tests") {
		t.Errorf("an inline test was not checked:\n%s", out)
	}
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
}

// TestTestAnnotationLines reads an annotation after code as about its own
// line, and names an unknown rule at the annotation's line.
func TestTestAnnotationLines(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(example, "debug-true.yml"))
	must(t, err)
	must(t, os.WriteFile(filepath.Join(dir, "debug-true.yml"), data, 0o644))
	fixture := filepath.Join(dir, "settings.py")
	must(t, os.WriteFile(fixture, []byte("DEBUG = True  # ruleid: example/debug-true\nDEBUG = False  # ok: example/debug-true\n"), 0o644))
	if code, out, errs := residue("test", dir); code != 0 {
		t.Errorf("annotations after code: exit %d\n%s%s", code, out, errs)
	}
	must(t, os.WriteFile(fixture, []byte("# ruleid: example/nope\n# ruleid: example/debug-true\nDEBUG = True\n"), 0o644))
	if code, _, errs := residue("test", dir); code != 2 || !strings.Contains(errs, fixture+`:1: annotation names unknown rule "example/nope"`) {
		t.Errorf("unknown rule: exit %d %q", code, errs)
	}
}

// TestTestSaysWhyNothingCouldMatch: a ruleid annotation of a C rule in a
// Python file, and a C snippet that does not parse, fail with the reason
// rather than "got none".
func TestTestSaysWhyNothingCouldMatch(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(example, "c-rules.yml"))
	must(t, err)
	data = []byte(strings.Replace(string(data), `bad: ["void f(char *s) { char d[8]; strcpy(d, s); }"]`, `bad: ["strcpy(d, s"]`, 1))
	must(t, os.WriteFile(filepath.Join(dir, "c-rules.yml"), data, 0o644))
	fixture := filepath.Join(dir, "fixture.py")
	must(t, os.WriteFile(fixture, []byte("# ruleid: example/strcpy\nstrcpy(d, s)\n"), 0o644))
	wantTestFailures(t, dir,
		"example/strcpy: "+fixture+":1: a ruleid annotation of example/strcpy, a C rule, in a Python file, where it never reports",
		"example/strcpy: tests.bad item 1 (\"strcpy(d, s\") is not reported (it does not parse as C, and matches near syntax errors may be missing)")
}

// TestNestedConfigurationsAndPathOrder scans files of two folders, one
// with a configuration of its own: the configuration of the folder that
// holds both applies, whichever file comes first (pre-commit's order).
func TestNestedConfigurationsAndPathOrder(t *testing.T) {
	useTestAnalyzers(t)
	dir := tree(t, map[string]string{
		"sub/.residue.yml": "rules:\n  disable: [test/leak]\n",
		"sub/a.py":         "leak(1)\n",
		"b.py":             "leak(2)\n",
	})
	git(t, dir, "init", "-q")
	t.Chdir(dir)
	for _, order := range [][]string{{"sub/a.py", "b.py"}, {"b.py", "sub/a.py"}} {
		code, out, errs := residue(append([]string{"scan", "--quiet", "--no-cache"}, order...)...)
		if code != 1 || strings.Count(out, "test/leak") != 2 {
			t.Errorf("%q: exit %d, want both findings:\n%s%s", order, code, out, errs)
		}
	}
	// Files of the folder alone: its configuration applies.
	if code, out, errs := residue("scan", "--quiet", "--no-cache", "sub/a.py", "sub"); code != 0 {
		t.Errorf("sub alone: exit %d:\n%s%s", code, out, errs)
	}
}

// TestNaturalOrder: residue test lists failures line 8 before line 10.
func TestNaturalOrder(t *testing.T) {
	got := []string{"x: f.py:10: a", "x: f.py:8: a", "x: f.py:9: b", "x: e.py:100: a", "x: tests.bad[2]", "x: tests.bad[10]"}
	slices.SortFunc(got, naturalCompare)
	want := []string{"x: e.py:100: a", "x: f.py:8: a", "x: f.py:9: b", "x: f.py:10: a", "x: tests.bad[2]", "x: tests.bad[10]"}
	if !slices.Equal(got, want) {
		t.Errorf("%q, want %q", got, want)
	}
}

// TestQuietKeepsErrors: --quiet leaves out warnings and the summary, not
// the error of an incomplete scan (a query that dropped matches in
// progress), which the run's last line points at.
func TestQuietKeepsErrors(t *testing.T) {
	head := "id: t/pair\nname: Pair\nlanguage: python\nseverity: note\nsecurity-severity: 1\nprecision: low\nsummary: s\nhelp: h\nmessage: m\n"
	dir := tree(t, map[string]string{
		"rules/pair.yml": head + "query: (list (identifier) @a (string) @finding)\n",
		"app/a.py":       "x = [" + strings.Repeat("a, ", 1100) + "]\n",
	})
	code, _, errs := residue("scan", "--quiet", "--no-cache", "--no-builtin", "--rules", filepath.Join(dir, "rules"), filepath.Join(dir, "app"))
	if code != 2 || !strings.Contains(errs, "error: a query held more than 1024 matches in progress") || !strings.Contains(errs, "1 error above") {
		t.Errorf("--quiet with an error: exit %d, %q", code, errs)
	}
}
