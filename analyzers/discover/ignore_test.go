package discover

import (
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// ignoreCases are patterns of real ignore files and of git's
// documentation, with the shapes each kind of segment takes.
var ignoreCases = []string{
	"*.egg-info", "*.pot", "*.py[co]", ".tox/", "__pycache__", "MANIFEST", "dist/", "docs/_build/",
	"tests/coverage_html/", "tests/.coverage*", "/generated.py", "!keep.py", "secret/", "nested/x.py",
	"**/foo", "foo/**", "a/**/b", "a/**", "**", "a**b", "/**/x", "*", "?", "[a-c]*", "\\#x", "x\\ ",
	"trailing   ", "!", "/", "//a", "a//b", "f*3.py", "!f0003.py", "build", "*.c", "[", "a[", "*[",
}

// ignorePaths are paths to match them against.
var ignorePaths = []string{
	"a", "a/b", "a/b/c", "foo", "x/foo", "foo/bar", "a/x/b", "a/x/y/b", "docs/_build", "docs/_build/html/index.html",
	"sub/keep.py", "sub/x.py", "pkg.egg-info", "m.pyc", "m.pyo", "m.py", ".tox", "tests/.coverage.1",
	"deep/nested/x.py", "nested/x.py", "f123.py", "f0003.py", "#x", "x ", "trailing", "build/lib/a.py", "[", "a[",
}

// TestIgnorePatternMatchesGoGit matches every case against every path, as
// a file and as a directory, from the root and from a domain: the answers
// are those of gitignore.ParsePattern's patterns.
func TestIgnorePatternMatchesGoGit(t *testing.T) {
	for _, line := range ignoreCases {
		for _, domain := range [][]string{nil, {"a"}, {"sub"}} {
			for _, path := range ignorePaths {
				for _, isDir := range []bool{false, true} {
					comps := strings.Split(path, "/")
					want := gitignore.ParsePattern(line, domain).Match(comps, isDir)
					if got := parseIgnorePattern(line, domain).Match(comps, isDir); got != want && !viaDirectory(line, domain, comps, got, want) {
						t.Errorf("%q in %q on %q (dir %v): %v, want %v", line, domain, path, isDir, got, want)
					}
				}
			}
		}
	}
}

// viaDirectory reports whether got and want differ as they must: go-git
// matches a pattern on what is inside a directory it matches, git (and
// residue, whose walk does not enter an excluded directory) on the path
// itself only.
func viaDirectory(line string, domain, comps []string, got, want gitignore.MatchResult) bool {
	if got != gitignore.NoMatch || want == gitignore.NoMatch {
		return false
	}
	p := gitignore.ParsePattern(line, domain)
	for k := 1; k < len(comps); k++ {
		if p.Match(comps[:k], true) == want {
			return true
		}
	}
	// "foo/**" is what is inside foo, not foo (git ls-files keeps
	// foo/keep.py for "foo/**" then "!foo/keep.py").
	if dir, ok := strings.CutSuffix(line, "/**"); ok && dir != "" && dir != "!" {
		return gitignore.ParsePattern(dir, domain).Match(comps, true) == want
	}
	return false
}

// FuzzIgnorePattern compares parseIgnorePattern's patterns with
// gitignore.ParsePattern's on any line and path.
func FuzzIgnorePattern(f *testing.F) {
	for i, line := range ignoreCases {
		f.Add(line, ignorePaths[i%len(ignorePaths)], "", i%2 == 0)
	}
	f.Fuzz(func(t *testing.T, line, path, domain string, isDir bool) {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") || strings.Contains(line, "\n") {
			return // not a pattern line
		}
		comps := strings.Split(path, "/")
		var dom []string
		if domain != "" {
			dom = strings.Split(domain, "/")
		}
		want := gitignore.ParsePattern(line, dom).Match(comps, isDir)
		if got := parseIgnorePattern(line, dom).Match(comps, isDir); got != want && !viaDirectory(line, dom, comps, got, want) {
			t.Errorf("%q in %q on %q (dir %v): %v, want %v", line, dom, path, isDir, got, want)
		}
	})
}
