package csrc

import (
	"sort"
	"testing"
	"time"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// extractAll parses and extracts the files of a small repository, as the
// driver does, with settings.
func extractAll(t testing.TB, files map[string]string, settings analyzers.Settings) []analyzers.Part {
	t.Helper()
	parser := source.NewParser(5 * time.Second)
	defer parser.Close()
	var paths []string
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	if settings == nil {
		settings = analyzers.Settings{}
	}
	var parts []analyzers.Part
	for _, path := range paths {
		f := source.NewFile(path, source.C, []byte(files[path]))
		if err := parser.Parse(f); err != nil {
			t.Fatal(err)
		}
		syn, err := source.NewSyntax(f, 1<<20)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		pass := &analyzers.ExtractPass{Model: Model, Syntax: syn, Files: paths, Settings: settings, Root: t.TempDir(),
			Parse: func(src []byte) (*source.Syntax, error) {
				g := source.NewFile(path, source.C, src)
				if err := parser.Parse(g); err != nil {
					return nil, err
				}
				defer g.Close()
				return source.NewSyntax(g, 1<<20)
			}}
		part, err := Model.Extract(pass)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, part)
	}
	return parts
}

// buildRepo extracts and builds a small repository.
func buildRepo(t testing.TB, files map[string]string) *Repo {
	t.Helper()
	m, err := Model.Build(&analyzers.BuildPass{Parts: extractAll(t, files, nil)})
	if err != nil {
		t.Fatal(err)
	}
	return m.(*Repo)
}

// constIn evaluates name in file's unit.
func constIn(r *Repo, file, name string) (int64, bool) {
	return newContext(r).scope(r.unit(file)).constValue(name)
}
