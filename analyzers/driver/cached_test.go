package driver

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/analyzertest/testanalyzers"
	"github.com/residue-sec/residue/analyzers/rule"
	"github.com/residue-sec/residue/analyzers/source"
)

// cachedAnalyzers exercise every kind of result the cache holds: Run
// findings (leak, cleak), facts and Finish (testfacts), and models and
// Check (testcalls).
var cachedAnalyzers = []*analyzers.Analyzer{testanalyzers.Leak, testanalyzers.CLeak, testanalyzers.Facts, testanalyzers.Calls}

func scanCached(t *testing.T, root, cacheDir string, paths ...string) *Result {
	t.Helper()
	res, err := Run(Config{Analyzers: cachedAnalyzers, Rules: testanalyzers.Rules(), Paths: paths, Root: root,
		Jobs: 2, WarnUnusedIgnores: true, CacheDir: cacheDir})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// canonical is a result as JSON, for comparing runs.
func canonical(t *testing.T, res *Result) string {
	t.Helper()
	b, err := json.MarshalIndent(struct {
		Findings      []analyzers.Finding
		Notifications []analyzers.Notification
		Scanned       int
	}{res.Findings, res.Notifications, res.FilesScanned}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// cacheTree is a repository with something for every analyzer: model
// needs across three rounds, facts, Run findings, ignores, a binary file.
func cacheTree() map[string]string {
	files := map[string]string{}
	for k, v := range modelTree {
		files[k] = v
	}
	files["app/leaks.py"] = "def leaky():\n    leak(1)  # residue: ignore[test/leak]\n    leak(2)\n    call_leaky()\n    call_nothing()\n"
	files["native/x.c"] = "int f(void) { return leak(); }\n"
	files["lib/dup.py"] = "def leaky():\n    pass\n"
	files["bin.py"] = "leak(\x00)\n"
	return files
}

// age makes every file of dir look unmodified for a while, so that the
// cache's index trusts their size and time.
func age(t *testing.T, dir string) {
	old := time.Now().Add(-time.Hour)
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			os.Chtimes(p, old, old)
		}
		return nil
	})
}

