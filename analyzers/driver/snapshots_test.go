package driver

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/residue-sec/residue/analyzers/all"
	"github.com/residue-sec/residue/analyzers/syntax"
	"github.com/residue-sec/residue/rules"
)

// TestNoPartKeepsItsSnapshot scans every rule fixture with the real
// analyzers twice: once as a run does, and once with each snapshot that
// would go to the next file cleared instead, so that a part still reading
// its snapshot's nodes after Extract would panic. Both runs
// must give the same findings and notifications: no model keeps a
// snapshot it does not declare (analyzers.SyntaxPart), whose memory the
// worker builds the next file's snapshot in.
func TestNoPartKeepsItsSnapshot(t *testing.T) {
	set, err := rules.BuiltinSet()
	if err != nil {
		t.Fatal(err)
	}
	as := all.Analyzers()
	if q, err := all.Declarative(set.All()); err != nil {
		t.Fatal(err)
	} else if q != nil {
		as = append(as, q)
	}
	archives, err := fs.Glob(rules.FS, "*/testdata/*.txtar")
	if err != nil || len(archives) < 20 {
		t.Fatalf("%d fixtures (%v)", len(archives), err)
	}
	var cleared atomic.Int64
	for _, name := range archives {
		dir := writeTree(t, fixtureFiles(t, name))
		scanAll := func() string {
			res, err := Run(Config{Analyzers: as, Rules: set, Paths: []string{dir}, Root: dir, Jobs: 2})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return canonical(t, res)
		}
		want := scanAll()
		reuseSnapshot = func(_ *syntax.Builder, tree *syntax.Tree) {
			var b syntax.Builder
			b.Reuse(tree)
			cleared.Add(1)
		}
		got := scanAll()
		reuseSnapshot = (*syntax.Builder).Reuse
		if got != want {
			t.Errorf("%s: with each snapshot cleared after Extract:\n%s\nwant:\n%s", path.Base(name), got, want)
		}
		if strings.Contains(want, "panicked") {
			t.Errorf("%s: a panic:\n%s", path.Base(name), want)
		}
	}
	if cleared.Load() == 0 {
		t.Fatal("no snapshot was let go")
	}
}

// TestReleasedOutlinesGiveSnippets: the outline of a scanned Python file
// keeps no bytes after the per-file pass (no part keeps its snapshot);
// the findings of Check steps still have the snippets and fingerprints of
// the lines of the file, read again.
func TestReleasedOutlinesGiveSnippets(t *testing.T) {
	files := fixtureFiles(t, "mtls/testdata/spoofable-header-identity.txtar")
	res := builtinScan(t, writeTree(t, files), 2)
	checked := 0
	for _, fd := range res.Findings {
		if !strings.HasPrefix(fd.RuleID, "mtls/") {
			continue
		}
		checked++
		lines := strings.Split(files[fd.Location.Path], "\n")
		if want := strings.TrimRight(lines[fd.Location.StartLine-1], "\r"); fd.Location.Snippet != want || fd.Fingerprint == "" {
			t.Errorf("%s:%d: snippet %q, fingerprint %q; want %q", fd.Location.Path, fd.Location.StartLine, fd.Location.Snippet, fd.Fingerprint, want)
		}
	}
	if checked == 0 {
		t.Fatal("no finding of a Check step")
	}
}

// builtinScan scans dir with the built-in analyzers and rules on jobs
// workers.
func builtinScan(t *testing.T, dir string, jobs int) *Result {
	t.Helper()
	set, err := rules.BuiltinSet()
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(Config{Analyzers: all.Analyzers(), Rules: set, Paths: []string{dir}, Root: dir, Jobs: jobs})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// fixtureFiles returns the files of the rule fixture at name in rules.FS.
func fixtureFiles(t *testing.T, name string) map[string]string {
	t.Helper()
	data, err := fs.ReadFile(rules.FS, name)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range txtar.Parse(data).Files {
		files[f.Name] = string(f.Data)
	}
	return files
}

// TestFilesChangedDuringTheScan: a file edited after its per-file pass has
// its Check findings left out with a notification, rather than reported
// with the new file's lines and text (or none).
func TestFilesChangedDuringTheScan(t *testing.T) {
	files := fixtureFiles(t, "mtls/testdata/spoofable-header-identity.txtar")
	dir := writeTree(t, files)
	scan := func() *Result { return builtinScan(t, dir, 1) }
	checked := map[string]bool{}
	for _, fd := range scan().Findings {
		if strings.HasPrefix(fd.RuleID, "mtls/") {
			checked[fd.Location.Path] = true
		}
	}
	if len(checked) == 0 {
		t.Fatal("no finding of a Check step")
	}
	// Each file with findings is edited once its per-file pass is over
	// (its snapshot handed back): what follows reads the new file.
	reuseSnapshot = func(b *syntax.Builder, tree *syntax.Tree) {
		for path := range checked {
			if files[path] == string(tree.Src()) {
				if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(path)), []byte("x = 1\n"), 0o644); err != nil {
					t.Error(err)
				}
			}
		}
		b.Reuse(tree)
	}
	defer func() { reuseSnapshot = (*syntax.Builder).Reuse }()
	res := scan()
	for _, fd := range res.Findings {
		if strings.HasPrefix(fd.RuleID, "mtls/") {
			t.Errorf("%s:%d: %s reported from a file changed since", fd.Location.Path, fd.Location.StartLine, fd.RuleID)
		}
	}
	noted := map[string]int{}
	for _, n := range res.Notifications {
		if strings.HasPrefix(n.Message, "changed since residue read it") {
			noted[n.Path]++
			if n.Level != "error" {
				// The findings left out make the run incomplete.
				t.Errorf("%s: a %s that it changed, want an error", n.Path, n.Level)
			}
		}
	}
	for path := range checked {
		if noted[path] != 1 {
			t.Errorf("%s: %d notifications that it changed, want 1", path, noted[path])
		}
	}
}
