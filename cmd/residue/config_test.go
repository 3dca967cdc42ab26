package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/analyzertest/testanalyzers"
	"github.com/residue-sec/residue/analyzers/config"
	"github.com/residue-sec/residue/analyzers/rule"
	"github.com/residue-sec/residue/analyzers/source"
)

// scanCase is one scan and what its text output must and must not show.
type scanCase struct {
	name     string
	args     []string
	code     int
	contains []string
	absent   []string
}

func (tc scanCase) check(t *testing.T) {
	t.Helper()
	code, out, errs := residue(tc.args...)
	if code != tc.code {
		t.Errorf("%s: exit %d, want %d\n%s%s", tc.name, code, tc.code, out, errs)
	}
	for _, s := range tc.contains {
		if !strings.Contains(out+errs, s) {
			t.Errorf("%s: output lacks %q:\n%s%s", tc.name, s, out, errs)
		}
	}
	for _, s := range tc.absent {
		if strings.Contains(out+errs, s) {
			t.Errorf("%s: output has %q:\n%s%s", tc.name, s, out, errs)
		}
	}
}

func TestConfigFile(t *testing.T) {
	useTestAnalyzers(t)
	dir := tree(t, map[string]string{
		".git/HEAD":          "ref: refs/heads/main\n",
		".residue.yml":       "exclude: [\"tests/**\"]\nrules:\n  severity: {test/leak: error}\n",
		"app/a.py":           "leak(1)\n",
		"app/big.py":         "leak(2)  # " + strings.Repeat("x", 100) + "\n",
		"tests/t.py":         "leak(3)\n",
		"native/n.c":         "void f(void) { leak(4); }\n",
		"other.yml":          "include: [\"tests/**\"]\nrules:\n  disable: [test/leak]\n",
		"sizes.yml":          "max-file-size: 50\n",
		"cleak.yml":          "rules:\n  disable: [test/cleak]\n  severity: {test: note}\n",
		"bad/.residue.yml":   "exclude: [a]\nrulez: {}\n",
		"bad/b.py":           "leak(5)\n",
		"svc/.residue.yml":   "rules:\n  disable: [test]\n",
		"svc/app/views.py":   "leak(6)\n",
		"svc/other/views.py": "leak(7)\n",
	})
	in := func(p string) string { return filepath.Join(dir, p) }
	for _, tc := range []scanCase{
		{"config found at the root", []string{"scan", dir}, 1,
			[]string{"app/a.py:1:1: error test/leak", "native/n.c:1:16: warning test/cleak"}, []string{"tests/t.py"}},
		{"excludes apply to files named on the command line", []string{"scan", in("tests/t.py")}, 0,
			[]string{"no findings in 0 files"}, []string{"tests/t.py:"}},
		{"--exclude adds to the configuration's", []string{"scan", "--exclude", "native/**", dir}, 1,
			[]string{"app/a.py"}, []string{"native/n.c", "tests/t.py"}},
		{"found upward from a subfolder", []string{"scan", in("app")}, 1,
			[]string{"app/a.py:1:1: error test/leak"}, nil},
		{"--config replaces it", []string{"scan", "--config", in("other.yml"), dir}, 0,
			[]string{"no findings in 1 file"}, []string{"test/leak"}},
		{"--include replaces the configuration's include", []string{"scan", "--config", in("other.yml"), "--include", "native/**", dir}, 1,
			[]string{"native/n.c"}, []string{"tests/t.py"}},
		{"family severity and disabled rule", []string{"scan", "--config", in("cleak.yml"), dir}, 1,
			[]string{"app/a.py:1:1: note test/leak"}, []string{"native/n.c"}},
		{"re-levelled rules meet --severity", []string{"scan", "--severity", "error", dir}, 1,
			[]string{"app/a.py:1:1: error test/leak"}, []string{"native/n.c"}},
		{"max-file-size", []string{"scan", "--config", in("sizes.yml"), in("app")}, 1,
			[]string{"app/big.py: warning: skipped:", "app/a.py:1:1"}, nil},
		{"--max-file-size overrides it", []string{"scan", "--config", in("sizes.yml"), "--max-file-size", "1000", in("app")}, 1,
			[]string{"app/big.py:1:1"}, []string{"skipped"}},
		{"the nearest file wins", []string{"scan", in("svc/app")}, 0, []string{"no findings"}, []string{"views.py:"}},
		{"unknown key", []string{"scan", in("bad")}, 2,
			[]string{"bad/.residue.yml:2:1: unknown key \"rulez\": did you mean \"rules\"?"}, []string{"b.py"}},
		{"missing --config", []string{"scan", "--config", in("nope.yml"), dir}, 2,
			[]string{"nope.yml: cannot read the configuration file: no such file or directory"}, nil},
	} {
		tc.check(t)
	}
}

