package driver

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/analyzertest/testanalyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// TestMemoryGateBoundsParallelBytes analyzes files that together exceed
// the budget of bytes in analysis on four workers: no two of them are
// ever analyzed at once. (Without the gate, four workers analyze four
// files at once.)
func TestMemoryGateBoundsParallelBytes(t *testing.T) {
	old := parallelBytes
	parallelBytes = 64 << 10
	t.Cleanup(func() { parallelBytes = old })
	var inFlight, most atomic.Int64
	watch := *testanalyzers.Leak
	run := watch.Run
	watch.Run = func(pass *analyzers.Pass) error {
		n := inFlight.Add(int64(len(pass.File.Src)))
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		for range 20000 {
			runtime.Gosched() // give the other workers every chance to start
		}
		inFlight.Add(-int64(len(pass.File.Src)))
		return run(pass)
	}
	files := map[string]string{}
	for i := range 8 {
		files[fmt.Sprintf("m%d.py", i)] = "leak(1)\n" + strings.Repeat("x = 1\n", 40<<10/6)
	}
	dir := writeTree(t, files)
	res, err := Run(Config{Analyzers: []*analyzers.Analyzer{&watch}, Rules: testanalyzers.Rules(), Paths: []string{dir}, Root: dir, Jobs: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 8 {
		t.Errorf("%d findings, want 8", len(res.Findings))
	}
	if got := most.Load(); got > int64(parallelBytes) {
		t.Errorf("%d bytes analyzed at once, want at most %d", got, parallelBytes)
	}
}

// TestFindingsPerFileAreCapped keeps the first findings of an analyzer in
// a file and counts the rest in a warning.
func TestFindingsPerFileAreCapped(t *testing.T) {
	old := maxFileFindings
	maxFileFindings = 3
	t.Cleanup(func() { maxFileFindings = old })
	dir := writeTree(t, map[string]string{"a.py": strings.Repeat("leak(1)\n", 5)})
	findings, notes := summary(scan(t, dir, 1))
	if len(findings) != 3 || fmt.Sprint(notes) != "[a.py: warning: analyzer testleak: 2 findings past the first 3 of this file left out]" {
		t.Errorf("findings %q, notifications %q", findings, notes)
	}
}

// TestQueryStepLimit cuts a query pass after a number of matches, the
// same on any machine, with an error: findings may be missing.
func TestQueryStepLimit(t *testing.T) {
	dir := writeTree(t, map[string]string{"a.py": strings.Repeat("leak(1)\n", 20)})
	res, err := Run(Config{Analyzers: testanalyzers.All, Rules: testanalyzers.Rules(), Paths: []string{dir}, Root: dir, MaxQuerySteps: 5})
	if err != nil {
		t.Fatal(err)
	}
	findings, notes := summary(res)
	if len(findings) != 5 || fmt.Sprint(notes) != "[a.py: error: query pass stopped after 5 matches of all rules together (a node of a shape counts once for each rule of that shape); findings may be missing]" {
		t.Errorf("findings %q, notifications %q", findings, notes)
	}
}

// TestSkippedFilesAreCounted counts the files that were not analyzed (too
// deep, binary, stopped by the parse backstop, too big) as skipped, not as
// scanned, and says when the wall-clock backstop cut one.
func TestSkippedFilesAreCounted(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"ok.py":     "leak(1)\n",
		"deep.py":   "leak" + strings.Repeat("(", 5000) + strings.Repeat(")", 5000) + "\n",
		"binary.py": "\x00\x01\x02\x03leak(1)",
		"big.py":    strings.Repeat("x = 1\n", 2000),
	})
	res, err := Run(Config{Analyzers: testanalyzers.All, Rules: testanalyzers.Rules(), Paths: []string{dir}, Root: dir, MaxFileSize: 10000})
	if err != nil {
		t.Fatal(err)
	}
	if res.FilesScanned != 1 || res.FilesSkipped != 3 {
		t.Errorf("%d scanned, %d skipped; want 1 and 3", res.FilesScanned, res.FilesSkipped)
	}
	// A parse that outlives the backstop (an absurdly short one here) is a
	// skipped file, and the error says the backstop was wall-clock time:
	// the run is incomplete, by the machine's load.
	slow := writeTree(t, map[string]string{"slow.py": strings.Repeat("leak([1, 2, (3, 4)])\n", 50000)})
	res, err = Run(Config{Analyzers: testanalyzers.All, Rules: testanalyzers.Rules(), Paths: []string{slow}, Root: slow, ParseTimeout: time.Microsecond})
	if err != nil {
		t.Fatal(err)
	}
	_, notes := summary(res)
	if res.FilesScanned != 0 || res.FilesSkipped != 1 || len(notes) != 1 || !strings.Contains(notes[0], "error: skipped: parse still running") || !strings.Contains(notes[0], "a wall-clock backstop") {
		t.Errorf("%d scanned, %d skipped, notifications %q", res.FilesScanned, res.FilesSkipped, notes)
	}
}