func TestCacheGivesTheSameFindings(t *testing.T) {
	dir := writeTree(t, cacheTree())
	age(t, dir)
	cacheDir := filepath.Join(t.TempDir(), "cache")
	none := scanCached(t, dir, "", dir)
	cold := scanCached(t, dir, cacheDir, dir)
	warm := scanCached(t, dir, cacheDir, dir)
	want := canonical(t, none)
	if got := canonical(t, cold); got != want {
		t.Errorf("cold cache differs from no cache:\n%s\nwant:\n%s", got, want)
	}
	if got := canonical(t, warm); got != want {
		t.Errorf("warm cache differs from no cache:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(want, "test/leak") || !strings.Contains(want, "test/imported-call") || !strings.Contains(want, "test/duplicate") || !strings.Contains(want, "test/cleak") {
		t.Fatalf("the tree does not exercise every analyzer:\n%s", want)
	}
	if cold.FilesParsed == 0 || warm.FilesParsed != 0 {
		t.Errorf("files parsed: cold %d, warm %d (want 0)", cold.FilesParsed, warm.FilesParsed)
	}

	// One scanned file after a full scan: the other files' facts and
	// parts come from the cache; only what the file's entry lacks as a
	// scanned file is computed.
	one := scanCached(t, dir, cacheDir, filepath.Join(dir, "app", "views.py"))
	oneNone := scanCached(t, dir, "", filepath.Join(dir, "app", "views.py"))
	if canonical(t, one) != canonical(t, oneNone) || one.FilesParsed != 0 {
		t.Errorf("one file with the cache (%d parsed):\n%s\nwithout:\n%s", one.FilesParsed, canonical(t, one), canonical(t, oneNone))
	}

	// A change is seen: the changed file is parsed again, the rest is not.
	p := filepath.Join(dir, "lib", "b.py")
	os.WriteFile(p, []byte("def deep():\n    pass\ndef extra():\n    pass\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "app", "views.py"), []byte(modelTree["app/views.py"]+"    extra()\n"), 0o644)
	changed := scanCached(t, dir, cacheDir, dir)
	changedNone := scanCached(t, dir, "", dir)
	if canonical(t, changed) != canonical(t, changedNone) {
		t.Errorf("after a change:\n%s\nwant:\n%s", canonical(t, changed), canonical(t, changedNone))
	}
	if changed.FilesParsed != 2 {
		t.Errorf("after changing two files, %d were parsed", changed.FilesParsed)
	}
}

// TestDamagedCache: a cache damaged on disk (truncated, garbled, emptied)
// is recomputed, with the same findings.
func TestDamagedCache(t *testing.T) {
	dir := writeTree(t, cacheTree())
	age(t, dir)
	want := canonical(t, scanCached(t, dir, "", dir))
	for name, damage := range map[string]func([]byte) []byte{
		"truncated": func(b []byte) []byte { return b[:len(b)/2] },
		"garbled":   func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("leak"), []byte("LEAK")) },
		"emptied":   func([]byte) []byte { return nil },
	} {
		cacheDir := filepath.Join(t.TempDir(), "cache")
		scanCached(t, dir, cacheDir, dir)
		packs, _ := filepath.Glob(filepath.Join(cacheDir, "*", "pack-*"))
		if len(packs) != 1 {
			t.Fatalf("packs: %q", packs)
		}
		data, _ := os.ReadFile(packs[0])
		os.WriteFile(packs[0], damage(data), 0o644)
		if got := canonical(t, scanCached(t, dir, cacheDir, dir)); got != want {
			t.Errorf("%s: with a damaged cache:\n%s\nwant:\n%s", name, got, want)
		}
		if got := canonical(t, scanCached(t, dir, cacheDir, dir)); got != want {
			t.Errorf("%s: after repairing the cache:\n%s\nwant:\n%s", name, got, want)
		}
	}
}

// TestCacheConfiguration: a change of settings or rules is a new
// configuration, never a stale answer.
func TestCacheConfiguration(t *testing.T) {
	dir := writeTree(t, cacheTree())
	age(t, dir)
	cacheDir := filepath.Join(t.TempDir(), "cache")
	scanCached(t, dir, cacheDir, dir)
	res, err := Run(Config{Analyzers: cachedAnalyzers, Rules: testanalyzers.Rules(), Paths: []string{dir}, Root: dir,
		Jobs: 2, CacheDir: cacheDir, Disable: []string{"test/leak"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		if f.RuleID == "test/leak" {
			t.Errorf("a disabled rule's finding came from the cache: %+v", f)
		}
	}
	if res.FilesParsed == 0 {
		t.Error("another configuration used the first one's entries")
	}
}

// countModel's parts record how many Python files the repository has,
// which Extract reads from ExtractPass.Files: its Context says so.
var countModel = &analyzers.Model{
	Name:     "testcount",
	Language: source.Python,
	Extract: func(pass *analyzers.ExtractPass) (analyzers.Part, error) {
		return &countPart{File: pass.Syntax.Path, Files: len(pass.Files)}, nil
	},
	Build:   func(pass *analyzers.BuildPass) (any, error) { return pass.Parts, nil },
	Context: func(root string, files []string) string { return fmt.Sprint(len(files)) },
}

type countPart struct {
	File  string
	Files int
}

func init() { gob.Register(&countPart{}) }

func (p *countPart) Path() string    { return p.File }
func (p *countPart) Needs() []string { return nil }

var countAnalyzer = &analyzers.Analyzer{
	Name: "testcountcheck", Languages: []source.Language{source.Python}, Rules: []string{"test/count"},
	Uses: []*analyzers.Model{countModel},
	Check: func(pass *analyzers.CheckPass) error {
		for _, p := range pass.Model(countModel).([]analyzers.Part) {
			if cp := p.(*countPart); cp.File == pass.Path {
				pass.Report(analyzers.Finding{RuleID: "test/count", Message: fmt.Sprint(cp.Files, " files"), Location: analyzers.Location{Path: pass.Path, Range: pass.Outline.Lines().Range(0, 1)}})
			}
		}
		return nil
	},
}

// TestCacheKeepsContext: a part whose model reads more than its file is
// extracted again when that changes (a file added), not read stale.
func TestCacheKeepsContext(t *testing.T) {
	dir := writeTree(t, map[string]string{"a.py": "x = 1\n", "b.py": "y = 2\n"})
	age(t, dir)
	cacheDir := filepath.Join(t.TempDir(), "cache")
	rules, err := rule.NewSet([]*rule.Rule{{ID: "test/count", Name: "Count", Language: "python", Severity: "note",
		Summary: "Files.", Help: "Files.", Analyzer: countAnalyzer.Name, File: "test/count.yml", Line: 1}})
	if err != nil {
		t.Fatal(err)
	}
	scan := func() []string {
		res, err := Run(Config{Analyzers: []*analyzers.Analyzer{countAnalyzer}, Rules: rules, Paths: []string{dir}, Root: dir, CacheDir: cacheDir})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range res.Findings {
			out = append(out, f.Location.Path+": "+f.Message)
		}
		return out
	}
	if got := strings.Join(scan(), "|"); got != "a.py: 2 files|b.py: 2 files" {
		t.Fatalf("first scan: %s", got)
	}
	os.WriteFile(filepath.Join(dir, "c.py"), []byte("z = 3\n"), 0o644)
	if got := strings.Join(scan(), "|"); got != "a.py: 3 files|b.py: 3 files|c.py: 3 files" {
		t.Errorf("after a file was added: %s", got)
	}
}

// TestFailedRunMakesNoCache: a run whose paths do not resolve stops before
// it opens the cache, which it would otherwise create.
func TestFailedRunMakesNoCache(t *testing.T) {
	root := t.TempDir()
	cacheDir := filepath.Join(t.TempDir(), "cache")
	_, err := Run(Config{Analyzers: cachedAnalyzers, Rules: testanalyzers.Rules(), Paths: []string{filepath.Join(root, "missing.py")},
		Root: root, Jobs: 2, CacheDir: cacheDir})
	if err == nil {
		t.Fatal("a missing path scanned without error")
	}
	if _, err := os.Stat(cacheDir); err == nil {
		t.Error("the failed run created the cache directory")
	}
}

// TestCachedIgnoresStartUnused: a suppression comment that silenced a
// Check finding in one run is not remembered as used by the cache; when a
// change elsewhere removes the finding, the next run warns of the unused
// comment in the unchanged file, as a run without the cache does.
func TestCachedIgnoresStartUnused(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"lib/helper.py": "def helper():\n    pass\n",
		"app/views.py":  "import lib.helper\n\nhelper()  # residue: ignore[test/imported-call]\n",
	})
	age(t, dir)
	cacheDir := filepath.Join(t.TempDir(), "cache")
	first := scanCached(t, dir, cacheDir, dir)
	if len(first.Findings) != 1 || first.Findings[0].Suppression == nil {
		t.Fatalf("want one suppressed finding, got %s", canonical(t, first))
	}
	os.WriteFile(filepath.Join(dir, "lib", "helper.py"), []byte("def other():\n    pass\n"), 0o644)
	age(t, dir)
	cached, none := scanCached(t, dir, cacheDir, dir), scanCached(t, dir, "", dir)
	if got, want := canonical(t, cached), canonical(t, none); got != want {
		t.Errorf("with the cache:\n%s\nwithout:\n%s", got, want)
	}
	if !strings.Contains(canonical(t, none), "matches no finding") {
		t.Fatalf("no unused-ignore warning without the cache either:\n%s", canonical(t, none))
	}
}

// TestLaterRoundKeepsUsedIgnores: a file scanned in the first round and
// read again in a later one (a model needs it) keeps in the cache the
// comments its own pass marked used, so a warm run does not call the
// comment that suppressed its Run finding unused.
func TestLaterRoundKeepsUsedIgnores(t *testing.T) {
	files := maps.Clone(modelTree)
	files["lib/b.py"] = "def deep():\n    leak(1)  # residue: ignore[test/leak]\n"
	dir := writeTree(t, files)
	age(t, dir)
	cacheDir := filepath.Join(t.TempDir(), "cache")
	none := canonical(t, scanCached(t, dir, "", dir))
	if !strings.Contains(none, `"suppression"`) {
		t.Fatalf("the leak is not suppressed:\n%s", none)
	}
	for _, run := range []string{"cold", "warm"} {
		if got := canonical(t, scanCached(t, dir, cacheDir, dir)); got != none {
			t.Errorf("%s cache:\n%s\nwithout:\n%s", run, got, none)
		}
	}
}

// TestOutlineKeepsTheLiterals: a scanned file's outline lists the
// prefilter literals the driver found in it, and the cache keeps them.
func TestOutlineKeepsTheLiterals(t *testing.T) {
	cfg := Config{Analyzers: cachedAnalyzers, Rules: testanalyzers.Rules()}
	cfg.setDefaults()
	p, err := newPlan(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	dir := t.TempDir()
	p.root = dir
	w := newWorker(p)
	defer w.close()
	src := []byte("import os\n\ndef f():\n    leak(1)\n")
	abs := filepath.Join(dir, "a.py")
	if err := os.WriteFile(abs, src, 0o644); err != nil {
		t.Fatal(err)
	}
	fr := w.analyze("a.py", source.Python, src, false)
	if fr.outline == nil {
		t.Fatal("no outline")
	}
	want := []string{"leak", "def ", "import"}
	for _, lit := range want {
		if !slices.Contains(fr.outline.Literals, lit) {
			t.Errorf("the outline's literals %q lack %q", fr.outline.Literals, lit)
		}
	}
	if slices.Contains(fr.outline.Literals, "call_") { // testcalls' prefilter
		t.Errorf("the outline's literals %q hold one the file does not", fr.outline.Literals)
	}
	raw, err := (&storedOutline{outline: fr.outline}).GobEncode()
	if err != nil {
		t.Fatal(err)
	}
	var back storedOutline
	if err := back.GobDecode(raw); err != nil {
		t.Fatal(err)
	}
	if o := back.get(abs, nil, false); o == nil || !slices.Equal(o.Literals, fr.outline.Literals) {
		t.Errorf("from the cache, the outline's literals are %v, want %q", o, fr.outline.Literals)
	}
}

// admitModel extracts a file that says "use NAME" only while the
// repository has no NAME.py: its Admit reads AdmitPass.Files; one that
// says "use *" always, without reading them; one that says "via NAME"
// while NAME.py says "native", which it reads.
var admitModel = &analyzers.Model{
	Name:      "testadmit",
	Language:  source.Python,
	Prefilter: []string{"use "},
	Admit: func(pass *analyzers.AdmitPass) (take, byFiles bool) {
		_, name, _ := strings.Cut(string(pass.Src), "use ")
		name, _, _ = strings.Cut(name, "\n")
		if name == "*" {
			return true, false
		}
		if other, ok := strings.CutPrefix(name, "via "); ok {
			src, err := pass.Read(other + ".py")
			return err == nil && strings.Contains(string(src), "native"), false
		}
		return !slices.Contains(pass.Files, name+".py"), true
	},
	Extract: func(pass *analyzers.ExtractPass) (analyzers.Part, error) {
		return &countPart{File: pass.Syntax.Path}, nil
	},
	Build: func(pass *analyzers.BuildPass) (any, error) { return pass.Parts, nil },
}

// admitAnalyzer reports on main.py the files admitModel extracted.
var admitAnalyzer = &analyzers.Analyzer{
	Name: "testadmitcheck", Languages: []source.Language{source.Python}, Rules: []string{"test/count"},
	Uses: []*analyzers.Model{admitModel},
	Check: func(pass *analyzers.CheckPass) error {
		if pass.Path != "main.py" {
			return nil
		}
		var paths []string
		for _, p := range pass.Model(admitModel).([]analyzers.Part) {
			paths = append(paths, p.Path())
		}
		pass.Report(analyzers.Finding{RuleID: "test/count", Message: "extracted: " + strings.Join(paths, " "), Location: analyzers.Location{Path: pass.Path, Range: pass.Outline.Lines().Range(0, 1)}})
		return nil
	},
}

// TestCacheKeepsAdmission: a model's Admit that reads the repository's
// files is asked again when they change, not answered from the cache;
// one that does not read them is answered from the cache.
func TestCacheKeepsAdmission(t *testing.T) {
	dir := writeTree(t, map[string]string{"main.py": "use nothing\n", "a.py": "use b\n", "b.py": "x = 1\n", "c.py": "use *\n",
		"d.py": "use via e\n", "e.py": "x = 2\n"})
	age(t, dir)
	cacheDir := filepath.Join(t.TempDir(), "cache")
	rules, err := rule.NewSet([]*rule.Rule{{ID: "test/count", Name: "Count", Language: "python", Severity: "note",
		Summary: "Files.", Help: "Files.", Analyzer: admitAnalyzer.Name, File: "test/count.yml", Line: 1}})
	if err != nil {
		t.Fatal(err)
	}
	parsed := 0
	scan := func(cache, path string) string {
		res, err := Run(Config{Analyzers: []*analyzers.Analyzer{admitAnalyzer}, Rules: rules, Paths: []string{path}, Root: dir, CacheDir: cache})
		if err != nil {
			t.Fatal(err)
		}
		parsed = res.FilesParsed
		var out []string
		for _, f := range res.Findings {
			out = append(out, f.Location.Path+": "+f.Message)
		}
		return strings.Join(out, "|")
	}
	// With the cache, c.py, decided without the files, is never parsed
	// again; main.py is, whenever the files change, a.py when it is
	// taken, and d.py when e.py changes. A scan of main.py alone, which
	// reads the others for the model only (pre-commit), decides the same
	// with a cache of its own.
	for _, step := range []struct {
		change func()
		want   string
		parsed int
	}{
		{func() {}, "main.py: extracted: c.py main.py", 0},
		{func() { os.Remove(filepath.Join(dir, "b.py")) }, "main.py: extracted: a.py c.py main.py", 2},
		{func() { os.WriteFile(filepath.Join(dir, "b.py"), nil, 0o644) }, "main.py: extracted: c.py main.py", 1},
		{func() { os.WriteFile(filepath.Join(dir, "e.py"), []byte("native = 1\n"), 0o644) }, "main.py: extracted: c.py d.py main.py", 1},
		{func() { os.Remove(filepath.Join(dir, "e.py")) }, "main.py: extracted: c.py main.py", 1},
	} {
		step.change()
		age(t, dir)
		for _, path := range []string{dir, filepath.Join(dir, "main.py")} {
			if got := scan("", path); got != step.want {
				t.Fatalf("%s without the cache: %s, want %s", path, got, step.want)
			}
			if got := scan(filepath.Join(cacheDir, filepath.Base(path)), path); got != step.want {
				t.Errorf("%s with the cache: %s, want %s", path, got, step.want)
			}
			if path == dir && step.parsed > 0 && parsed != step.parsed {
				t.Errorf("%s: %d files parsed with the cache, want %d", step.want, parsed, step.parsed)
			}
		}
	}
}