// settingsAnalyzer reports every leak() call whose argument is not one of
// its "allowed" settings, to show that settings reach the analyzers.
var settingsAnalyzer = &analyzers.Analyzer{
	Name:        "testsettings",
	Doc:         "reports leak(X) unless X is allowed",
	Languages:   []source.Language{source.Python},
	Rules:       []string{"test/settings"},
	Prefilter:   []string{"leak"},
	SettingKeys: map[string]string{"allowed": "arguments leak() may take"},
	Queries: map[source.Language]string{
		source.Python: `(call function: (identifier) @fn arguments: (argument_list (identifier) @arg) (#eq? @fn "leak")) @call`,
	},
	Run: func(pass *analyzers.Pass) error {
		for _, m := range pass.Matches {
			arg := pass.File.Text(m.Node("arg"))
			if !strings.Contains(","+strings.Join(pass.Settings["allowed"], ",")+",", ","+arg+",") {
				pass.Reportf("test/settings", m.Node("call"), "leak(%s) is not allowed", arg)
			}
		}
		return nil
	},
}

func TestAnalyzerSettings(t *testing.T) {
	oldReg, oldRules := registry, loadRules
	t.Cleanup(func() { registry, loadRules = oldReg, oldRules })
	registry = func() []*analyzers.Analyzer { return []*analyzers.Analyzer{settingsAnalyzer} }
	loadRules = func() (*rule.Set, error) {
		return rule.NewSet([]*rule.Rule{{ID: "test/settings", Name: "Settings", Language: "python", Severity: "warning",
			Precision: "high", Summary: "s", Help: "h", Analyzer: "testsettings"}})
	}
	dir := tree(t, map[string]string{
		"a.py":         "leak(body)\nleak(token)\nleak(path)\n",
		".residue.yml": "analyzers:\n  testsettings:\n    allowed: [path, body]\n",
		"bad.yml":      "analyzers:\n  testsettings:\n    alowed: [x]\n",
	})
	for _, tc := range []scanCase{
		{"settings from the configuration", []string{"scan", dir}, 1,
			[]string{"a.py:2:1: warning test/settings: leak(token) is not allowed"}, []string{"leak(body)", "leak(path)"}},
		{"without them", []string{"scan", "--config", os.DevNull, dir}, 1,
			[]string{"leak(body) is not allowed", "leak(token) is not allowed", "leak(path) is not allowed"}, nil},
		{"unknown setting", []string{"scan", "--config", filepath.Join(dir, "bad.yml"), dir}, 2,
			[]string{"bad.yml:3:5: unknown key \"alowed\": did you mean \"allowed\"?"}, nil},
	} {
		tc.check(t)
	}
}

func TestInit(t *testing.T) {
	useTestAnalyzers(t)
	dir := tree(t, map[string]string{"a.py": "leak(1)\n"})
	path := filepath.Join(dir, config.FileName)
	code, out, errs := residue("init", dir)
	if code != 0 || out != "wrote "+path+"\n" {
		t.Fatalf("init: exit %d %q %q", code, out, errs)
	}
	data, err := os.ReadFile(path)
	must(t, err)
	if want := config.Starter(config.Known{Rules: testanalyzers.Rules(), Analyzers: testanalyzers.All}); string(data) != string(want) {
		t.Errorf("init wrote something else than the starter file:\n%s", data)
	}
	// The starter changes nothing: the scan is as without it.
	if code, out, _ := residue("scan", dir); code != 1 || !strings.Contains(out, "a.py:1:1: warning test/leak") {
		t.Errorf("scan with the starter file: exit %d\n%s", code, out)
	}
	must(t, os.WriteFile(path, []byte("exclude: [a.py]\n"), 0o644))
	if code, _, errs := residue("init", dir); code != 2 || !strings.Contains(errs, "already exists; use --force") {
		t.Errorf("init over an existing file: exit %d %q", code, errs)
	}
	if data, _ := os.ReadFile(path); string(data) != "exclude: [a.py]\n" {
		t.Error("init without --force changed the existing file")
	}
	if code, _, errs := residue("init", "--force", dir); code != 0 {
		t.Errorf("init --force: exit %d %q", code, errs)
	}
	if data, _ := os.ReadFile(path); !strings.HasPrefix(string(data), "# residue configuration.") {
		t.Errorf("init --force did not overwrite:\n%s", data)
	}
	if code, _, errs := residue("init", filepath.Join(dir, "a.py")); code != 2 || !strings.Contains(errs, "is not a directory") {
		t.Errorf("init into a file: exit %d %q", code, errs)
	}
	t.Chdir(dir)
	must(t, os.Remove(path))
	if code, out, _ := residue("init"); code != 0 || out != "wrote .residue.yml\n" {
		t.Errorf("init in the current directory: exit %d %q", code, out)
	}
}

func TestNamedFilesAreRelativeToGitRoot(t *testing.T) {
	useTestAnalyzers(t)
	dir := tree(t, map[string]string{".git/HEAD": "ref: refs/heads/main\n", "svc/app/views.py": "leak(1)\n", "svc/lib.py": "leak(2)\n"})
	t.Chdir(filepath.Join(dir, "svc", "app"))
	code, out, _ := residue("scan", "--quiet", "views.py", "../lib.py")
	if code != 1 || !strings.HasPrefix(out, "svc/app/views.py:1:1:") || !strings.Contains(out, "\nsvc/lib.py:1:1:") {
		t.Errorf("exit %d, paths not relative to the git root:\n%s", code, out)
	}
}
