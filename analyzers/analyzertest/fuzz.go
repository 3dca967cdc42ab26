package analyzertest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/driver"
	"github.com/residue-sec/residue/analyzers/source"
)

// Robust scans src as a file of lang with as and fails t when the scan
// cannot run or an analyzer fails on it (a recovered panic or an error):
// the body of an analyzer's fuzz target. Rule metadata is synthesized.
func Robust(t *testing.T, lang source.Language, src []byte, as ...*analyzers.Analyzer) {
	t.Helper()
	name := "fuzz.py"
	if lang == source.C {
		name = "fuzz.c"
	}
	RobustFiles(t, map[string][]byte{name: src}, as...)
}

// RobustFiles is Robust for a small repository of files by path: a
// Python module with the C extension it calls, say.
func RobustFiles(t *testing.T, files map[string][]byte, as ...*analyzers.Analyzer) {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := driver.Run(driver.Config{Analyzers: as, Rules: Rules("warning", as...), Paths: []string{dir}, Root: dir, Jobs: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range res.Notifications {
		if n.Level == "error" {
			t.Fatalf("%s: %s", n.Path, n.Message)
		}
	}
	for _, f := range res.Findings {
		if f.Location.StartLine < 1 || f.Location.StartColumn < 1 || f.Fingerprint == "" {
			t.Fatalf("malformed finding %+v", f)
		}
		for _, s := range f.Flow {
			if s.Location.Path == "" || s.Location.StartLine < 1 {
				t.Fatalf("malformed flow step %+v of %+v", s, f)
			}
		}
	}
}
