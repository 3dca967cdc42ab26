package driver

import (
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/analyzertest/testanalyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

func scanModels(t *testing.T, root string, jobs int, paths ...string) *Result {
	t.Helper()
	res, err := Run(Config{Analyzers: []*analyzers.Analyzer{testanalyzers.Calls}, Rules: testanalyzers.Rules(),
		Paths: paths, Root: root, Jobs: jobs, WarnUnusedIgnores: true})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// modelTree is a repository where app/views.py imports lib/a.py, which
// imports lib/b.py, which names no import: b is read only because a needs
// it, in the second round.
var modelTree = map[string]string{
	"app/views.py": "import lib.a\n\ndef view():\n    helper()\n    other()\n    deep()\n    local()\n    deep()  # residue: ignore[test/imported-call] -- known\n\ndef local():\n    pass\n",
	"lib/a.py":     "import lib.b\n\ndef helper():\n    deep()\n",
	"lib/b.py":     "def deep():\n    pass\n#@def other():\n#@  pass\n",
	"lib/c.py":     "def unused():\n    pass\n",
}

func TestModelPhaseFollowsNeeds(t *testing.T) {
	dir := writeTree(t, modelTree)
	res := scanModels(t, dir, 2, dir)
	got, notes := summary(res)
	want := []string{
		"app/views.py:4:5 test/imported-call",
		"app/views.py:5:5 test/imported-call",
		"app/views.py:6:5 test/imported-call",
		"app/views.py:8:5 test/imported-call suppressed",
		"lib/a.py:4:5 test/imported-call",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(notes) != 0 {
		t.Errorf("notes: %q", notes)
	}
	for _, f := range res.Findings {
		if f.Function == "" || f.Fingerprint == "" || f.Level != "warning" || f.Location.Snippet == "" || f.Related[0].Snippet == "" {
			t.Errorf("incomplete finding %+v", f)
		}
	}
	// other() is defined in a configuration of lib/b.py that Extract
	// parsed again.
	if msg := res.Findings[1].Message; msg != "other is defined in lib/b.py" {
		t.Errorf("message %q", msg)
	}
	// lib/c.py is never parsed: nothing names it.
	if res.FilesParsed != 3 || res.FilesScanned != 4 {
		t.Errorf("%d files parsed, %d scanned; want 3 and 4", res.FilesParsed, res.FilesScanned)
	}

	// One scanned file still sees the modules it imports, and is the
	// only one reported on.
	one := scanModels(t, dir, 1, filepath.Join(dir, "app", "views.py"))
	got, _ = summary(one)
	if strings.Join(got, "|") != strings.Join(want[:4], "|") {
		t.Errorf("one file: %q", got)
	}
}

func TestModelPhaseIsDeterministic(t *testing.T) {
	files := map[string]string{}
	for i := range 40 {
		mod := "m" + string(rune('a'+i%26)) + strings.Repeat("x", i/26)
		files["pkg/"+mod+".py"] = "import pkg.base\n\ndef " + mod + "():\n    base()\n"
	}
	files["pkg/base.py"] = "def base():\n    pass\n"
	dir := writeTree(t, files)
	a, _ := summary(scanModels(t, dir, 1, dir))
	b, _ := summary(scanModels(t, dir, 4, dir))
	if len(a) != 40 || !reflect.DeepEqual(a, b) {
		t.Errorf("jobs 1 gives %d findings, jobs 4 %d, or they differ", len(a), len(b))
	}
}

func TestModelPhasePanicsAreNotes(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"a.py": "import b\n# PANIC_EXTRACT\nhelper()\n",
		"b.py": "def helper():\n    pass\n",
		"c.py": "import b\n# PANIC_CHECK\nhelper()\n",
		"d.py": "import b\nhelper()\n",
	})
	got, notes := summary(scanModels(t, dir, 2, dir))
	if strings.Join(got, "|") != "d.py:2:1 test/imported-call" {
		t.Errorf("findings %q", got)
	}
	joined := strings.Join(notes, "\n")
	if !strings.Contains(joined, "a.py: error: model testdefs panicked: extract panics") ||
		!strings.Contains(joined, "c.py: error: analyzer testcalls panicked in its Check step: check panics") {
		t.Errorf("notes:\n%s", joined)
	}
}

// TestCheckFindingsAreCapped: an analyzer's Check reports at most
// MaxMatches findings per file, and says that it left the rest out.
func TestCheckFindingsAreCapped(t *testing.T) {
	views := "import lib.a\n\ndef view():\n" + strings.Repeat("    helper()\n", 9)
	dir := writeTree(t, map[string]string{"app/views.py": views, "lib/a.py": "def helper():\n    pass\n"})
	res, err := Run(Config{Analyzers: []*analyzers.Analyzer{testanalyzers.Calls}, Rules: testanalyzers.Rules(),
		Paths: []string{dir}, Root: dir, MaxMatches: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 4 {
		t.Errorf("%d findings, want 4", len(res.Findings))
	}
	var notes []string
	for _, n := range res.Notifications {
		notes = append(notes, n.Path+": "+n.Message)
	}
	if want := []string{"app/views.py: more than 4 findings; the rest were left out"}; !reflect.DeepEqual(notes, want) {
		t.Errorf("notes %q, want %q", notes, want)
	}
}

// pathPart is a part that holds its file's path only.
type pathPart string

func (p pathPart) Path() string    { return string(p) }
func (p pathPart) Needs() []string { return nil }

// TestCheckRunsWhileOtherModelsBuild: a C file's check runs once the C
// model is built, while the Python model is still being built; a Python
// file's check starts once the Python model is built. The Python model's
// Build waits for the C file's check (with a generous bound, so that the
// test fails instead of hanging when checks only start after every Build).
func TestCheckRunsWhileOtherModelsBuild(t *testing.T) {
	checked := make(chan struct{})
	var pyBuilt atomic.Bool
	extract := func(pass *analyzers.ExtractPass) (analyzers.Part, error) { return pathPart(pass.Syntax.Path), nil }
	cModel := &analyzers.Model{Name: "testc", Language: source.C, Extract: extract,
		Build: func(*analyzers.BuildPass) (any, error) { return true, nil }}
	pyModel := &analyzers.Model{Name: "testpy", Language: source.Python, Extract: extract,
		Build: func(*analyzers.BuildPass) (any, error) {
			defer pyBuilt.Store(true)
			select {
			case <-checked:
				return true, nil
			case <-time.After(time.Minute):
				return false, nil
			}
		}}
	var overlapped, early bool
	a := &analyzers.Analyzer{Name: "testoverlap", Languages: []source.Language{source.C, source.Python},
		Uses: []*analyzers.Model{cModel, pyModel},
		Check: func(pass *analyzers.CheckPass) error {
			if strings.HasSuffix(pass.Path, ".c") {
				if pass.Model(cModel) == true {
					close(checked)
				}
				return nil
			}
			early = !pyBuilt.Load()
			overlapped = pass.Model(pyModel) == true
			return nil
		}}
	dir := writeTree(t, map[string]string{"a.py": "x = 1\n", "b.c": "int x;\n"})
	if _, err := Run(Config{Analyzers: []*analyzers.Analyzer{a}, Paths: []string{dir}, Root: dir, Jobs: 2}); err != nil {
		t.Fatal(err)
	}
	if !overlapped {
		t.Error("the C file was checked only after the Python model was built")
	}
	if early {
		t.Error("the Python file's check started before the Python model was built")
	}
}

// TestModelPhaseBackstop: a model whose Build never ends, or a Check step
// that never returns, is left behind once the model phase's backstop
// passes: the run keeps the per-file findings and those of the checks
// that finished, and says with an error what it left unfinished.
func TestModelPhaseBackstop(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	extract := func(pass *analyzers.ExtractPass) (analyzers.Part, error) { return pathPart(pass.Syntax.Path), nil }
	hang := func(*analyzers.BuildPass) (any, error) { <-release; return true, nil }
	built := func(*analyzers.BuildPass) (any, error) { return true, nil }
	checker := func(cModel, pyModel *analyzers.Model, hangIn string) *analyzers.Analyzer {
		return &analyzers.Analyzer{Name: "testchecker", Languages: []source.Language{source.C, source.Python},
			Rules: []string{"test/cleak"}, Uses: []*analyzers.Model{cModel, pyModel},
			Check: func(pass *analyzers.CheckPass) error {
				if hangIn != "" && strings.HasSuffix(pass.Path, hangIn) {
					<-release
				}
				m := cModel
				if strings.HasSuffix(pass.Path, ".py") {
					m = pyModel
				}
				if pass.Model(m) == true {
					pass.Report(analyzers.Finding{RuleID: "test/cleak", Message: "checked", Location: analyzers.Location{Range: source.Range{EndByte: 1}}})
				}
				return nil
			}}
	}
	dir := writeTree(t, map[string]string{"a.py": "leak(1)\n", "b.c": "int f(void) { return leak(2); }\n", "c.c": "int x;\n"})
	for _, tc := range []struct {
		name       string
		pyBuild    func(*analyzers.BuildPass) (any, error)
		hangIn     string
		wantChecks []string
		wantNotes  []string
	}{
		{"a Build that never ends", hang, "", []string{"b.c", "c.c"}, []string{
			": error: model testpy still building after 200ms, a wall-clock backstop",
			"a.py: error: the model phase's check of this file did not finish within 200ms, a wall-clock backstop"}},
		{"a Check that never returns", built, "c.c", []string{"a.py", "b.c"}, []string{
			"c.c: error: the model phase's check of this file did not finish within 200ms, a wall-clock backstop"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cModel := &analyzers.Model{Name: "testc", Language: source.C, Extract: extract, Build: built}
			pyModel := &analyzers.Model{Name: "testpy", Language: source.Python, Extract: extract, Build: tc.pyBuild}
			as := []*analyzers.Analyzer{testanalyzers.Leak, testanalyzers.CLeak, checker(cModel, pyModel, tc.hangIn)}
			res, err := Run(Config{Analyzers: as, Rules: testanalyzers.Rules(), Paths: []string{dir}, Root: dir, Jobs: 2, ModelTimeout: 200 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			var checks, perFile []string
			for _, f := range res.Findings {
				if f.Message == "checked" {
					checks = append(checks, f.Location.Path)
				} else {
					perFile = append(perFile, f.Location.Path)
				}
			}
			if !slices.Equal(checks, tc.wantChecks) || !slices.Equal(perFile, []string{"a.py", "b.c"}) {
				t.Errorf("checked %q, per-file findings in %q; want checked %q and per-file findings in a.py and b.c", checks, perFile, tc.wantChecks)
			}
			_, notes := summary(res)
			if len(notes) != len(tc.wantNotes) || !slices.EqualFunc(notes, tc.wantNotes, strings.HasPrefix) {
				t.Errorf("notifications %q, want those that start %q", notes, tc.wantNotes)
			}
		})
	}
}

// TestModelPhaseStraggler: a Build that ends just after the backstop
// hands its results to no one; the run's report is the backstop's, and
// the goroutine left behind writes nothing the run reads (go test -race).
func TestModelPhaseStraggler(t *testing.T) {
	extract := func(pass *analyzers.ExtractPass) (analyzers.Part, error) { return pathPart(pass.Syntax.Path), nil }
	ended := make(chan struct{})
	slow := func(*analyzers.BuildPass) (any, error) {
		defer close(ended)
		time.Sleep(300 * time.Millisecond)
		return true, nil
	}
	pyModel := &analyzers.Model{Name: "testpy", Language: source.Python, Extract: extract, Build: slow}
	a := &analyzers.Analyzer{Name: "testchecker", Languages: []source.Language{source.Python},
		Rules: []string{"test/leak"}, Uses: []*analyzers.Model{pyModel},
		Check: func(pass *analyzers.CheckPass) error { return nil }}
	dir := writeTree(t, map[string]string{"a.py": "leak(1)\n"})
	res, err := Run(Config{Analyzers: []*analyzers.Analyzer{testanalyzers.Leak, a}, Rules: testanalyzers.Rules(),
		Paths: []string{dir}, Root: dir, Jobs: 2, ModelTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	<-ended
	time.Sleep(50 * time.Millisecond) // the straggler hands its results over
	_, notes := summary(res)
	if len(res.Findings) != 1 || len(notes) != 2 || !strings.Contains(notes[0], "model testpy still building") {
		t.Errorf("findings %d, notifications %q; want the per-file finding, the model's error and the check's", len(res.Findings), notes)
	}
}
