package driver

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/analyzertest/testanalyzers"
)

func scanFacts(t *testing.T, root string, paths ...string) *Result {
	t.Helper()
	res, err := Run(Config{Analyzers: []*analyzers.Analyzer{testanalyzers.Facts}, Rules: testanalyzers.Rules(),
		Paths: paths, Root: root, Jobs: 2, WarnUnusedIgnores: true})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestFinishSeesEveryFilesFacts(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"app/a.py":   "def view():\n    call_helper()\n    call_missing()\n",
		"lib/b.py":   "def helper():\n    call_nothing()\n",
		"lib/c.py":   "def helper():  # residue: ignore[test/duplicate] -- on purpose\n    pass\n\n\ndef view():\n    pass\n",
		"lib/d.py":   "x = 1  # residue: ignore\n",
		"notes.txt":  "def helper",
		"other/e.py": "y = 2\n",
	})
	whole := scanFacts(t, dir, dir)
	got, notes := summary(whole)
	want := []string{
		"app/a.py:3:5 test/undefined",
		"lib/b.py:2:5 test/undefined",
		"lib/c.py:1:5 test/duplicate suppressed",
		"lib/c.py:5:5 test/duplicate",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("whole repository:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if strings.Join(notes, "\n") != "lib/d.py:1: warning: residue: ignore comment matches no finding" {
		t.Errorf("notes: %q", notes)
	}
	for _, f := range whole.Findings {
		if f.Fingerprint == "" || f.Level == "" {
			t.Errorf("incomplete finding %+v", f)
		}
	}

	// Scanning one file still sees the other files' facts (helper is
	// defined in lib/b.py), and reports nothing in them.
	one := scanFacts(t, dir, filepath.Join(dir, "app", "a.py"))
	got, _ = summary(one)
	if strings.Join(got, "|") != "app/a.py:3:5 test/undefined" || one.FilesScanned != 1 {
		t.Errorf("one file: %q, %d files scanned", got, one.FilesScanned)
	}
}

func TestFinishUpdateLowersOnly(t *testing.T) {
	dir := writeTree(t, map[string]string{"a.py": "def f():\n    call_note_x()\n    call_y()\n"})
	res := scanFacts(t, dir, dir)
	if len(res.Findings) != 2 {
		t.Fatalf("findings %+v", res.Findings)
	}
	lowered, kept := res.Findings[0], res.Findings[1]
	if lowered.Level != "note" || lowered.Message != "note_x is not defined (lowered)" || lowered.Fingerprint == "" || lowered.Location.StartLine != 2 {
		t.Errorf("lowered finding %+v", lowered)
	}
	if kept.Level != "warning" || kept.Message != "y is not defined" {
		t.Errorf("untouched finding %+v", kept)
	}
}

func TestFinishPanicIsANotification(t *testing.T) {
	dir := writeTree(t, map[string]string{"a.py": "def finish_panics():\n    call_x()\n"})
	res := scanFacts(t, dir, dir)
	_, notes := summary(res)
	if len(notes) != 1 || !strings.Contains(notes[0], "error: analyzer testfacts panicked in its Finish step: finish boom") {
		t.Errorf("notes %q", notes)
	}
	if len(res.Findings) != 1 {
		t.Errorf("the Run findings must survive a Finish panic: %d", len(res.Findings))
	}
}