// TestLimitsCountWork checks that the defaults that decide what a scan
// finds count work, and that the wall-clock limits are backstops far
// beyond what a file within the size cap needs (about a second).
func TestLimitsCountWork(t *testing.T) {
	var c Config
	c.setDefaults()
	if c.MaxQuerySteps == 0 || c.MaxMatches == 0 || c.MaxDepth == 0 {
		t.Errorf("work limits unset: %+v", c)
	}
	if c.ParseTimeout < time.Minute || c.FileTimeout < time.Minute {
		t.Errorf("wall-clock backstops %s and %s, want minutes", c.ParseTimeout, c.FileTimeout)
	}
}

// TestTooDeepModelledFile: a file a model wants is measured on its
// snapshot; too deep, it is skipped with the one notification a file no
// model wants gets, and yields no part. A file nested as deep by what the
// guess from its bytes does not count (a chain of `not`) is analyzed, as
// a file no model wants is.
func TestTooDeepModelledFile(t *testing.T) {
	deep := strings.Repeat("[", 3000) + strings.Repeat("]", 3000)
	dir := writeTree(t, map[string]string{
		"app/deep.py": "import os\ndef f():\n    return " + deep + "\n",
		"app/ok.py":   "import os\ndef g():\n    leak(1)\n",
	})
	res, err := Run(Config{Analyzers: cachedAnalyzers, Rules: testanalyzers.Rules(), Paths: []string{dir}, Root: dir, Jobs: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, notes := summary(res)
	want := []string{"app/deep.py: warning: skipped: syntax nested deeper than 2000 levels"}
	if !slices.Equal(notes, want) {
		t.Errorf("notifications:\n%s\nwant:\n%s", strings.Join(notes, "\n"), strings.Join(want, "\n"))
	}
	if res.FilesSkipped != 1 || len(res.Findings) != 1 {
		t.Errorf("%d files skipped, %d findings; want 1 and 1 (ok.py's leak)", res.FilesSkipped, len(res.Findings))
	}
	// Keywords nest as operators do: chains of them past the limit are
	// skipped too, with a model (import os) or without, and a chain within
	// it is analyzed.
	for _, chain := range []string{strings.Repeat("not ", 2100) + "x", "a" + strings.Repeat(" and a", 2100), "a" + strings.Repeat(" if c else a", 2100)} {
		for _, src := range []string{"import os\ndef f():\n    leak(1)\n    return " + chain + "\n", "def f():\n    leak(1)\n    return " + chain + "\n"} {
			dir := writeTree(t, map[string]string{"app/chain.py": src})
			res, err := Run(Config{Analyzers: cachedAnalyzers, Rules: testanalyzers.Rules(), Paths: []string{dir}, Root: dir, Jobs: 1})
			if err != nil {
				t.Fatal(err)
			}
			if _, notes := summary(res); res.FilesSkipped != 1 || len(res.Findings) != 0 || len(notes) != 1 || !strings.Contains(notes[0], "nested deeper than 2000") {
				t.Errorf("%q…: %d skipped, %d findings (%q); want the file skipped as too deep", src[:30], res.FilesSkipped, len(res.Findings), notes)
			}
		}
	}
	short := "def f():\n    leak(1)\n    return " + strings.Repeat("not ", 500) + "x\n"
	dir = writeTree(t, map[string]string{"app/chain.py": short})
	if res, err := Run(Config{Analyzers: cachedAnalyzers, Rules: testanalyzers.Rules(), Paths: []string{dir}, Root: dir, Jobs: 1}); err != nil || res.FilesSkipped != 0 || len(res.Findings) != 1 {
		t.Errorf("a chain within the limit: %v, %+v", err, res)
	}
}

// TestTooManyNodes: a file a model wants whose tree has more nodes than a
// snapshot holds is not modelled: skipped, and counted and named as
// skipped files are, unless a Run step (users' rules) wants it, which
// still runs, with a warning that says the families do not.
func TestTooManyNodes(t *testing.T) {
	defer func(n int) { maxSnapshotNodes = n }(maxSnapshotNodes)
	maxSnapshotNodes = 1000
	big := "import os\nx = [" + strings.Repeat("1, ", 600) + "]\n"
	dir := writeTree(t, map[string]string{
		"app/big.py":   big,
		"app/rules.py": big + "leak(1)\n",
		"app/ok.py":    "import os\ndef g():\n    leak(2)\n",
	})
	res, err := Run(Config{Analyzers: cachedAnalyzers, Rules: testanalyzers.Rules(), Paths: []string{dir}, Root: dir, Jobs: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, notes := summary(res)
	want := []string{
		"app/big.py: warning: skipped: more than 1000 syntax nodes",
		"app/rules.py: warning: only pattern and query rules analyze it: more than 1000 syntax nodes",
	}
	if !slices.Equal(notes, want) {
		t.Errorf("notifications:\n%s\nwant:\n%s", strings.Join(notes, "\n"), strings.Join(want, "\n"))
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.Location.Path)
	}
	if res.FilesScanned != 2 || res.FilesSkipped != 1 || !slices.Equal(got, []string{"app/ok.py", "app/rules.py"}) {
		t.Errorf("%d scanned, %d skipped, findings in %q; want 2, 1, ok.py's and rules.py's", res.FilesScanned, res.FilesSkipped, got)
	}
}

// TestOldMacLineEndings: a file whose lines end in a lone carriage return
// (which CPython and C compilers accept) is parsed and reported line by
// line, as with line feeds: a comment ends at its line, findings have
// their lines and snippets, and an ignore comment suppresses its line's.
func TestOldMacLineEndings(t *testing.T) {
	files := map[string]string{
		"app/a.py": "import os  # setup\rleak(1)\r\rleak(2)  # residue: ignore\rleak(3)\r# residue: ignore\rleak(4)\r",
		"app/b.c":  "// setup\rvoid f(void) {\r  leak(1);\r}\r",
	}
	dir := writeTree(t, files)
	res, err := Run(Config{Analyzers: cachedAnalyzers, Rules: testanalyzers.Rules(), Paths: []string{dir}, Root: dir, Jobs: 1, WarnUnusedIgnores: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		s := fmt.Sprintf("%s:%d %q", f.Location.Path, f.Location.StartLine, f.Location.Snippet)
		if f.Suppression != nil {
			s += " suppressed"
		}
		got = append(got, s)
	}
	want := []string{`app/a.py:2 "leak(1)"`, `app/a.py:4 "leak(2)  # residue: ignore" suppressed`, `app/a.py:5 "leak(3)"`, `app/a.py:7 "leak(4)" suppressed`, `app/b.c:3 "  leak(1);"`}
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, notes := summary(res); len(notes) != 0 {
		t.Errorf("notifications: %q", notes)
	}
}

// TestFindingsPerRuleAreCapped reports none of the findings of a rule
// that has more than MaxRuleFindings in the run, whichever files came
// first, with an error; cold, and warm from a cache that did not keep the
// files whose findings were left out.
func TestFindingsPerRuleAreCapped(t *testing.T) {
	old := MaxRuleFindings
	MaxRuleFindings = 4
	t.Cleanup(func() { MaxRuleFindings = old })
	within := writeTree(t, map[string]string{"a.py": "leak(1)\nleak(2)\n", "b.py": "leak(3)\nleak(4)\n"})
	if findings, notes := summary(scan(t, within, 2)); len(findings) != 4 || len(notes) != 0 {
		t.Errorf("4 findings of a rule: findings %q, notifications %q", findings, notes)
	}
	over := writeTree(t, map[string]string{"a.py": "leak(1)\nleak(2)\nleak(3)\n", "b.py": "leak(4)\nleak(5)\n", "c.py": "x = 1\n"})
	want := "[: error: rule test/leak: 5 findings, more than the 4 a run reports of one rule; none of them reported: narrow its pattern or its paths]"
	for _, jobs := range []int{1, 2} {
		if findings, notes := summary(scan(t, over, jobs)); len(findings) != 0 || fmt.Sprint(notes) != want {
			t.Errorf("%d jobs: findings %q, notifications %q", jobs, findings, notes)
		}
	}
	cacheDir := t.TempDir()
	for _, run := range []string{"cold", "warm", "warm again"} {
		if findings, notes := summary(scanCached(t, over, cacheDir, over)); len(findings) != 0 || fmt.Sprint(notes) != want {
			t.Errorf("%s: findings %q, notifications %q", run, findings, notes)
		}
	}
}

// TestCappedFindingsOfRefusedEntries counts a cached file's findings once
// when the cache's entry is refused (a model's context changed when a
// file was added) and the file is analyzed again: the rule stays within
// the cap, as in a cold run.
func TestCappedFindingsOfRefusedEntries(t *testing.T) {
	old := MaxRuleFindings
	MaxRuleFindings = 6
	t.Cleanup(func() { MaxRuleFindings = old })
	model := *testanalyzers.Defs
	model.Context = func(root string, files []string) string { return strconv.Itoa(len(files)) }
	calls := *testanalyzers.Calls
	calls.Uses = []*analyzers.Model{&model}
	dir := writeTree(t, map[string]string{"a.py": "import os\nleak(1)\nleak(2)\nleak(3)\n", "b.py": "import os\nleak(4)\nleak(5)\n"})
	cacheDir := t.TempDir()
	scan := func() []string {
		res, err := Run(Config{Analyzers: []*analyzers.Analyzer{testanalyzers.Leak, &calls}, Rules: testanalyzers.Rules(),
			Paths: []string{dir}, Root: dir, Jobs: 2, CacheDir: cacheDir})
		if err != nil {
			t.Fatal(err)
		}
		_, notes := summary(res)
		return append(notes, strconv.Itoa(len(res.Findings)))
	}
	for _, run := range []string{"cold", "warm"} {
		if got := scan(); !slices.Equal(got, []string{"5"}) {
			t.Fatalf("%s: %q, want 5 findings and no notification", run, got)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "c.py"), []byte("x = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := scan(); !slices.Equal(got, []string{"5"}) {
		t.Errorf("after a file was added: %q, want 5 findings and no notification", got)
	}
}

// TestTreeWeight: the gate charges a big dense file (a table of literals)
// for its tokens, which its tree costs, and code or a small file for its
// bytes.
func TestTreeWeight(t *testing.T) {
	dense := []byte(strings.Repeat("1,", denseFrom))
	code := []byte(strings.Repeat("    value = compute(item)\n", denseFrom/20))
	small := []byte(strings.Repeat("1,", 1000))
	if w := treeWeight(dense); w != len(dense)+4*denseFrom {
		t.Errorf("dense: weight %d for %d bytes", w, len(dense))
	}
	if w := treeWeight(code); w > len(code)*3/2 {
		t.Errorf("code: weight %d for %d bytes", w, len(code))
	}
	if w := treeWeight(small); w != len(small) {
		t.Errorf("small: weight %d for %d bytes", w, len(small))
	}
}

// TestCutLevel: a parse the backstop cut makes the run incomplete; a file
// skipped for its nesting is a warning.
func TestCutLevel(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("parse still running after 5m, %w", source.ErrBackstop), "error"},
		{errors.New("nesting deeper than 2000"), "warning"},
	} {
		if got := cutLevel(tc.err); got != tc.want {
			t.Errorf("cutLevel(%v) = %s, want %s", tc.err, got, tc.want)
		}
	}
}

// TestWholeScan: a run scans most of the files it reads, or a few of them
// (pre-commit's staged files, the rest read for facts).
func TestWholeScan(t *testing.T) {
	for _, tc := range []struct {
		scanned map[string]bool
		want    bool
	}{
		{map[string]bool{"a.py": true, "b.py": true}, true},
		{map[string]bool{"a.py": true, "b.py": false}, true},
		{map[string]bool{"a.py": true, "b.py": false, "c.py": false}, false},
		{map[string]bool{}, true},
	} {
		if got := wholeScan(tc.scanned); got != tc.want {
			t.Errorf("wholeScan(%v) = %v, want %v", tc.scanned, got, tc.want)
		}
	}
}
